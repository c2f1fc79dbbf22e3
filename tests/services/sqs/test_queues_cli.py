"""The queue operations through the AWS CLI."""

from __future__ import annotations

ACCOUNT = "000000000000"


def test_cli_create_and_get_queue_url(aws_cli, endpoint):
    created = aws_cli("sqs", "create-queue", "--queue-name", "q")
    assert created["QueueUrl"] == f"{endpoint}/queue/us-east-1/{ACCOUNT}/q"
    assert aws_cli("sqs", "get-queue-url", "--queue-name", "q")["QueueUrl"] == created["QueueUrl"]


def test_cli_create_with_attributes_and_read_them(aws_cli):
    url = aws_cli("sqs", "create-queue", "--queue-name", "cli.fifo",
                  "--attributes", "FifoQueue=true,ContentBasedDeduplication=true,VisibilityTimeout=90")["QueueUrl"]
    got = aws_cli("sqs", "get-queue-attributes", "--queue-url", url, "--attribute-names", "All")["Attributes"]
    assert got["FifoQueue"] == "true"
    assert got["ContentBasedDeduplication"] == "true"
    assert got["VisibilityTimeout"] == "90"


def test_cli_list_queues_and_tags(aws_cli):
    url = aws_cli("sqs", "create-queue", "--queue-name", "listed", "--tags", "team=red")["QueueUrl"]
    assert aws_cli("sqs", "list-queues")["QueueUrls"] == [url]
    assert aws_cli("sqs", "list-queue-tags", "--queue-url", url)["Tags"] == {"team": "red"}


def test_cli_missing_queue_fails_with_its_code(aws_cli):
    proc = aws_cli("sqs", "get-queue-url", "--queue-name", "missing", check=False)
    assert proc.returncode != 0
    assert "AWS.SimpleQueueService.NonExistentQueue" in proc.stderr
