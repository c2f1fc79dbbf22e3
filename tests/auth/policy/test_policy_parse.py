"""parse_policy: every MalformedPolicyDocument text IAM answers, and what it accepts."""

import json

import pytest

from overcast.auth.policy import PolicyDocumentError, parse_policy, policy_size


def doc(*statements, version="2012-10-17", **top):
    body = {"Statement": list(statements) if len(statements) != 1 else statements[0], **top}
    if version is not None:
        body = {"Version": version, **body}
    return json.dumps(body)


ALLOW_ALL = {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
TRUST = {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}


def message(text, kind="identity"):
    with pytest.raises(PolicyDocumentError) as caught:
        parse_policy(text, kind)
    return caught.value.message


@pytest.mark.parametrize("text", [
    "", "{", "[]", '"x"', "null", doc(ALLOW_ALL) + "x", doc(ALLOW_ALL) + "{}",
    '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": NaN}}',
    '{"Version": "2012-10-17", "Version": "2012-10-17", "Statement": []}',
    doc(ALLOW_ALL, Foo="bar"),
    doc(ALLOW_ALL, version="2020-01-01"),
    doc(ALLOW_ALL, Id=5),
    json.dumps({"Version": "2012-10-17"}),
    json.dumps({"Version": "2012-10-17", "Statement": []}),
    json.dumps({"Version": "2012-10-17", "Statement": "x"}),
    doc({**ALLOW_ALL, "Foo": 1}),
    doc({"Action": "s3:*", "Resource": "*"}),
    doc({**ALLOW_ALL, "Effect": "Maybe"}),
    doc({**ALLOW_ALL, "Effect": True}),
    doc({**ALLOW_ALL, "NotAction": "s3:*"}),
    doc({**ALLOW_ALL, "NotResource": "*"}),
    doc({**ALLOW_ALL, "Action": 5}),
    doc({**ALLOW_ALL, "Resource": ["*", 1]}),
    doc({**ALLOW_ALL, "Sid": 1}),
    doc({**ALLOW_ALL, "Condition": []}),
    doc({**ALLOW_ALL, "Condition": {"StringEquals": "x"}}),
    doc({**ALLOW_ALL, "Condition": {"StringEquals": {"aws:username": {"a": 1}}}}),
    doc({**ALLOW_ALL, "Condition": {"StringSortOf": {"aws:username": "a"}}}),
])
def test_syntax_errors(text):
    assert message(text) == "Syntax errors in policy."


def test_whitespace_around_document_is_fine():
    policy = parse_policy("\n  " + doc(ALLOW_ALL) + "\n\t ", "identity")
    assert policy.version == "2012-10-17"


def test_statement_object_or_list_and_absent_version():
    policy = parse_policy(doc(ALLOW_ALL, {**ALLOW_ALL, "Sid": "Two"}, version=None), "identity")
    assert policy.version == "2008-10-17" and not policy.variables_enabled
    assert [s.sid for s in policy.statements] == [None, "Two"]


def test_managed_policy_needs_2012_version():
    assert message(doc(ALLOW_ALL, version=None), "managed") == (
        "Policy document must be version 2012-10-17 or greater.")
    assert message(doc(ALLOW_ALL, version="2008-10-17"), "managed") == (
        "Policy document must be version 2012-10-17 or greater.")
    parse_policy(doc(ALLOW_ALL, version=None), "identity")


@pytest.mark.parametrize("kind", ["identity", "managed", "boundary", "session"])
def test_principal_in_identity_policy(kind):
    text = doc({**ALLOW_ALL, "Principal": {"AWS": "123456789012"}})
    assert message(text, kind) == "Policy document should not specify a principal."


def test_legacy_parsing_lower_case_effect_and_bad_dates():
    assert message(doc({**ALLOW_ALL, "Effect": "allow"})) == "The policy failed legacy parsing"
    bad_date = {**ALLOW_ALL, "Condition": {"DateGreaterThan": {"aws:CurrentTime": "yesterday"}}}
    assert message(doc(bad_date)) == "The policy failed legacy parsing"
    assert message(doc({**ALLOW_ALL, "Resource": "arn:aws:s3::bucket"})) == (
        "The policy failed legacy parsing")


def test_duplicate_sids():
    text = doc({**ALLOW_ALL, "Sid": "A"}, {**ALLOW_ALL, "Sid": "A"})
    assert message(text) == "Statement IDs (SID) in a single policy must be unique."


def test_sid_must_be_alphanumeric_in_iam_but_not_in_resource_policies():
    assert message(doc({**ALLOW_ALL, "Sid": "my sid"})).startswith(
        "Statement IDs (SID) must be alpha-numeric.")
    bucket = {**ALLOW_ALL, "Sid": "Allow-Get 1", "Principal": "*"}
    assert parse_policy(doc(bucket), "resource").statements[0].sid == "Allow-Get 1"


def test_actions_required():
    assert message(doc({"Effect": "Allow", "Resource": "*"})) == "Policy statement must contain actions."
    assert message(doc({**ALLOW_ALL, "Action": []})) == "Policy statement must contain actions."


@pytest.mark.parametrize("action,text", [
    ("GetObject", "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."),
    ("s3:Get:Object", "Actions/Condition can contain only one colon."),
    ("s 3:GetObject", "Vendor s 3 is not valid"),
])
def test_action_format(action, text):
    assert message(doc({**ALLOW_ALL, "Action": action})) == text


def test_resources_required():
    assert message(doc({"Effect": "Allow", "Action": "s3:*"})) == "Policy statement must contain resources."
    assert message(doc({**ALLOW_ALL, "Resource": []})) == "Policy statement must contain resources."


@pytest.mark.parametrize("resource,text", [
    ("bucket", 'Resource bucket must be in ARN format or "*".'),
    ("arn:aws", "Resource vendor must be fully qualified and cannot contain regexes."),
    ("arn:aws:s3*:::b", "Resource vendor must be fully qualified and cannot contain regexes."),
    ("arn:foo:s3:::b", 'Partition "foo" is not valid for resource "arn:foo:s3:::b".'),
    ("arn:aws:iam:us-east-1:123456789012:user/x",
     "IAM resource arn:aws:iam:us-east-1:123456789012:user/x cannot contain region information."),
    ("arn:aws:s3:us-east-1::b", "Resource arn:aws:s3:us-east-1::b can not contain region information."),
])
def test_resource_format(resource, text):
    assert message(doc({**ALLOW_ALL, "Resource": resource})) == text


def test_iam_resource_path():
    text = message(doc({**ALLOW_ALL, "Resource": "arn:aws:iam::123456789012:bob"}))
    assert text.startswith('IAM resource path must either be "*" or start with user/, ')
    parse_policy(doc({**ALLOW_ALL, "Resource": "arn:aws:iam::123456789012:user/*"}), "identity")


def test_trust_policy_rules():
    parse_policy(doc(TRUST), "trust")
    assert message('{"Version": "2012-10-17",}', "trust") == "This policy contains invalid Json"
    assert message("AWSLambdaBasicExecutionRole", "trust") == "This policy contains invalid Json"
    no_principal = {k: v for k, v in TRUST.items() if k != "Principal"}
    assert message(doc(no_principal), "trust") == "Missing required field Principal"
    assert message(doc({**TRUST, "Resource": "*"}), "trust") == "Has prohibited field Resource"
    assert message(doc({**TRUST, "Action": "s3:GetObject"}), "trust") == (
        "AssumeRole policy may only specify STS AssumeRole actions.")


@pytest.mark.parametrize("principal,text", [
    ({"AWS": "bob"}, 'Invalid principal in policy: "AWS":"bob"'),
    ({"AWS": ["123456789012", "arn:aws:iam::12345:root"]},
     'Invalid principal in policy: "AWS":"arn:aws:iam::12345:root"'),
    ({"Service": "not a service"}, 'Invalid principal in policy: "SERVICE":"not a service"'),
    ({"Federated": "arn:aws:iam::123456789012:user/x"},
     'Invalid principal in policy: "FEDERATED":"arn:aws:iam::123456789012:user/x"'),
    ({"Nobody": "x"}, "Invalid principal in policy"),
    ("arn:aws:iam::123456789012:root", "Invalid principal in policy"),
])
def test_invalid_principals(principal, text):
    assert message(doc({**TRUST, "Principal": principal}), "trust") == text


@pytest.mark.parametrize("principal", [
    "*", {"AWS": "*"}, {"AWS": "123456789012"}, {"AWS": "arn:aws:iam::123456789012:root"},
    {"AWS": "arn:aws:iam::123456789012:user/path/alice"}, {"AWS": "arn:aws:iam::123456789012:role/r"},
    {"AWS": "arn:aws:sts::123456789012:assumed-role/r/session"},
    {"AWS": "AIDACKCEVSQ6C2EXAMPLE"},
    {"Service": ["ec2.amazonaws.com", "lambda.amazonaws.com"]},
    {"Federated": "accounts.google.com"},
    {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.example.com"},
    {"CanonicalUser": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"},
])
def test_valid_principals(principal):
    parse_policy(doc({**TRUST, "Principal": principal}), "trust")


def test_resource_policy_needs_principal_and_resource():
    statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                 "Resource": "arn:aws:s3:::b/*"}
    policy = parse_policy(doc(statement), "resource", source="bucket policy")
    assert policy.source == "bucket policy" and policy.statements[0].principal.wildcard
    missing = {k: v for k, v in statement.items() if k != "Principal"}
    assert message(doc(missing), "resource") == "Missing required field Principal"
    assert message(doc({**statement, "Resource": []}), "resource") == (
        "Policy statement must contain resources.")


def test_condition_values_normalised_to_strings():
    statement = {**ALLOW_ALL, "Condition": {
        "Bool": {"aws:SecureTransport": False}, "NumericLessThan": {"s3:max-keys": [10, 2.5]}}}
    conditions = parse_policy(doc(statement), "identity").statements[0].conditions
    assert [(c.operator, c.key, c.values) for c in conditions] == [
        ("Bool", "aws:SecureTransport", ("false",)),
        ("NumericLessThan", "s3:max-keys", ("10", "2.5")),
    ]


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_policy(doc(ALLOW_ALL), "policy")


def test_policy_size_ignores_whitespace():
    assert policy_size('{ "a" :\n\t"b c" }') == 10


def test_resource_policies_are_read_leniently():
    """S3 and SQS check their own documents; the engine reads whatever they stored."""
    statement = {"Sid": "Queue1_Send Message", "Effect": "deny", "Principal": {
        "AWS": "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL"},
        "Action": "SendMessage", "Resource": "queue1",
        "Condition": {"DateLessThan": {"aws:CurrentTime": "whenever"}}}
    policy = parse_policy(doc(statement, {**statement}), "resource")
    assert policy.statements[0].effect == "Deny"
    identity = {k: v for k, v in statement.items() if k not in ("Principal", "Sid")}
    assert message(doc(identity), "identity") == "The policy failed legacy parsing"


def test_duplicate_keys_refused_by_iam_read_by_resource_owners():
    text = ('{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Effect": "Deny", '
            '"Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}')
    assert message(text.replace('"Principal": "*", ', ""), "identity") == "Syntax errors in policy."
    assert parse_policy(text, "resource").statements[0].effect == "Deny"
