"""The filter-pattern table: patterns with the sample events each matches, every row naming the
AWS documentation page it comes from (the user guide's examples, its sample events where it
gives them). Used by test_logs_filter_patterns_table.py through the pure matcher and through
TestMetricFilter on a real server.

A row is (page, pattern, names of the samples of its group that match, in sample order).
"""

from __future__ import annotations

_GUIDE = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/"
SYNTAX = _GUIDE + "FilterAndPatternSyntax.html"
UNSTRUCTURED = SYNTAX + "#matching-terms-events (unstructured log events)"
REGEX = _GUIDE + "regex-expressions.html"
JSON = _GUIDE + "matching-terms-json-log-events.html"
SPACE = SYNTAX + "#extract-log-event-values (space-delimited log events)"

UNSTRUCTURED_SAMPLES = {
    "u1": "[ERROR 400] BAD REQUEST",
    "u2": "[ERROR 401] UNAUTHORIZED REQUEST",
    "u3": "[ERROR 419] MISSING ARGUMENTS",
    "u4": "[ERROR 420] INVALID ARGUMENTS",
    "u5": "[SUCCESS 200] AUTHORIZED REQUEST",
    "u6": "[WARN] Failed to process the request",
    "u7": "Exiting with ERRORCODE: -1",
    "u8": "ERROR WARN message",
    "u9": "ERROR message",
    "u10": "WARN message",
    "u11": "[ERROR] Unable to continue: Failed to process the request",
    "u12": "user=alice@example.com action=login",
    "u13": "[ERROR 500] INTERNAL SERVER ERROR",
}

JSON_SAMPLES = {
    "j1": '{"eventType": "UpdateTrail", "sourceIPAddress": "111.111.111.111", "arrayKey": ["value", '
          '"another value"], "objectList": [{"name": "a", "id": 1}, {"name": "b", "id": 2}], '
          '"SomeObject": null, "ThisFlag": true}',
    "j2": '{"user": {"id": 1, "email": "John.Stiles@example.com"}, "users": [{"id": 2, "email": '
          '"John.Doe@example.com"}, {"id": 3, "email": "Jane.Doe@example.com"}], "actions": ["GET", '
          '"PUT", "DELETE"], "coordinates": [[0, 1, 2], [4, 5, 6], [7, 8, 9]]}',
    "j3": '{"level": "ERROR", "latency": 150, "status": 500, "message": "db timeout", "retry": false, '
          '"eventName": "PutEvent"}',
    "j4": '{"level": "INFO", "latency": 20, "status": 200, "message": "ok", "retry": true, '
          '"requestId": "abc-123", "eventName": "GetEvent"}',
    "j5": '{"eventType": "DeleteTrail", "sourceIPAddress": "123.123.0.7", "errorCode": "AccessDenied", '
          '"ThisFlag": false, "SomeObject": {"a": 1}, "eventName": "EventId"}',
    "j6": '{"users": [1, 2, 3]}',
    "j7": '{"foo": "bar"}',
    "j8": '{"foo": "baz"}',
    "j9": "level=ERROR latency=150",
}

SPACE_SAMPLES = {
    "s1": '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534',
    "s2": '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324',
    "s3": '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /index.html HTTP/1.0" 404 4355',
    "s4": '10.0.0.5 - jane [10/Oct/2000:14:00:00 -0700] "POST /login HTTP/1.1" 403 812',
    "w1": "ERROR WARN message",
    "w2": "ERROR message",
    "w3": "WARN message",
}

_ERRORS = "u1 u2 u3 u4 u7 u8 u9 u11 u13"
_ALL_U = " ".join(UNSTRUCTURED_SAMPLES)
_ALL_JSON = "j1 j2 j3 j4 j5 j6 j7 j8"

UNSTRUCTURED_ROWS = [
    (UNSTRUCTURED, "ERROR", _ERRORS),
    (UNSTRUCTURED, "ERROR ARGUMENTS", "u3 u4"),
    (UNSTRUCTURED, "?ERROR ?ARGUMENTS", _ERRORS),
    (UNSTRUCTURED, '"INTERNAL SERVER ERROR"', "u13"),
    (UNSTRUCTURED, "ERROR -ARGUMENTS", "u1 u2 u7 u8 u9 u11 u13"),
    (UNSTRUCTURED, '" "', _ALL_U),
    (UNSTRUCTURED, "", _ALL_U),
    (UNSTRUCTURED, "AUTHORIZED", "u2 u5"),
    (UNSTRUCTURED, "UNAUTHORIZED", "u2"),
    (UNSTRUCTURED, '"ERROR" - "Exiting"', "u1 u2 u3 u4 u8 u9 u11 u13"),
    (UNSTRUCTURED, "Failed to process the request", "u6 u11"),
    (UNSTRUCTURED, "?ERROR ?WARN", "u1 u2 u3 u4 u6 u7 u8 u9 u10 u11 u13"),
    (UNSTRUCTURED, "ERROR WARN", "u8"),
    (UNSTRUCTURED, "ERROR -WARN", "u1 u2 u3 u4 u7 u9 u11 u13"),
    (UNSTRUCTURED, "error", ""),
    (UNSTRUCTURED, "-ERROR", "u5 u6 u10 u12"),
    (UNSTRUCTURED, '-"ERROR"', "u5 u6 u10 u12"),
    (UNSTRUCTURED, "REQUEST -UNAUTHORIZED", "u1 u5"),
    (UNSTRUCTURED, '"ERROR 40"', "u1 u2"),
    (UNSTRUCTURED, '"[ERROR"', "u1 u2 u3 u4 u11 u13"),
    (UNSTRUCTURED, '"alice@example.com"', "u12"),
    (UNSTRUCTURED, "ERRORCODE", "u7"),
    (UNSTRUCTURED, '"ERRORCODE: -1"', "u7"),
    (UNSTRUCTURED, "BAD REQUEST", "u1"),
    (UNSTRUCTURED, "?BAD ?MISSING ?INVALID", "u1 u3 u4"),
    (UNSTRUCTURED, "request", "u6 u11"),
    (UNSTRUCTURED, '"to continue:"', "u11"),
    (REGEX, "%AUTHORIZED%", "u2 u5"),
    (REGEX, "%[Ee]rror|[Ff]ail%", "u6 u11"),
    (REGEX, "%^\\[ERROR.4%", "u1 u2 u3 u4"),
    (REGEX, "%REQUEST$%", "u1 u2 u5"),
    (REGEX, "%4[0-9]{2}%", "u1 u2 u3 u4"),
    (REGEX, "%ARGU?MENTS%", "u3 u4"),
    (REGEX, "%[0-9]{3}\\]%", "u1 u2 u3 u4 u5 u13"),
    (REGEX, "ERROR %4[12][0-9]%", "u3 u4"),
    (REGEX, "?%SUCCESS% ?%WARN%", "u5 u6 u8 u10"),
    (REGEX, "%^ERROR%", "u8 u9"),
    (REGEX, "%message$%", "u8 u9 u10"),
    (REGEX, "%@example\\.com%", "u12"),
    (REGEX, "%user=[a-z]+%", "u12"),
    (REGEX, "%UN|IN%", "u2 u3 u4 u13"),
    (REGEX, "%ERRORCODE:%", "u7"),
    (REGEX, "%E+RROR%", _ERRORS),
    (REGEX, "%[a-z]*ogin$%", "u12"),
]

JSON_ROWS = [
    (JSON, '{ $.eventType = "UpdateTrail" }', "j1"),
    (JSON, "{ $.eventType = UpdateTrail }", "j1"),
    (JSON, "{ $.sourceIPAddress != 123.123.* }", "j1"),
    (JSON, "{ $.sourceIPAddress = 123.123.* }", "j5"),
    (JSON, '{ $.arrayKey[0] = "value" }', "j1"),
    (JSON, '{ $.arrayKey[1] = "another value" }', "j1"),
    (JSON, "{ $.objectList[1].id = 2 }", "j1"),
    (JSON, '{ $.objectList[0].name = "a" }', "j1"),
    (JSON, "{ $.SomeObject IS NULL }", "j1"),
    (JSON, "{ $.SomeOtherObject NOT EXISTS }", _ALL_JSON),
    (JSON, "{ $.ThisFlag IS TRUE }", "j1"),
    (JSON, "{ $.ThisFlag IS FALSE }", "j5"),
    (JSON, '{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', "j2"),
    (JSON, '{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', ""),
    (JSON, '{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && '
           '$.actions[2] = nomatch }', "j2"),
    (JSON, '{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && '
           '$.actions[2] = nomatch }', ""),
    (JSON, "{ $.users = 1 }", ""),
    (JSON, "{ $.users != 1 }", ""),
    (JSON, "{ $.latency >= 100 }", "j3"),
    (JSON, "{ $.latency < 100 }", "j4"),
    (JSON, "{ $.latency > +100 }", "j3"),
    (JSON, "{ $.status = 500 }", "j3"),
    (JSON, "{ $.status != 500 }", "j4"),
    (JSON, "{ $.latency <= 20 }", "j4"),
    (JSON, "{ $.latency > 1e1 }", "j3 j4"),
    (JSON, "{ $.latency < 10e-3 }", ""),
    (JSON, "{ $.latency <= 55.5 }", "j4"),
    (JSON, "{ $.foo = bar }", "j7"),
    (JSON, "{ $.foo = baz }", "j8"),
    (JSON, "{ $.foo = bar || $.foo = baz }", "j7 j8"),
    (JSON, "{ $.eventName = *Event }", "j3 j4"),
    (JSON, "{ $.eventName = Event* }", "j5"),
    (JSON, '{ $.eventName = "Ev*ent" }', ""),
    (JSON, '{ $.level = "ERROR" && $.latency > 100 }', "j3"),
    (JSON, '{ $.level = "ERROR" || $.level = "INFO" }', "j3 j4"),
    (JSON, "{ $.retry IS TRUE }", "j4"),
    (JSON, "{ $.retry IS FALSE }", "j3"),
    (JSON, "{ $.level = * }", "j3 j4"),
    (JSON, "{ $.latency = * }", "j3 j4"),
    (JSON, '{ $.actions[*] = "PUT" }', "j2"),
    (JSON, "{ $.users[*].id = 3 }", "j2"),
    (JSON, "{ $.level = %ERR% }", "j3"),
    (JSON, "{ $.message = %time% }", "j3"),
    (JSON, "{ $.requestId = %^abc-[0-9]+$% }", "j4"),
    (JSON, '{ $.errorCode = "AccessDenied" }', "j5"),
    (JSON, '{ $.errorCode = "*Denied" }', "j5"),
    (JSON, '{ ($.level = "ERROR") && ($.status = 500) }', "j3"),
    (JSON, "{ $.coordinates[1][2] = 6 }", "j2"),
    (JSON, "{ $.user.id = 1 }", "j2"),
    (JSON, "{ $.user NOT EXISTS }", "j1 j3 j4 j5 j6 j7 j8"),
    (JSON, '{ $.eventType = "UpdateTrail" && $.ThisFlag IS TRUE }', "j1"),
    (JSON, '{ $.level != "ERROR" }', "j4"),
    (JSON, "{ $.SomeObject NOT EXISTS }", "j2 j3 j4 j6 j7 j8"),
    (JSON, "{$.foo=bar}", "j7"),
]

SPACE_ROWS = [
    (SPACE, "[ip, user, username, timestamp, request, status_code, bytes]", "s1 s2 s3 s4"),
    (SPACE, "[..., status_code, bytes]", "s1 s2 s3 s4 w1 w2 w3"),
    (SPACE, "[ip, user, ..., status_code, bytes]", "s1 s2 s3 s4"),
    (SPACE, "[ip, user, ...]", "s1 s2 s3 s4 w1 w2 w3"),
    (SPACE, "[ip, user, username, timestamp, request, status_code, bytes > 1000]", "s1 s2 s3"),
    (SPACE, "[ip, user, username, timestamp, request, status_code = 200, bytes]", "s1"),
    (SPACE, "[ip, user, username, timestamp, request, status_code = 4*, bytes]", "s3 s4"),
    (SPACE, "[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]", "s3"),
    (SPACE, "[ip, user, username, timestamp, request, status_code = 4* && status_code != 403, bytes]", "s3"),
    (SPACE, "[w1=ERROR, w2]", "w2"),
    (SPACE, "[w1=ERROR || w1=WARN, w2]", "w2 w3"),
    (SPACE, "[..., request=*.html*, status_code=4*,]", "s3"),
    (SPACE, "[ip = 127.0.0.1, ...]", "s1 s2 s3"),
    (SPACE, "[ip != 127.0.0.1, ...]", "s4 w1 w2 w3"),
    (SPACE, "[..., status_code >= 400, bytes]", "s2 s3 s4"),
    (SPACE, "[..., status_code < 300, bytes]", "s1"),
    (SPACE, "[ip, user, username = frank, ...]", "s1 s2 s3"),
    (SPACE, "[ip, user, username = j*, ...]", "s4"),
    (SPACE, '[ip, user, username, timestamp = "10/Oct/2000:14*", ...]', "s4"),
    (SPACE, '[ip, user, username, timestamp, request = "POST *", ...]', "s4"),
    (SPACE, "[ip, user, username, timestamp, request = %^GET%, ...]", "s1 s2 s3"),
    (SPACE, "[..., status_code = %^5%, bytes]", "s2"),
    (SPACE, "[ip, user, username, timestamp, request, status_code, bytes, extra]", ""),
    (SPACE, "[a, b, c]", "w1"),
    (SPACE, "[a, b]", "w2 w3"),
    (SPACE, "[level = WARN, ...]", "w3"),
    (SPACE, "[..., last = message]", "w1 w2 w3"),
    (SPACE, "[..., bytes = 812]", "s4"),
    (SPACE, "[ip, user, username, timestamp, request, status_code, bytes != 812]", "s1 s2 s3"),
    (SPACE, "[ip, user, username, timestamp, request, status_code = 5* || status_code = 403, bytes]", "s2 s4"),
    (SPACE, "[ip, ..., bytes > 5000]", "s2"),
    (SPACE, "[ip, user, username, timestamp, request, status_code = 200 || status_code = 404, bytes < 5000]",
     "s1 s3"),
]

GROUPS = (
    ("unstructured", UNSTRUCTURED_SAMPLES, UNSTRUCTURED_ROWS),
    ("json", JSON_SAMPLES, JSON_ROWS),
    ("space", SPACE_SAMPLES, SPACE_ROWS),
)


def table() -> list[tuple[str, str, dict[str, str], str, list[str]]]:
    """Every row as (group, page, samples, pattern, expected sample names)."""
    rows = []
    for group, samples, group_rows in GROUPS:
        for page, pattern, expected in group_rows:
            rows.append((group, page, samples, pattern, expected.split()))
    return rows


# Patterns AWS refuses, with its message (InvalidParameterException).
INVALID = [
    (UNSTRUCTURED, "Status: timeout", "Invalid character(s) in term ':'"),
    (UNSTRUCTURED, "user@example.com", "Invalid character(s) in term '@'"),
    (UNSTRUCTURED, "ERROR*", "Invalid character(s) in term '*'"),
    (UNSTRUCTURED, "(ERROR)", "Invalid character(s) in term '('"),
    (UNSTRUCTURED, '"unterminated', "Invalid filter pattern"),
    (REGEX, "%something!%", "Invalid character(s) in term '!'"),
    (REGEX, "%(a|b)%", "Invalid character(s) in term '('"),
    (REGEX, "%a b%", "Invalid character(s) in term ' '"),
    (REGEX, "%a% %b% %c%", "Invalid filter pattern"),
    (REGEX, "%%", "Invalid filter pattern"),
    (JSON, "{ $.a = 1", "If a filter pattern starts with '{' it must end with '}'"),
    (JSON, '{ $."sc-status" = 5* }', "Invalid character(s) in term '$.\"'"),
    (JSON, "{ $.latency > abc }", "Invalid filter pattern"),
    (JSON, "{ }", "Invalid filter pattern"),
    (JSON, "{ $.a = 1 && }", "Invalid filter pattern"),
    (JSON, "{ ($.a = 1 }", "Invalid filter pattern"),
    (SPACE, "[a, b", "If a filter pattern starts with '[' it must end with ']'"),
    (SPACE, "[ip, user, username, timestamp, request, status_code = 4* && bytes > 1000]", "Invalid filter pattern"),
    (SPACE, "[]", "Invalid filter pattern"),
]
