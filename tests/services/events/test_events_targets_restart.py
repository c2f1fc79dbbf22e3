"""Targets are durable: a PutTargets that was answered survives kill -9 of the server, and a
RemoveTargets too; the restarted server answers them and delivers to them."""

from __future__ import annotations

import json

from aws_clients import make_client
from dispatch_helpers import allow_events
from events_helpers import drain
from serverproc import ServerProcess

TRANSFORMER = {"InputPathsMap": {"id": "$.detail.id"}, "InputTemplate": '{"order": <id>}'}


def test_targets_survive_kill_9(tmp_path):
    server = ServerProcess(str(tmp_path / "data")).start()
    try:
        sqs, events = make_client(server.endpoint, "sqs"), make_client(server.endpoint, "events")
        url = sqs.create_queue(QueueName="orders")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        rule_arn = events.put_rule(Name="orders", EventPattern='{"source": ["shop"]}')["RuleArn"]
        allow_events(sqs, url, rule_arn)
        events.put_targets(Rule="orders", Targets=[{"Id": "gone", "Arn": arn},
                                                   {"Id": "kept", "Arn": arn, "InputTransformer": TRANSFORMER}])
        events.remove_targets(Rule="orders", Ids=["gone"])
        server.kill()
        server.start()
        sqs, events = make_client(server.endpoint, "sqs"), make_client(server.endpoint, "events")
        assert events.list_targets_by_rule(Rule="orders")["Targets"] == [
            {"Id": "kept", "Arn": arn, "InputTransformer": TRANSFORMER}]
        events.put_events(Entries=[{"Source": "shop", "DetailType": "order", "Detail": json.dumps({"id": 7})}])
        assert [m["Body"] for m in drain(sqs, url)] == ['{"order":7}']
    finally:
        server.stop()
