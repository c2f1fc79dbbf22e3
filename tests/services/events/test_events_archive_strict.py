"""Strict mode, archives and replays: their parameters are checked before they are authorized;
CreateArchive is then authorized on the archive and its bus, StartReplay on the archive, the
destination bus and the replay, the others on their archive or replay (List* on "*")."""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "auth"))

from serverproc import ServerProcess  # noqa: E402
from strict_helpers import ACCOUNT_A, allow, client, denied, policy  # noqa: E402

PREFIX = f"arn:aws:events:us-east-1:{ACCOUNT_A}"
BUS = f"{PREFIX}:event-bus/default"


@pytest.fixture(scope="module")
def strict(tmp_path_factory):
    proc = ServerProcess(str(tmp_path_factory.mktemp("overcast-strict-archives")), "--strict").start()
    root = client(proc, "events", ACCOUNT_A)
    root.create_archive(ArchiveName="existing", EventSourceArn=BUS)
    yield proc
    proc.stop()


def make_user(strict, name, *statements):
    iam = client(strict, "iam", ACCOUNT_A)
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="inline", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return client(strict, "events", key["AccessKeyId"], key["SecretAccessKey"])


def _window():
    now = datetime.now(timezone.utc)
    return now - timedelta(minutes=5), now


def test_parameters_before_authorization(strict):
    nobody = make_user(strict, "archives-nobody", allow("sqs:ListQueues"))
    start, end = _window()
    assert denied(nobody.create_archive, ArchiveName="a/b", EventSourceArn=BUS)[:2] == ("ValidationException", 400)
    assert denied(nobody.create_archive, ArchiveName="ok", EventSourceArn=BUS, EventPattern="[")[:2] == (
        "InvalidEventPatternException", 400)
    assert denied(nobody.list_archives, NamePrefix="a", State="ENABLED")[:2] == ("ValidationException", 400)
    assert denied(nobody.start_replay, ReplayName="r", EventSourceArn=f"{PREFIX}:archive/existing",
                  EventStartTime=end, EventEndTime=start, Destination={"Arn": BUS})[:2] == ("ValidationException", 400)
    assert denied(nobody.start_replay, ReplayName="r", EventSourceArn=f"{PREFIX}:archive/existing",
                  EventStartTime=start, EventEndTime=end, Destination={"Arn": "nope"})[:2] == (
        "ValidationException", 400)
    # well-formed: existence is looked at only once authorized
    assert denied(nobody.describe_archive, ArchiveName="no-such-archive")[:2] == ("AccessDeniedException", 400)
    assert denied(nobody.create_archive, ArchiveName="ok", EventSourceArn=f"{PREFIX}:event-bus/none")[:2] == (
        "AccessDeniedException", 400)
    assert denied(nobody.describe_replay, ReplayName="no-such-replay")[:2] == ("AccessDeniedException", 400)


def test_archives_are_authorized_on_their_arn(strict):
    user = make_user(strict, "archives-team",
                     allow(["events:CreateArchive", "events:DescribeArchive", "events:DeleteArchive"],
                           [f"{PREFIX}:archive/team-*", BUS]),
                     allow("events:ListArchives"))
    user.create_archive(ArchiveName="team-1", EventSourceArn=BUS)
    assert user.describe_archive(ArchiveName="team-1")["EventSourceArn"] == BUS
    assert denied(user.create_archive, ArchiveName="other-1", EventSourceArn=BUS)[:2] == ("AccessDeniedException", 400)
    assert denied(user.describe_archive, ArchiveName="existing")[:2] == ("AccessDeniedException", 400)
    assert denied(user.update_archive, ArchiveName="team-1", Description="x")[:2] == ("AccessDeniedException", 400)
    assert {a["ArchiveName"] for a in user.list_archives()["Archives"]} >= {"team-1", "existing"}
    user.delete_archive(ArchiveName="team-1")


def test_start_replay_needs_the_archive_the_bus_and_the_replay(strict):
    archive = f"{PREFIX}:archive/existing"
    start, end = _window()
    params = {"EventSourceArn": archive, "EventStartTime": start, "EventEndTime": end, "Destination": {"Arn": BUS}}
    partial = make_user(strict, "replays-partial", allow("events:StartReplay", [archive, f"{PREFIX}:replay/*"]))
    assert denied(partial.start_replay, ReplayName="p-1", **params)[:2] == ("AccessDeniedException", 400)
    user = make_user(strict, "replays-team",
                     allow(["events:StartReplay", "events:DescribeReplay", "events:CancelReplay"],
                           [archive, BUS, f"{PREFIX}:replay/team-*"]))
    assert user.start_replay(ReplayName="team-1", **params)["State"] == "STARTING"
    assert denied(user.start_replay, ReplayName="other-1", **params)[:2] == ("AccessDeniedException", 400)
    assert user.cancel_replay(ReplayName="team-1")["State"] == "CANCELLING"
    deadline = time.monotonic() + 5
    while user.describe_replay(ReplayName="team-1")["State"] != "CANCELLED" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert user.describe_replay(ReplayName="team-1")["State"] == "CANCELLED"
