"""The S3 Select SQL engine: AWS's S3 Select dialect over CSV, JSON and Parquet records.

This package is the whole contract between the engine and the SelectObjectContent operation
(which reads the object, turns it into batches, and writes the records it gets back):

``compile_select(expression, input_kind, csv_header_info=None) -> SelectQuery``
    ``input_kind`` is ``"csv"``, ``"json"`` or ``"parquet"``. Parses and checks the SQL
    up front; raises ``SelectError`` (AWS's code and message, line and column where AWS
    gives them) on bad or unsupported SQL. With ``csv_header_info`` ``"NONE"`` or
    ``"IGNORE"`` it also refuses, before any byte is read, a column named other than
    ``_N`` (InvalidColumnIndex, as AWS does); without it that error comes from ``run``.

``SelectQuery.run(batches, header=None) -> Iterator[list[Record]]``
    ``batches`` is an iterable of:
      * csv: ``pyarrow.RecordBatch`` of string columns (never null: an empty field is "").
        Column names are the header names when FileHeaderInfo=USE, else ``_1`` .. ``_N``.
        With USE headers pass ``header=[...]`` (the header names, in file order) so that
        positional ``_N`` references still resolve to the N-th column.
      * parquet: ``pyarrow.RecordBatch`` with its typed columns.
      * json: a ``list`` of Python objects (usually dicts), one per record; for JSON
        DOCUMENT each top-level document is one object (the FROM path ``S3Object[*].a``
        is applied by the engine).
    Yields batches of output records as they are ready (results are streamed, never held
    whole): over CSV and Parquet a ``columns.RecordColumns`` (the batch column by column,
    for the columnar writers; iterating it gives its records), over JSON a list of records.
    A Record is a list of ``(name, value)`` pairs in SELECT order; names are AWS's
    output names (the alias, else the column / last path step, else ``_1``, ``_2`` ... by
    position). Values are None/str/int/float/Decimal/bool/datetime/dict/list, or
    ``MISSING`` for an absent JSON path (JSON writer: omit the field; CSV writer: empty).
    Timestamps the engine makes are ``timestamps.Timestamp`` (a datetime that keeps the
    precision of its Ion text); ``timestamps.format_ion`` writes any datetime as AWS does.
    ``SELECT *`` over JSON yields the record's own items (a non-dict record as ``_1``).
    Aggregate queries yield one record after the last batch. With LIMIT the engine stops
    consuming ``batches`` as soon as it has enough. Evaluation errors raise ``SelectError``.

``SelectQuery.columns_needed``  (alias ``bytes_needed_hint``)
    The set of column names the query reads as written in it, or None when it needs every
    column (``SELECT *``). ``SelectQuery.columns_for(names)`` resolves that set against the
    actual column names of the input (case-insensitive for unquoted names, ``_N`` by
    position) and returns the list of real names to read (or None for all), for the
    Parquet reader's column projection.

``SelectError(code, message, status=400)`` and ``MISSING`` are exported.

Semantics worth knowing (as AWS answers): CSV fields are text and are never read as numbers
implicitly (``CAST`` them): text equals no number, and ordering text against a number, summing
it or using it in arithmetic is ``ExternalEvalException``. Parse errors name the token's type
with its value withheld (``Unexpected token found KEYWORD:UNKNOWN at line 1, column 61.``).

Layout: lexer, parser + function_syntax (-> nodes), planner (checks, names, the batch loop),
rowwise (the per-record reference evaluator), vectorized + vector_values + vector_forms
(pyarrow.compute over a batch, falling back to rowwise per batch), casts, functions,
time_format, timestamps, ion_literals, paths, binding, aggregates.
"""

from .errors import SelectError
from .missing import MISSING
from .query import SelectQuery, compile_select

__all__ = ["MISSING", "SelectError", "SelectQuery", "compile_select"]
