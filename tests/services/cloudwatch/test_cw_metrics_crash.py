"""Metric durability, for real: every PutMetricData acknowledged before a SIGKILL is in the
statistics after the restart (the rollups are written inside the request, under the group
commit), and nothing that was not acknowledged is counted twice."""

from __future__ import annotations

import json
import threading
import urllib.request
from datetime import datetime, timezone

import pytest

from aws_clients import make_client
from serverproc import ServerProcess

NAMESPACE = "Overcast/Crash"


@pytest.fixture
def own_server(tmp_path):
    proc = ServerProcess(str(tmp_path / "data")).start()
    yield proc
    proc.stop()


def test_acknowledged_datapoints_survive_kill_9(own_server):
    now = float(json.loads(urllib.request.urlopen(own_server.endpoint + "/_overcast/clock").read())["now"])
    hour = now - now % 3600 - 3600
    stamp = datetime.fromtimestamp(hour, tz=timezone.utc)
    acknowledged = []
    enough = threading.Event()

    def put_loop() -> None:
        cw = make_client(own_server.endpoint, "cloudwatch")
        i = 0
        while not enough.is_set():
            try:
                cw.put_metric_data(Namespace=NAMESPACE, MetricData=[
                    {"MetricName": "Durable", "Timestamp": stamp, "Values": [float(i)] * 10}])
            except Exception:  # the kill cuts a request short: it was never acknowledged
                return
            acknowledged.append(i)
            i += 1
            if len(acknowledged) >= 40:
                enough.set()

    worker = threading.Thread(target=put_loop)
    worker.start()
    enough.wait(60)
    own_server.kill()
    worker.join(30)
    own_server.start()
    cw = make_client(own_server.endpoint, "cloudwatch")
    [point] = cw.get_metric_statistics(Namespace=NAMESPACE, MetricName="Durable", StartTime=stamp,
                                       EndTime=datetime.fromtimestamp(hour + 3600, tz=timezone.utc), Period=3600,
                                       Statistics=["SampleCount", "Sum"])["Datapoints"]
    count = len(acknowledged)
    # every acknowledged put is there; at most the one in flight at the kill besides
    assert point["SampleCount"] in (10.0 * count, 10.0 * (count + 1))
    assert point["Sum"] >= 10.0 * sum(acknowledged)
    minutes = cw.get_metric_statistics(Namespace=NAMESPACE, MetricName="Durable", StartTime=stamp,
                                       EndTime=datetime.fromtimestamp(hour + 60, tz=timezone.utc), Period=60,
                                       Statistics=["SampleCount"])["Datapoints"]
    assert minutes[0]["SampleCount"] == point["SampleCount"]  # every tier agrees
    assert cw.list_metrics(Namespace=NAMESPACE)["Metrics"][0]["MetricName"] == "Durable"
