"""The engine's refusals: AWS's codes and texts (positions where AWS gives them)."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from overcast.services.s3.select.sql import SelectError, compile_select

CSV = pa.record_batch([pa.array(["1", "x"]), pa.array(["a", "b"])], names=["_1", "_2"])
HEADED = pa.record_batch([pa.array(["1", "x"]), pa.array(["a", "b"])], names=["id", "name"])

# (sql, code, message or None when only the code is pinned); texts recorded from AWS answers.
PARSE_ERRORS = [
    ("SELECT * FROM S3OBJECT s WHERE s.5 = `true`", "ParseUnexpectedToken",
     "Unexpected token found LITERAL:UNKNOWN at line 1, column 33."),
    ("SELECT * FROM S3OBJECT s WHERE s.'odd' is \"true\"", "ParseInvalidPathComponent",
     "Invalid Path component, expecting either an IDENTIFIER or STAR, got: LITERAL,at line 1, "
     "column 34."),
    ("SELECT s.'country_code' FROM S3Object s", "ParseInvalidPathComponent",
     "Invalid Path component, expecting either an IDENTIFIER or STAR, got: LITERAL,at line 1, "
     "column 10."),
    ("SELECT * FROM S3OBJECT s WHERE s.odd is \"true\"", "ParseExpectedTypeName",
     "Expected type name, found QUOTED_IDENTIFIER:UNKNOWN at line 1, column 41."),
    ("SELECT * FROM S3Object s WHERE s._1 LIKE %abc%", "ParseUnexpectedOperator",
     "Unexpected operator OPERATOR:UNKNOWN at line 1, column 42."),
    # recorded from AWS: the operator's expression is reported where its left operand starts
    ("select 100+ from s3object limit 10", "ParseUnexpectedOperator",
     "Unexpected operator OPERATOR:UNKNOWN at line 1, column 8."),
    ("SELECT * FROM S3Object s WHERE s._1 = 'a' AND s._2 || ", "ParseUnexpectedOperator",
     "Unexpected operator OPERATOR:UNKNOWN at line 1, column 47."),
    ("SELECT * FROM S3Object s WHERE s._1 = )", "ParseUnexpectedOperator",
     "Unexpected operator OPERATOR:UNKNOWN at line 1, column 32."),
    ("SELECT * FROM S3Object s\nWHERE s._1 = 1 1", "ParseUnexpectedToken",
     "Unexpected token found LITERAL:UNKNOWN at line 2, column 16."),
    ("SELECT * FROM S3Object WHERE _1 = 'a' FROM", "ParseUnexpectedToken",
     "Unexpected token found KEYWORD:UNKNOWN at line 1, column 39."),
    ("SELEC * FROM S3Object", "ParseUnexpectedToken",
     "Unexpected token found IDENTIFIER:UNKNOWN at line 1, column 1."),
    ("SELECT CAST(_1 AS BLOB) FROM S3Object", "ParseExpectedTypeName",
     "Expected type name, found IDENTIFIER:UNKNOWN at line 1, column 19."),
    ("SELECT * FROM S3Object GROUP BY _1", "ParseUnsupportedSyntax",
     "The SQL expression contains unsupported syntax."),
    ("SELECT * FROM S3Object ORDER BY _1", "ParseUnexpectedToken",
     "Unexpected token found KEYWORD:UNKNOWN at line 1, column 24."),
    # recorded from AWS: GROUP BY parses; the ORDER after it is the error reported
    ("SELECT CounterID, count(*) FROM S3Object GROUP BY CounterID ORDER BY count(*) DESC "
     "LIMIT 10", "ParseUnexpectedToken",
     "Unexpected token found KEYWORD:UNKNOWN at line 1, column 61."),
    ("SELECT * FROM S3Object s WHERE s._1 = '1' GROUP BY s._1 HAVING COUNT(*) > 1",
     "ParseUnsupportedSyntax", None),
    ("SELECT _1 FROM S3Object UNION SELECT _2 FROM S3Object", "ParseUnexpectedToken", None),
    ("SELECT DISTINCT _1 FROM S3Object", "ParseUnsupportedSyntax", None),
    ("SELECT * FROM S3Object s, S3Object t", "ParseMalformedJoin",
     "JOIN is not supported in the SQL expression."),
    ("SELECT * FROM S3Object s JOIN S3Object t ON s._1 = t._1", "ParseMalformedJoin", None),
    ("SELECT * FROM (SELECT * FROM S3Object)", "ParseUnsupportedSelect",
     "The SQL expression contains an unsupported use of SELECT."),
    ("SELECT * FROM S3Object WHERE _1 IN (SELECT _1 FROM S3Object)", "ParseUnsupportedSelect",
     None),
    ("SELECT *, _1 FROM S3Object", "ParseAsteriskIsNotAloneInSelectList",
     "Other expressions are not allowed in the SELECT list when '*' is used without dot "
     "notation in the SQL expression."),
    ("SELECT SUM(*) FROM S3Object", "ParseUnsupportedCallWithStar",
     "Only COUNT with (*) as a parameter is supported in the SQL expression."),
    ("SELECT COUNT(_1, _2) FROM S3Object", "ParseNonUnaryAgregateFunctionCall",
     "Only one argument is supported for aggregate functions in the SQL expression."),
    ("SELECT FROM S3Object", "ParseEmptySelect", "The SQL expression contains an empty SELECT."),
    ("SELECT CASE END FROM S3Object", "ParseExpectedWhenClause", None),
    ("SELECT EXTRACT(week FROM `2010T`) FROM S3Object", "ParseExpectedDatePart", None),
    ("SELECT MD5(_1) FROM S3Object", "UnsupportedFunction",
     "Encountered an unsupported SQL function."),
    ("SELECT LOWER(_1, _2) FROM S3Object", "EvaluatorInvalidArguments",
     "Incorrect number of arguments in the function call in the SQL expression."),
    ("SELECT * FROM S3Object LIMIT 'a'", "ParseUnexpectedToken", None),
    ("SELECT * FROM S3Object WHERE _1 = #", "LexerInvalidChar", None),
    ("SELECT * FROM S3Object WHERE _1 = 'open", "LexerInvalidLiteral", None),
    ("SELECT _1, COUNT(*) FROM S3Object", "UnsupportedSqlStructure",
     "Encountered an unsupported SQL structure. Check the SQL Reference."),
    ("SELECT * FROM S3Object WHERE COUNT(*) > 1", "UnsupportedSqlStructure", None),
    ("SELECT * FROM S3Object[*].a", "UnsupportedSqlStructure", None),
    ("", "MissingRequiredParameter",
     "The SelectRequest entity is missing a required parameter. Check the service documentation "
     "and try again."),
]  # fmt: skip


@pytest.mark.parametrize(("sql", "code", "message"), PARSE_ERRORS)
def test_compile_errors(sql, code, message):
    with pytest.raises(SelectError) as err:
        compile_select(sql, "csv")
    assert err.value.code == code
    assert err.value.status == 400
    if message is not None:
        assert err.value.message == message


def run(sql, batch, header=None, kind="csv"):
    return [r for records in compile_select(sql, kind).run([batch], header=header) for r in records]


def test_unknown_name_without_header_is_invalid_column_index_at_the_path():
    with pytest.raises(SelectError) as err:
        run("SELECT s.country_code FROM S3Object s", CSV)
    assert err.value.code == "InvalidColumnIndex"
    assert err.value.message == (
        "The column index at line 1, column 8 is invalid. "
        "Please check the service documentation and try again."
    )
    with pytest.raises(SelectError) as err:
        run('SELECT * FROM S3OBJECT s WHERE s._1 = "true"', CSV)
    assert err.value.message.startswith("The column index at line 1, column 39 is invalid.")
    with pytest.raises(SelectError) as err:
        run("SELECT _0 FROM S3Object", CSV)
    assert err.value.code == "InvalidColumnIndex"


def test_unknown_header_name_is_missing_headers():
    with pytest.raises(SelectError) as err:
        run('SELECT * FROM S3OBJECT s WHERE s."oddf" = \'true\'', HEADED, header=["id", "name"])
    assert (err.value.code, err.value.message) == (
        "MissingHeaders",
        "Some headers in the query are missing from the file. Please check the file and try again.",
    )


def test_qualified_name_with_an_undeclared_alias_is_invalid_table_alias():
    with pytest.raises(SelectError) as err:
        compile_select("SELECT * FROM S3OBJECT WHERE s.\"oddf\" = 'true'", "csv")
    assert (err.value.code, err.value.message) == (
        "InvalidTableAlias",
        "Invalid table alias is specified at line 1, column 30. Please check the file and try again.",
    )


def test_runtime_errors():
    with pytest.raises(SelectError) as err:
        run("SELECT CAST(_2 AS TIMESTAMP) FROM S3Object", CSV)
    assert err.value.message == (
        "Attempt to convert from one data type to another failed: cast from STRING to TIMESTAMP."
    )
    with pytest.raises(SelectError) as err:
        run("SELECT _1 FROM S3Object WHERE _2 LIKE 'a' ESCAPE 'xy'", CSV)
    assert err.value.code == "LikeInvalidInputs"
    with pytest.raises(SelectError) as err:
        run("SELECT CAST('9223372036854775807' AS INT) + 1 FROM S3Object", CSV)
    assert err.value.code == "IntegerOverflow"
    with pytest.raises(SelectError) as err:
        run("SELECT TO_STRING(`2010T`, 'yyyy Q') FROM S3Object", CSV)
    assert err.value.code == "EvaluatorInvalidTimestampFormatPatternSymbol"
    with pytest.raises(SelectError) as err:
        run("SELECT LOWER(CAST(_1 AS INT)) FROM S3Object LIMIT 1", CSV)
    assert err.value.code == "IncorrectSqlFunctionArgumentType"


def test_header_less_csv_names_are_refused_at_compile_time_when_the_mode_is_known():
    with pytest.raises(SelectError) as err:
        compile_select("SELECT s._1 FROM S3Object s WHERE s.city = 'x'", "csv", "IGNORE")
    assert err.value.message.startswith("The column index at line 1, column 35 is invalid.")
    compile_select("SELECT s._1 FROM S3Object s WHERE s._2 = 'x'", "csv", "NONE")
    compile_select("SELECT s.city FROM S3Object s", "csv", "USE")


def test_a_where_that_is_not_boolean_keeps_no_row():
    assert run("SELECT * FROM S3Object s WHERE s._1", CSV) == []
    parquet = pa.record_batch([pa.array([1, None])], names=["n"])
    assert run("SELECT * FROM S3Object s WHERE s.n", parquet, kind="parquet") == []


WORDS = [
    "SELECT", "*", "FROM", "S3Object", "s", "WHERE", "s._1", "s._2", "s.name", "(", ")", ",",
    "=", "<>", "<", ">=", "+", "-", "/", "%", "||", "AND", "OR", "NOT", "LIKE", "'a%'",
    "ESCAPE", "'!'", "BETWEEN", "IN", "IS", "NULL", "MISSING", "TRUE", "CASE", "WHEN", "THEN",
    "ELSE", "END", "CAST", "AS", "INT", "STRING", "TIMESTAMP", "COUNT", "SUM", "MAX", "LOWER",
    "TRIM", "LEADING", "SUBSTRING", "FOR", "EXTRACT", "YEAR", "DATE_ADD", "day", "TO_STRING",
    "COALESCE", "NULLIF", "LIMIT", "1", "0", "2.5", "'x'", "`2010T`", "[", "]", "[*]", ".",
    '"Q"', "1e3", "s.a[0]", "s.a[*].b", "GROUP", "BY", "JOIN",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    prefix=st.sampled_from(["", "SELECT * FROM S3Object s WHERE ", "SELECT "]),
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=12),
)
def test_any_statement_is_answered_or_refused_with_an_aws_error(prefix, words):
    sql = prefix + " ".join(words)
    json_records = [{"_1": 1, "name": "x", "a": [{"b": 1}]}, {"a": None}, 5, [1, 2]]
    for kind, batch in (("csv", CSV), ("json", json_records)):
        try:
            for _ in compile_select(sql, kind).run([batch]):
                pass
        except SelectError as err:
            assert err.status == 400 and err.code and err.message


def test_absurd_nesting_is_refused_not_crashed():
    sql = "SELECT " + "(" * 5000 + "1" + ")" * 5000 + " FROM S3Object"
    with pytest.raises(SelectError) as err:
        compile_select(sql, "csv")
    assert err.value.code == "ParseUnsupportedSyntax"
    deep = "SELECT " + "NOT " * 3000 + "TRUE FROM S3Object"
    with pytest.raises(SelectError):
        compile_select(deep, "csv")
