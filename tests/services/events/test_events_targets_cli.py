"""The AWS CLI's examples for targets (awscli/examples/events/put-targets.rst,
list-targets-by-rule.rst, list-rule-names-by-target.rst, remove-targets.rst) against Overcast."""

from __future__ import annotations

ACCOUNT = "000000000000"
FUNCTION = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:MyFunctionName"
STREAM_1 = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/MyStream1"
STREAM_2 = f"arn:aws:kinesis:us-east-1:{ACCOUNT}:stream/MyStream2"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/MyRoleToAccessLambda"


def test_cli_examples(aws_cli):
    aws_cli("events", "put-rule", "--name", "DailyLambdaFunction", "--schedule-expression", "cron(0 9 * * ? *)")
    answer = aws_cli("events", "put-targets", "--rule", "DailyLambdaFunction",
                     "--targets", f"Id=1,Arn={FUNCTION}")
    assert answer == {"FailedEntryCount": 0, "FailedEntries": []}
    aws_cli("events", "put-targets", "--rule", "DailyLambdaFunction", "--targets",
            f"Id=Target1,Arn={STREAM_1},RoleArn={ROLE}", f"Id=Target2,Arn={STREAM_2},RoleArn={ROLE}")
    listed = aws_cli("events", "list-targets-by-rule", "--rule", "DailyLambdaFunction")
    assert listed["Targets"] == [{"Id": "1", "Arn": FUNCTION},
                                 {"Id": "Target1", "Arn": STREAM_1, "RoleArn": ROLE},
                                 {"Id": "Target2", "Arn": STREAM_2, "RoleArn": ROLE}]
    assert aws_cli("events", "list-rule-names-by-target", "--target-arn", FUNCTION) == {
        "RuleNames": ["DailyLambdaFunction"]}
    aws_cli("events", "remove-targets", "--rule", "DailyLambdaFunction", "--ids", "Target1")
    listed = aws_cli("events", "list-targets-by-rule", "--rule", "DailyLambdaFunction")
    assert [target["Id"] for target in listed["Targets"]] == ["1", "Target2"]


def test_cli_input_json_error(aws_cli):
    """The aws-cli issue 6711 case: an Input that is not JSON text."""
    aws_cli("events", "put-rule", "--name", "rule_my_fct", "--event-pattern", '{"source": ["my.app"]}')
    result = aws_cli("events", "put-targets", "--rule", "rule_my_fct", "--targets",
                     f"Id=1,Arn={FUNCTION},Input=env:dev", check=False)
    assert result.returncode != 0
    assert ("An error occurred (ValidationException) when calling the PutTargets operation: JSON syntax error in "
            'input for target 1: [Source: (String)"env:dev"; line: 1, column: 4]') in result.stderr
