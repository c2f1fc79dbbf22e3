from conftest import envelope_of


def test_publish_reaches_queue(sns, topic, queue, receive):
    arn = topic()
    url, qarn = queue()
    sub = sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=qarn)["SubscriptionArn"]
    out = sns.publish(TopicArn=arn, Message="hello", Subject="s",
                      MessageAttributes={"a": {"DataType": "String", "StringValue": "v"}})
    got = receive(url, 1)
    assert len(got) == 1, got
    body = envelope_of(got[0])
    print(got[0]["Body"])
    assert body["Message"] == "hello" and body["MessageId"] == out["MessageId"]
    assert sub in body["UnsubscribeURL"]
