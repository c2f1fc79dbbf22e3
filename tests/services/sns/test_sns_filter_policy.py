"""Subscription filter policies through a real server: a table of policies x messages (what
reaches an SQS subscriber), every operator on attributes and on the body, and every error SNS
answers for a bad policy, with its texts and the parser position it names."""

from __future__ import annotations

import itertools
import json

import pytest
from botocore.exceptions import ClientError

_ids = itertools.count(1)


def S(value: str) -> dict:
    return {"DataType": "String", "StringValue": value}


def N(value) -> dict:
    return {"DataType": "Number", "StringValue": str(value)}


def A(*values) -> dict:
    return {"DataType": "String.Array", "StringValue": json.dumps(list(values))}


def B() -> dict:
    return {"DataType": "Binary", "BinaryValue": b"\x00\x01"}


# (policy, [(message attributes, delivered?)]) on MessageAttributes
ATTRIBUTE_CASES = [
    ({"color": ["red", "blue"]}, [({"color": S("red")}, True), ({"color": S("green")}, False), ({}, False),
                                  ({"colour": S("red")}, False)]),
    ({"price": [100]}, [({"price": N(100)}, True), ({"price": N("100.000001")}, True), ({"price": S("100")}, False),
                        ({"price": N(101)}, False)]),
    ({"color": ["100"]}, [({"color": S("100")}, True), ({"color": N(100)}, False)]),
    ({"flag": [True]}, [({"flag": A(True)}, True), ({"flag": S("true")}, False)]),
    ({"gone": [None]}, [({}, True), ({"gone": S("x")}, False)]),
    ({"name": [{"prefix": "img-"}]}, [({"name": S("img-1")}, True), ({"name": S("doc-1")}, False),
                                      ({"name": N(1)}, False)]),
    ({"name": [{"suffix": ".jpg"}]}, [({"name": S("a.jpg")}, True), ({"name": S("a.png")}, False)]),
    ({"name": [{"equals-ignore-case": "ReD"}]}, [({"name": S("red")}, True), ({"name": S("RED")}, True),
                                                 ({"name": S("rose")}, False)]),
    ({"state": [{"anything-but": "off"}]}, [({"state": S("on")}, True), ({"state": S("off")}, False),
                                            ({}, False)]),
    ({"state": [{"anything-but": ["off", "broken"]}]}, [({"state": S("on")}, True), ({"state": S("broken")}, False)]),
    ({"level": [{"anything-but": [1, 2]}]}, [({"level": N(3)}, True), ({"level": N(2)}, False)]),
    ({"name": [{"anything-but": {"prefix": "tmp-"}}]}, [({"name": S("keep")}, True), ({"name": S("tmp-1")}, False)]),
    ({"name": [{"anything-but": {"suffix": ".tmp"}}]}, [({"name": S("a.txt")}, True), ({"name": S("a.tmp")}, False)]),
    ({"name": [{"anything-but": {"equals-ignore-case": ["X", "Y"]}}]}, [({"name": S("z")}, True),
                                                                         ({"name": S("x")}, False)]),
    ({"size": [{"numeric": [">", 0, "<=", 5]}]}, [({"size": N(5)}, True), ({"size": N("0.5")}, True),
                                                  ({"size": N(0)}, False), ({"size": N(6)}, False),
                                                  ({"size": S("3")}, False)]),
    ({"size": [{"numeric": ["=", 301.8]}]}, [({"size": N("3.018e2")}, True), ({"size": N(301)}, False)]),
    ({"size": [{"numeric": ["<", 0]}]}, [({"size": N(-1)}, True), ({"size": N(0)}, False)]),
    ({"size": [{"numeric": [">=", 10]}]}, [({"size": N(10)}, True), ({"size": N(9.99999)}, False)]),
    ({"store": [{"exists": True}]}, [({"store": S("x")}, True), ({"store": N(1)}, True), ({}, False)]),
    ({"store": [{"exists": False}]}, [({}, True), ({"store": S("x")}, False), ({"other": S("x")}, True)]),
    ({"source": [{"cidr": "10.0.0.0/24"}]}, [({"source": S("10.0.0.255")}, True), ({"source": S("10.0.1.0")}, False),
                                             ({"source": S("not an address")}, False)]),
    ({"source": [{"cidr": "2001:db8::/32"}]}, [({"source": S("2001:db8::1")}, True), ({"source": S("::1")}, False)]),
    ({"tags": ["a", "b"]}, [({"tags": A("x", "b")}, True), ({"tags": A("x", "y")}, False), ({"tags": A()}, False)]),
    ({"tags": [{"prefix": "v"}]}, [({"tags": A("x", "v2")}, True)]),
    ({"blob": [{"exists": True}]}, [({"blob": B()}, False)]),  # SNS ignores Binary attributes
    ({"color": ["red"], "size": [{"numeric": [">", 5]}]}, [({"color": S("red"), "size": N(6)}, True),
                                                          ({"color": S("red"), "size": N(5)}, False),
                                                          ({"color": S("red")}, False)]),
    ({"$or": [{"color": ["red"]}, {"size": [{"numeric": [">", 5]}]}]},
     [({"color": S("red")}, True), ({"size": N(6)}, True), ({"color": S("blue"), "size": N(1)}, False)]),
    ({"kind": ["a"], "$or": [{"x": ["1"]}, {"y": ["2"]}]},
     [({"kind": S("a"), "y": S("2")}, True), ({"kind": S("b"), "y": S("2")}, False)]),
]

# (policy, [(body, delivered?)]) on MessageBody
BODY_CASES = [
    ({"object": {"key": [{"prefix": "auto-"}]}}, [({"object": {"key": "auto-test"}}, True),
                                                  ({"object": {"key": "manual"}}, False),
                                                  ("not json at all", False), (["an", "array"], False)]),
    ({"object.nested": ["string.value"]}, [({"object": {"nested": "string.value"}}, True)]),
    ({"price": [{"numeric": [">", 10]}], "currency": ["EUR"]},
     [({"price": 11.5, "currency": "EUR"}, True), ({"price": "11.5", "currency": "EUR"}, False),
      ({"price": 11.5, "currency": "USD"}, False)]),
    ({"items": {"name": ["a"], "qty": [2]}},
     [({"items": [{"name": "a", "qty": 2}, {"name": "b", "qty": 1}]}, True),
      ({"items": [{"name": "a", "qty": 1}, {"name": "b", "qty": 2}]}, False)]),  # one element must match both
    ({"tags": ["x"]}, [({"tags": ["w", "x"]}, True), ({"tags": []}, False)]),
    ({"meta": {"deleted": [{"exists": False}]}}, [({"meta": {"id": 1}}, True), ({"meta": {"deleted": True}}, False)]),
    ({"flag": [False], "none": [None]}, [({"flag": False, "none": None}, True), ({"flag": False}, False)]),
    ({"$or": [{"a": {"b": ["1"]}}, {"c": ["2"]}]}, [({"a": {"b": "1"}}, True), ({"c": "2"}, True),
                                                    ({"a": {"b": "2"}}, False)]),
]


def _subscribed_queue(sns, sqs, queue, topic_arn: str, policy: dict, scope: str) -> str:
    url, arn = queue()
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
        "Resource": arn, "Condition": {"ArnEquals": {"aws:SourceArn": topic_arn}}}]})})
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn, Attributes={
        "RawMessageDelivery": "true", "FilterPolicy": json.dumps(policy), "FilterPolicyScope": scope})
    return url


def _delivered(sqs, url: str, expected: int) -> set[str]:
    bodies: set[str] = set()
    for attempt in range(20):
        # the first receive always waits: a case that expects nothing must give a wrong
        # delivery the time to arrive
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1 if
                                     attempt == 0 or len(bodies) < expected else 0)
        messages = answer.get("Messages", [])
        bodies.update(m["Body"] for m in messages)
        for m in messages:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        if len(bodies) >= expected and not messages:
            break
    return bodies


@pytest.mark.parametrize("policy,cases", ATTRIBUTE_CASES, ids=[json.dumps(p) for p, _ in ATTRIBUTE_CASES])
def test_attribute_policy_table(sns, sqs, topic, queue, policy, cases):
    topic_arn = topic()
    url = _subscribed_queue(sns, sqs, queue, topic_arn, policy, "MessageAttributes")
    expected = set()
    for attributes, delivered in cases:
        body = f"message-{next(_ids)} {json.dumps(sorted(attributes))}"
        sns.publish(TopicArn=topic_arn, Message=body, MessageAttributes=attributes)
        if delivered:
            expected.add(body)
    assert _delivered(sqs, url, len(expected)) == expected


@pytest.mark.parametrize("policy,cases", BODY_CASES, ids=[json.dumps(p) for p, _ in BODY_CASES])
def test_body_policy_table(sns, sqs, topic, queue, policy, cases):
    topic_arn = topic()
    url = _subscribed_queue(sns, sqs, queue, topic_arn, policy, "MessageBody")
    expected = set()
    for document, delivered in cases:
        body = document if isinstance(document, str) else json.dumps(
            {**document, "_id": next(_ids)} if isinstance(document, dict) else document)
        sns.publish(TopicArn=topic_arn, Message=body)
        if delivered:
            expected.add(body)
    assert _delivered(sqs, url, len(expected)) == expected


def test_changing_the_policy_applies_to_the_next_message(sns, sqs, topic, queue):
    topic_arn = topic()
    url = _subscribed_queue(sns, sqs, queue, topic_arn, {"color": ["red"]}, "MessageAttributes")
    [sub] = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
    sns.set_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"], AttributeName="FilterPolicy",
                                    AttributeValue=json.dumps({"color": ["blue"]}))
    sns.publish(TopicArn=topic_arn, Message="red one", MessageAttributes={"color": S("red")})
    sns.publish(TopicArn=topic_arn, Message="blue one", MessageAttributes={"color": S("blue")})
    assert _delivered(sqs, url, 1) == {"blue one"}
    attributes = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])["Attributes"]
    assert json.loads(attributes["FilterPolicy"]) == {"color": ["blue"]}


# (policy text, the reason SNS gives) — positions as SNS's parser reports them
LOCATED_ERRORS = [
    ('{"key":[["value"]]}', "Match value must be String, number, true, false, or null", 10),
    ('{"key":[{"wrong-operator":true}]}', "Unrecognized match type wrong-operator", 31),
    ('{"key":[{"suffix":"value","prefix":"value2"}]}', "Only one key allowed in match expression", 37),
    ('{"key":[{"suffix":100}]}', "suffix match pattern must be a string", 22),
    ('{"key":[{"suffix":null}]}', "suffix match pattern must be a string", 23),
    ('{"key":{"suffix":"value"}}', '"suffix" must be an object or an array', 19),
    ('{"key":[{"suffix":[]}]}', "suffix match pattern must be a string", 20),
    ('{"key":[{"prefix":["test","test2"]}]}', "prefix match pattern must be a string", 20),
    ('{"key":[{"equals-ignore-case":1}]}', "equals-ignore-case match pattern must be a string", 32),
    ('{"key":{"not-an-operator":"value"}}', '"not-an-operator" must be an object or an array', 28),
    ('{"key":[{"numeric":[]}]}', "Invalid member in numeric match: ]", 22),
    ('{"key":[{"numeric":["operator"]}]}', "Unrecognized numeric range operator: operator", 32),
    ('{"key":[{"numeric":[1,"<="]}]}', "Invalid member in numeric match: 1", 22),
    ('{"key":[{"numeric":["=","000"]}]}', "Value of equals must be numeric", 26),
    ('{"key":[{"numeric":[">="]}]}', "Value of >= must be numeric", 26),
    ('{"key":[{"numeric":["<",100,">",10]}]}', "Too many elements in numeric expression", 30),
    ('{"key":[{"numeric":[">=",1,">",2]}]}', "Bad numeric range operator: >", 31),
    ('{"key":[{"numeric":[">",3,"<",1]}]}', "Bottom must be less than top", 33),
    ('{"key":[{"numeric":[">",20,"<="]}]}', "Value of <= must be numeric", 33),
    ('{"key":[{"numeric":[">",20,30]}]}', "Bad value in numeric range: 30", 30),
    ('{"key":[{"numeric":[">",20,"test"]}]}', "Bad numeric range operator: test", 34),
    ('{"key":[{"numeric":[">","20","<","30"]}]}', "Value of > must be numeric", 26),
    ('{"key":[{"numeric":[">",20,"<","30"]}]}', "Value of < must be numeric", 33),
    ('{"key":[{"numeric":[">",20,"<",30,"<",50]}]}', "Too many terms in numeric range expression", 36),
    ('{"key":[{"exists":null}]}', "exists match pattern must be either true or false.", 23),
    ('{"key":[{"exists":"no"}]}', "exists match pattern must be either true or false.", 20),
    ('{"key_a":"value_one"}', '"key_a" must be an object or an array', 11),
    ('{"key":[]}', "Empty arrays are not allowed", 10),
    ('{"key":{}}', "Empty objects are not allowed", 10),
    ('[1]', "Filter is not an object", 2),
    ('{"key":[{"anything-but":{"wildcard":"x"}}]}', "Unsupported anything-but pattern: wildcard", 38),
    ('{"key":[{"anything-but":[1,"a"]}]}', "Inside anything but list, either all values are number or string, "
     "mixed type is not supported", 32),
    ('{"key":[{"anything-but":{"prefix":""}}]}', "Null prefix/suffix not allowed", 37),
    ('{"$or":[{"a":["1"]}]}', "There must have at least 2 Objects in $or relationship.", 21),
    ('{"$or":{"a":["1"]}}', "It must be an Array followed with $or.", 9),
]


def _policy_error(sns, topic_arn: str, queue_arn: str, text: str, scope: str = "MessageAttributes") -> tuple:
    """(SetSubscriptionAttributes' message, Subscribe's message) for the policy ``text``."""
    sub_arn = sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                            Attributes={"FilterPolicyScope": scope})["SubscriptionArn"]
    with pytest.raises(ClientError) as set_error:
        sns.set_subscription_attributes(SubscriptionArn=sub_arn, AttributeName="FilterPolicy", AttributeValue=text)
    sns.unsubscribe(SubscriptionArn=sub_arn)
    with pytest.raises(ClientError) as subscribe_error:
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                      Attributes={"FilterPolicy": text, "FilterPolicyScope": scope})
    for exc in (set_error, subscribe_error):
        assert exc.value.response["Error"]["Code"] == "InvalidParameter"
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    return set_error.value.response["Error"]["Message"], subscribe_error.value.response["Error"]["Message"]


def test_located_policy_errors(sns, topic, queue):
    topic_arn, (_, queue_arn) = topic(), queue()
    for text, reason, column in LOCATED_ERRORS:
        located = f'FilterPolicy: {reason}\n at [Source: (String)"{text}"; line: 1, column: {column}]'
        assert _policy_error(sns, topic_arn, queue_arn, text) == (
            f"Invalid parameter: {located}", f"Invalid parameter: Attributes Reason: {located}"), text


def test_position_counts_lines_and_long_policies_are_cut(sns, topic, queue):
    topic_arn, (_, queue_arn) = topic(), queue()
    text = '{\n  "key": [\n    ["value"]\n  ]\n}'
    message, _ = _policy_error(sns, topic_arn, queue_arn, text)
    assert message.endswith("; line: 3, column: 6]")
    long_text = '{"key":[' + ",".join(['"v"'] * 200) + ',{"bad":1}]}'
    message, _ = _policy_error(sns, topic_arn, queue_arn, long_text)
    assert f'(String)"{long_text[:500]}"[truncated {len(long_text) - 500} chars]; line: 1' in message


def test_limits(sns, topic, queue):
    topic_arn, (_, queue_arn) = topic(), queue()
    six_keys = json.dumps({f"k{n}": ["v"] for n in range(6)})
    assert _policy_error(sns, topic_arn, queue_arn, six_keys)[0] == (
        "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys")
    too_many_values = json.dumps({"a": [str(n) for n in range(151)]})
    assert _policy_error(sns, topic_arn, queue_arn, too_many_values) == (
        "Invalid parameter: FilterPolicy: Filter policy is too complex",
        "Invalid parameter: Attributes Reason: FilterPolicy: Filter policy is too complex")
    product = json.dumps({"a": [str(n) for n in range(10)], "b": [str(n) for n in range(16)]})  # 160 combinations
    assert _policy_error(sns, topic_arn, queue_arn, product)[0].endswith("Filter policy is too complex")
    with_or = json.dumps({"$or": [{"a": [str(n) for n in range(100)]}, {"b": [str(n) for n in range(51)]}]})
    assert _policy_error(sns, topic_arn, queue_arn, with_or)[0].endswith("Filter policy is too complex")
    # nested keys count their depth: 4 values three deep x 3 values two deep = 72, allowed; 2 more is not
    nested = {"a": {"b": {"c": ["1", "2", "3", "4"]}}, "d": {"e": ["1", "2", "3"]}}
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                  Attributes={"FilterPolicy": json.dumps(nested), "FilterPolicyScope": "MessageBody"})
    nested["d"]["e"] += ["4", "5", "6", "7"]  # 12 x 14 = 168
    other_topic = topic()
    assert _policy_error(sns, other_topic, queue_arn, json.dumps(nested), "MessageBody")[0].endswith(
        "Filter policy is too complex")
    at_limit = json.dumps({"a": ["x" * (256 * 1024 - 11)]})  # 256 KB exactly: allowed
    assert len(at_limit) == 256 * 1024
    sns.subscribe(TopicArn=topic(), Protocol="sqs", Endpoint=queue_arn, Attributes={"FilterPolicy": at_limit})
    over = json.dumps({"a": ["x" * (256 * 1024 - 10)]})
    assert _policy_error(sns, topic(), queue_arn, over)[0] == (
        "Invalid parameter: FilterPolicy: Filter policy is too large")


def test_nested_policies_need_the_body_scope(sns, topic, queue):
    topic_arn, (_, queue_arn) = topic(), queue()
    assert _policy_error(sns, topic_arn, queue_arn, '{"object":{"key":["value"]}}') == (
        "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy",
        "Invalid parameter: Attributes Reason: Filter policy scope MessageAttributes does not support nested "
        "filter policy")


def test_unknown_scope_is_refused(sns, topic, queue):
    topic_arn, (_, queue_arn) = topic(), queue()
    with pytest.raises(ClientError) as exc:
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                      Attributes={"FilterPolicyScope": "RandomValue"})
    assert exc.value.response["Error"]["Message"] == (
        "Invalid parameter: Attributes Reason: FilterPolicyScope: Invalid value [RandomValue]. Please use either "
        "MessageBody or MessageAttributes")
