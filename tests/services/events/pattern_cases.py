"""EventBridge event patterns: a table of (page, pattern, event, expected match) cases taken from
the EventBridge documentation's pattern pages (each case cites the page whose rule it checks),
and a table of invalid patterns with the InvalidEventPatternException text AWS answers.

Used by test_events_patterns_table.py through TestEventPattern over HTTP and through the rule
index delivery uses, so both must agree with the documentation and with each other.
"""

from __future__ import annotations

import copy

_DOCS = "https://docs.aws.amazon.com/eventbridge/latest/userguide/"
PATTERNS = _DOCS + "eb-event-patterns.html"  # Amazon EventBridge event patterns
SYNTAX = _DOCS + "eb-create-pattern.html"  # Event pattern syntax
FILTERING = _DOCS + "eb-event-patterns-content-based-filtering.html"  # Content filtering
OPERATORS = _DOCS + "eb-create-pattern-operators.html"  # Comparison operators
ARRAYS = _DOCS + "eb-event-patterns-arrays.html"  # Arrays in event patterns
NULLS = _DOCS + "eb-event-patterns-null-values.html"  # Null values and empty strings

# The EC2 event the "Amazon EventBridge event patterns" page filters.
EC2_EVENT = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {"instance-id": "i-1234567890abcdef0", "state": "terminated"},
}


def event(detail: dict | None = None, **top) -> dict:
    """An envelope (the page's EC2 event) with ``detail`` replaced and top-level fields set
    (``detail_type`` for ``detail-type``)."""
    out = copy.deepcopy(EC2_EVENT)
    if detail is not None:
        out["detail"] = detail
    for name, value in top.items():
        out[name.replace("_", "-")] = value
    return out


def D(**fields) -> dict:
    """A detail object (``_`` in names for ``-``)."""
    return {name.replace("_", "-"): value for name, value in fields.items()}


# (page, pattern, [(event, expected), ...])
_GROUPS = [
    # -- structure, exact values ------------------------------------------------------------
    (PATTERNS, {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"],
                "detail": {"state": ["terminated"]}},
     [(event(), True), (event(D(state="running")), False), (event(source="aws.s3"), False),
      (event(detail_type="EC2 Spot Instance Interruption Warning"), False)]),
    (PATTERNS, {"source": ["aws.ec2"]},
     [(event(), True), (event(source="aws.ec2x"), False), (event(source="AWS.EC2"), False),
      (event(source="aws.ec"), False)]),
    (SYNTAX, {"source": ["aws.ec2", "aws.fargate"]},
     [(event(), True), (event(source="aws.fargate"), True), (event(source="aws.ecs"), False)]),
    (SYNTAX, {"detail": {"state": ["terminated"]}},
     [(event(), True), (event(D(state="Terminated")), False), (event(D(state="terminated ")), False),
      (event(D(other="terminated")), False), (event({"detail": {"state": "terminated"}}), False)]),
    (SYNTAX, {"detail": {"instance-id": ["i-1234567890abcdef0"], "state": ["terminated", "stopped"]}},
     [(event(), True), (event(D(instance_id="i-1234567890abcdef0", state="stopped")), True),
      (event(D(instance_id="i-0", state="stopped")), False), (event(D(state="stopped")), False)]),
    (SYNTAX, {"region": ["us-west-1"], "account": ["111122223333"]},
     [(event(), True), (event(region="us-east-1"), False), (event(account="111122223334"), False)]),
    (SYNTAX, {"detail": {"location": {"city": ["Seattle"]}}},
     [(event(D(location={"city": "Seattle"})), True), (event(D(location={"city": "Portland"})), False),
      (event(D(city="Seattle")), False), (event(D(location="Seattle")), False)]),
    (SYNTAX, {"detail": {"a": {"b": {"c": ["deep"]}}}},
     [(event(D(a={"b": {"c": "deep"}})), True), (event(D(a={"b": {"c": "shallow"}})), False),
      (event(D(a={"b": "deep"})), False)]),
    (SYNTAX, {"detail": {"count": [5]}},
     [(event(D(count=5)), True), (event(D(count=5.0)), True), (event(D(count="5")), False),
      (event(D(count=6)), False), (event(D(count=-5)), False)]),
    (SYNTAX, {"detail": {"price": [300]}},
     [(event(D(price=300)), True), (event(D(price=3.0e2)), True), (event(D(price=300.5)), False)]),
    (SYNTAX, {"detail": {"count": ["5"]}},
     [(event(D(count="5")), True), (event(D(count=5)), False)]),
    (SYNTAX, {"detail": {"enabled": [True]}},
     [(event(D(enabled=True)), True), (event(D(enabled=False)), False), (event(D(enabled="true")), False),
      (event(D(enabled=1)), False)]),
    (SYNTAX, {"detail": {"enabled": [False]}},
     [(event(D(enabled=False)), True), (event(D(enabled=True)), False), (event(D()), False)]),
    (SYNTAX, {"detail": {"state": ["terminated"]}, "source": ["aws.ec2"], "region": ["us-west-1"]},
     [(event(), True), (event(region="eu-west-1"), False)]),
    (SYNTAX, {"detail": {"weird.key": ["x"]}},
     [(event({"weird.key": "x"}), True), (event({"weird": {"key": "x"}}), False)]),
    (SYNTAX, {"detail": {"name": ["Ünïcödé ✓"]}},
     [(event(D(name="Ünïcödé ✓")), True), (event(D(name="Unicode")), False)]),
    # -- null and empty values ----------------------------------------------------------------
    (NULLS, {"detail": {"responseElements": [None]}},
     [(event({"responseElements": None}), True), (event({}), False), (event({"responseElements": ""}), False),
      (event({"responseElements": "null"}), False)]),
    (NULLS, {"detail": {"eventVersion": [""]}},
     [(event({"eventVersion": ""}), True), (event({"eventVersion": None}), False), (event({}), False),
      (event({"eventVersion": " "}), False)]),
    (NULLS, {"detail": {"eventVersion": [""], "responseElements": [None]}},
     [(event({"eventVersion": "", "responseElements": None}), True),
      (event({"eventVersion": "", "responseElements": "x"}), False)]),
    (NULLS, {"detail": {"x": [None, "set"]}},
     [(event({"x": None}), True), (event({"x": "set"}), True), (event({"x": "other"}), False)]),
    # -- arrays ---------------------------------------------------------------------------------
    (ARRAYS, {"resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f",
                            "arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f",
                            "arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]},
     [(event(resources=["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-"
                        "d5978ed4a025:autoScalingGroupName/ASGTerminate",
                        "arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f"]), True),
      (event(resources=["arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f"]), False),
      (event(resources=[]), False),
      (event(resources=["arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f"]), True)]),
    (ARRAYS, {"detail": {"tags": ["prod"]}},
     [(event(D(tags=["dev", "prod"])), True), (event(D(tags=["dev"])), False), (event(D(tags=[])), False),
      (event(D(tags="prod")), True), (event(D(tags=[["prod"]])), True)]),
    (ARRAYS, {"detail": {"ports": [443, 8443]}},
     [(event(D(ports=[80, 443])), True), (event(D(ports=[80, 8080])), False), (event(D(ports=[8443.0])), True)]),
    (ARRAYS, {"detail": {"items": {"sku": ["A-1"]}}},
     [(event(D(items=[{"sku": "B-2"}, {"sku": "A-1"}])), True), (event(D(items=[{"sku": "B-2"}])), False),
      (event(D(items={"sku": "A-1"})), True)]),
    (ARRAYS, {"detail": {"tags": [{"prefix": "team-"}]}},
     [(event(D(tags=["env-prod", "team-a"])), True), (event(D(tags=["env-prod"])), False)]),
    (ARRAYS, {"detail": {"codes": [{"numeric": [">", 400]}]}},
     [(event(D(codes=[200, 503])), True), (event(D(codes=[200, 302])), False)]),
    # -- prefix -----------------------------------------------------------------------------------
    (FILTERING, {"time": [{"prefix": "2017-10-02"}]},
     [(event(time="2017-10-02T18:43:48Z"), True), (event(time="2017-10-03T18:43:48Z"), False),
      (event(time="2017-10-0"), False)]),
    (OPERATORS, {"detail": {"Region": [{"prefix": "us-"}]}},
     [(event({"Region": "us-east-1"}), True), (event({"Region": "eu-west-1"}), False),
      (event({"Region": "US-east-1"}), False), (event({"Region": "us-"}), True), (event({}), False)]),
    (FILTERING, {"detail": {"n": [{"prefix": "1"}]}},
     [(event(D(n=12)), False), (event(D(n="12")), True)]),
    (FILTERING, {"detail": {"s": [{"prefix": ""}]}},
     [(event(D(s="")), True), (event(D(s="anything")), True), (event(D(s=1)), False), (event(D()), False)]),
    # -- prefix ignoring case -------------------------------------------------------------------
    (FILTERING, {"detail": {"service": [{"prefix": {"equals-ignore-case": "EventB"}}]}},
     [(event(D(service="EventBridge")), True), (event(D(service="EVENTBRIDGE")), True),
      (event(D(service="eventb")), True), (event(D(service="Event")), False), (event(D(service="XEventB")), False)]),
    (OPERATORS, {"detail": {"service": [{"prefix": {"equals-ignore-case": "eventb"}}]}},
     [(event(D(service="EventBus")), True), (event(D(service="Events")), False)]),
    # -- suffix ------------------------------------------------------------------------------------
    (FILTERING, {"detail": {"FileName": [{"suffix": ".png"}]}},
     [(event(D(FileName="image.png")), True), (event(D(FileName="image.PNG")), False),
      (event(D(FileName="image.png.txt")), False), (event(D(FileName=".png")), True)]),
    (FILTERING, {"FileName": [{"suffix": ".png"}]},
     [(event(FileName="a.png"), True), (event(D(FileName="a.png")), False)]),
    # -- suffix ignoring case ----------------------------------------------------------------------
    (FILTERING, {"detail": {"FileName": [{"suffix": {"equals-ignore-case": ".png"}}]}},
     [(event(D(FileName="photo.PNG")), True), (event(D(FileName="photo.Png")), True),
      (event(D(FileName="photo.jpg")), False)]),
    (OPERATORS, {"detail": {"service": [{"suffix": {"equals-ignore-case": "tbridge"}}]}},
     [(event(D(service="EventBridge")), True), (event(D(service="EVENTBRIDGE")), True),
      (event(D(service="EventBus")), False)]),
    # -- equals-ignore-case --------------------------------------------------------------------------
    (FILTERING, {"detail-type": [{"equals-ignore-case": "ec2 instance state-change notification"}]},
     [(event(), True), (event(detail_type="EC2 INSTANCE STATE-CHANGE NOTIFICATION"), True),
      (event(detail_type="EC2 Instance State-change"), False)]),
    (OPERATORS, {"detail": {"Name": [{"equals-ignore-case": "alice"}]}},
     [(event(D(Name="Alice")), True), (event(D(Name="ALICE")), True), (event(D(Name="Alicia")), False),
      (event(D(Name=1)), False)]),
    # -- anything-but ---------------------------------------------------------------------------------
    (FILTERING, {"detail": {"state": [{"anything-but": "initializing"}]}},
     [(event(D(state="running")), True), (event(D(state="initializing")), False),
      (event(D(state="Initializing")), True), (event(D()), False), (event(D(state=5)), True)]),
    (FILTERING, {"detail": {"x-limit": [{"anything-but": 123}]}},
     [(event(D(x_limit=456)), True), (event(D(x_limit=123)), False), (event(D(x_limit=123.0)), False),
      (event(D(x_limit="123")), False), (event(D()), False)]),
    (FILTERING, {"detail": {"state": [{"anything-but": ["stopped", "overloaded"]}]}},
     [(event(D(state="running")), True), (event(D(state="stopped")), False),
      (event(D(state="overloaded")), False), (event(D(state="Stopped")), True)]),
    (FILTERING, {"detail": {"x-limit": [{"anything-but": [100, 200, 300]}]}},
     [(event(D(x_limit=150)), True), (event(D(x_limit=200)), False), (event(D(x_limit=300.0)), False)]),
    (FILTERING, {"detail": {"state": [{"anything-but": {"prefix": "init"}}]}},
     [(event(D(state="running")), True), (event(D(state="initializing")), False),
      (event(D(state="init")), False), (event(D(state="Init")), True)]),
    (OPERATORS, {"detail": {"Region": [{"anything-but": {"prefix": "us-"}}]}},
     [(event({"Region": "eu-west-1"}), True), (event({"Region": "us-east-1"}), False)]),
    (FILTERING, {"detail": {"FileName": [{"anything-but": {"suffix": ".txt"}}]}},
     [(event(D(FileName="notes.md")), True), (event(D(FileName="notes.txt")), False),
      (event(D(FileName="notes.TXT")), True)]),
    (OPERATORS, {"detail": {"FileName": [{"anything-but": {"suffix": ".png"}}]}},
     [(event(D(FileName="a.jpg")), True), (event(D(FileName="a.png")), False)]),
    (FILTERING, {"detail": {"state": [{"anything-but": {"equals-ignore-case": "initializing"}}]}},
     [(event(D(state="running")), True), (event(D(state="INITIALIZING")), False),
      (event(D(state="Initializing")), False)]),
    (FILTERING, {"detail": {"state": [{"anything-but": {"equals-ignore-case": ["Stopped", "OverLoaded"]}}]}},
     [(event(D(state="running")), True), (event(D(state="STOPPED")), False), (event(D(state="overloaded")), False)]),
    (FILTERING, {"detail": {"FilePath": [{"anything-but": {"wildcard": "*/lib/*"}}]}},
     [(event(D(FilePath="/usr/bin/ls")), True), (event(D(FilePath="/usr/lib/libc.so")), False),
      (event(D(FilePath="lib")), True)]),
    (FILTERING, {"detail": {"FilePath": [{"anything-but": {"wildcard": ["*/lib/*", "*/bin/*"]}}]}},
     [(event(D(FilePath="/etc/hosts")), True), (event(D(FilePath="/usr/lib/x")), False),
      (event(D(FilePath="/usr/bin/x")), False)]),
    (FILTERING, {"detail": {"state": [{"anything-but": {"prefix": ["init", "stop"]}}]}},
     [(event(D(state="running")), True), (event(D(state="stopping")), False), (event(D(state="initial")), False)]),
    (FILTERING, {"detail": {"FileName": [{"anything-but": {"suffix": [".txt", ".md"]}}]}},
     [(event(D(FileName="a.png")), True), (event(D(FileName="a.md")), False)]),
    (FILTERING, {"detail": {"tags": [{"anything-but": "secret"}]}},
     [(event(D(tags=["secret", "public"])), True), (event(D(tags=["secret"])), False)]),
    # -- numeric -----------------------------------------------------------------------------------------
    (FILTERING, {"detail": {"c-count": [{"numeric": [">", 0, "<=", 5]}],
                            "d-count": [{"numeric": ["<", 10]}],
                            "x-limit": [{"numeric": ["=", 3.018e2]}]}},
     [(event(D(c_count=5, d_count=7, x_limit=301.8)), True), (event(D(c_count=0, d_count=7, x_limit=301.8)), False),
      (event(D(c_count=3, d_count=10, x_limit=301.8)), False), (event(D(c_count=3, d_count=-1, x_limit=301.8)), True),
      (event(D(c_count=3, d_count=1, x_limit=301.80)), True), (event(D(c_count=3, d_count=1, x_limit=301)), False),
      (event(D(c_count="3", d_count=1, x_limit=301.8)), False)]),
    (FILTERING, {"detail": {"n": [{"numeric": [">=", 10]}]}},
     [(event(D(n=10)), True), (event(D(n=9.999999)), False), (event(D(n=1e3)), True), (event(D(n=-10)), False)]),
    (FILTERING, {"detail": {"n": [{"numeric": [">", 10]}]}},
     [(event(D(n=10)), False), (event(D(n=10.000001)), True)]),
    (FILTERING, {"detail": {"n": [{"numeric": ["<=", -1.5]}]}},
     [(event(D(n=-1.5)), True), (event(D(n=-1.4)), False), (event(D(n=-100)), True)]),
    (FILTERING, {"detail": {"n": [{"numeric": [">=", 0, "<", 1]}]}},
     [(event(D(n=0)), True), (event(D(n=0.5)), True), (event(D(n=1)), False), (event(D(n=-0.000001)), False)]),
    (FILTERING, {"detail": {"n": [{"numeric": ["=", 5]}]}},
     [(event(D(n=5)), True), (event(D(n=5.0)), True), (event(D(n="5")), False), (event(D(n=True)), False)]),
    (FILTERING, {"detail": {"n": [{"numeric": [">", -5000000000, "<", 5000000000]}]}},
     [(event(D(n=0)), True), (event(D(n=4999999999)), True), (event(D(n=6000000000)), False)]),
    (FILTERING, {"detail": {"n": [{"numeric": [">", 1]}, {"numeric": ["<", -1]}]}},
     [(event(D(n=2)), True), (event(D(n=-2)), True), (event(D(n=0)), False)]),
    (FILTERING, {"detail": {"n": [{"numeric": [">", 0]}, "zero"]}},
     [(event(D(n=1)), True), (event(D(n="zero")), True), (event(D(n=0)), False)]),
    # -- IP addresses ----------------------------------------------------------------------------------
    (FILTERING, {"detail": {"sourceIPAddress": [{"cidr": "10.0.0.0/24"}]}},
     [(event(D(sourceIPAddress="10.0.0.255")), True), (event(D(sourceIPAddress="10.0.0.1")), True),
      (event(D(sourceIPAddress="10.0.1.0")), False), (event(D(sourceIPAddress="not-an-ip")), False),
      (event(D(sourceIPAddress=10)), False)]),
    (FILTERING, {"detail": {"sourceIPAddress": [{"cidr": "bcde:6789:abcd::/64"}]}},
     [(event(D(sourceIPAddress="bcde:6789:abcd::1")), True),
      (event(D(sourceIPAddress="bcde:6789:abcd:0:ffff:ffff:ffff:ffff")), True),
      (event(D(sourceIPAddress="bcde:6789:abce::1")), False), (event(D(sourceIPAddress="10.0.0.1")), False)]),
    (FILTERING, {"detail": {"ip": [{"cidr": "192.168.0.0/16"}, {"cidr": "172.16.0.0/12"}]}},
     [(event(D(ip="192.168.4.4")), True), (event(D(ip="172.31.255.255")), True), (event(D(ip="172.32.0.0")), False)]),
    (FILTERING, {"detail": {"ip": ["10.0.0.1"]}},
     [(event(D(ip="10.0.0.1")), True), (event(D(ip="10.0.0.2")), False)]),
    # -- exists --------------------------------------------------------------------------------------------
    (FILTERING, {"detail": {"state": [{"exists": True}]}},
     [(event(), True), (event(D(state=None)), True), (event(D(state="")), True), (event(D(other=1)), False),
      (event(D(state=0)), True)]),
    (FILTERING, {"detail": {"c-count": [{"exists": False}]}},
     [(event(D(state="x")), True), (event(D(c_count=1)), False), (event(D(c_count=None)), False)]),
    (FILTERING, {"detail": {"state": [{"exists": False}]}, "source": ["aws.ec2"]},
     [(event(D(other=1)), True), (event(), False), (event(D(other=1), source="aws.s3"), False)]),
    (OPERATORS, {"detail": {"obj": [{"exists": True}]}},
     [(event(D(obj={"a": 1})), False), (event(D(obj="leaf")), True)]),
    (OPERATORS, {"detail": {"obj": [{"exists": False}]}},
     [(event(D(obj={"a": 1})), True), (event(D(obj="leaf")), False), (event(D()), True)]),
    (FILTERING, {"detail": {"tags": [{"exists": True}]}},
     [(event(D(tags=["a"])), True), (event(D(tags=[])), False)]),
    (FILTERING, {"detail": {"state": [{"exists": False}, "ready"]}},
     [(event(D()), True), (event(D(state="ready")), True), (event(D(state="busy")), False)]),
    # -- wildcard --------------------------------------------------------------------------------------------
    (FILTERING, {"detail": {"EventBusArn": [{"wildcard": "arn:aws:events:us-east-1:*:event-bus/*"}]}},
     [(event(D(EventBusArn="arn:aws:events:us-east-1:123456789012:event-bus/default")), True),
      (event(D(EventBusArn="arn:aws:events:us-west-2:123456789012:event-bus/default")), False),
      (event(D(EventBusArn="arn:aws:events:us-east-1::event-bus/")), True)]),
    (OPERATORS, {"detail": {"FileName": [{"wildcard": "dir/*.png"}]}},
     [(event(D(FileName="dir/a.png")), True), (event(D(FileName="dir/sub/a.png")), True),
      (event(D(FileName="dir/a.jpg")), False), (event(D(FileName="other/a.png")), False),
      (event(D(FileName="dir/.png")), True)]),
    (FILTERING, {"detail": {"name": [{"wildcard": "*"}]}},
     [(event(D(name="")), True), (event(D(name="x")), True), (event(D(name=1)), False), (event(D()), False)]),
    (FILTERING, {"detail": {"name": [{"wildcard": "a\\*b"}]}},
     [(event(D(name="a*b")), True), (event(D(name="axb")), False)]),
    (FILTERING, {"detail": {"name": [{"wildcard": "a\\\\*"}]}},
     [(event(D(name="a\\")), True), (event(D(name="a\\xyz")), True), (event(D(name="ab")), False)]),
    (FILTERING, {"detail": {"name": [{"wildcard": "exact"}]}},
     [(event(D(name="exact")), True), (event(D(name="exactly")), False), (event(D(name="EXACT")), False)]),
    (FILTERING, {"detail": {"name": [{"wildcard": "*mid*"}]}},
     [(event(D(name="amidst")), True), (event(D(name="mid")), True), (event(D(name="m-i-d")), False)]),
    (FILTERING, {"detail": {"name": [{"wildcard": "line*end"}]}},
     [(event(D(name="line\nend")), True), (event(D(name="lineend")), True)]),
    # -- $or -------------------------------------------------------------------------------------------------
    (FILTERING, {"detail": {"$or": [{"c-count": [{"numeric": [">", 0, "<=", 5]}]},
                                     {"d-count": [{"numeric": ["<", 10]}]},
                                     {"x-limit": [{"numeric": ["=", 3.018e2]}]}]}},
     [(event(D(c_count=3)), True), (event(D(d_count=20, x_limit=301.8)), True), (event(D(d_count=20)), False),
      (event(D(c_count=10, d_count=5)), True), (event(D()), False)]),
    (FILTERING, {"source": ["aws.ec2"], "$or": [{"detail": {"state": ["terminated"]}},
                                               {"detail-type": ["Custom"]}]},
     [(event(), True), (event(D(state="running"), detail_type="Custom"), True),
      (event(D(state="running")), False), (event(source="aws.s3"), False)]),
    (FILTERING, {"$or": [{"source": ["aws.s3"]}, {"source": ["aws.ec2"], "region": ["us-west-1"]}]},
     [(event(), True), (event(source="aws.s3", region="eu-west-1"), True), (event(region="eu-west-1"), False)]),
    (FILTERING, {"detail": {"$or": [{"state": [{"exists": False}]}, {"state": ["ready"]}]}},
     [(event(D()), True), (event(D(state="ready")), True), (event(D(state="busy")), False)]),
    (FILTERING, {"detail": {"$or": [{"a": ["1"]}, {"$or": [{"b": ["2"]}, {"c": ["3"]}]}]}},
     [(event(D(c="3")), True), (event(D(b="2")), True), (event(D(a="1")), True), (event(D(a="2")), False)]),
    # -- combined operators in one field ------------------------------------------------------------------
    (FILTERING, {"detail": {"state": ["ready", {"prefix": "run"}, {"suffix": "ed"}]}},
     [(event(D(state="ready")), True), (event(D(state="running")), True), (event(D(state="stopped")), True),
      (event(D(state="idle")), False)]),
    (FILTERING, {"detail": {"v": [{"anything-but": "a"}, "a"]}},
     [(event(D(v="a")), True), (event(D(v="b")), True), (event(D()), False)]),
    (FILTERING, {"time": [{"prefix": "2017-10-02"}],
                 "detail": {"state": [{"anything-but": "initializing"}], "c-count": [{"numeric": [">", 0, "<=", 5]}],
                            "d-count": [{"numeric": ["<", 10]}], "x-limit": [{"anything-but": [100, 200, 300]}]}},
     [(event(D(state="running", c_count=5, d_count=9, x_limit=150), time="2017-10-02T00:00:00Z"), True),
      (event(D(state="initializing", c_count=5, d_count=9, x_limit=150), time="2017-10-02T00:00:00Z"), False),
      (event(D(state="running", c_count=5, d_count=9, x_limit=200), time="2017-10-02T00:00:00Z"), False),
      (event(D(state="running", c_count=5, d_count=9, x_limit=150), time="2017-10-03T00:00:00Z"), False)]),
    # A key given twice: the last one is the one evaluated (the page's note; raw JSON text).
    (FILTERING, '{"detail": {"location": [{"prefix": "us-"}], "location": [{"anything-but": "us-east"}]}}',
     [(event(D(location="eu-west")), True), (event(D(location="us-east")), False),
      (event(D(location="us-west")), True)]),
    (FILTERING, {"detail": {"state": [{"exists": True}]}},
     [(event(D(instance_id="i-abcd1111", state="pending")), True), (event({"c-count": {"c1": 100}}), False)]),
    (FILTERING, {"detail": {"c-count": [{"exists": False}]}},
     [(event({"state": ["initializing", "running"]}), True),
      (event({"state": ["initializing", "running"], "c-count": {"c1": 100}}), True)]),
    (FILTERING, {"detail": {"a": [{"prefix": "x"}], "b": [{"numeric": [">", 1]}], "c": [{"exists": False}]}},
     [(event(D(a="xy", b=2)), True), (event(D(a="xy", b=2, c=1)), False), (event(D(a="yy", b=2)), False),
      (event(D(a="xy", b=1)), False)]),
]

def pattern_text(pattern) -> str:
    """A case's pattern as sent: JSON of the dict, or the raw text a dict cannot hold."""
    import json

    return pattern if isinstance(pattern, str) else json.dumps(pattern)


CASES = [
    (page, pattern, body, expected)
    for page, pattern, examples in _GROUPS
    for body, expected in examples
]

# (pattern text, AWS's InvalidEventPatternException message)
_R = "Event pattern is not valid. Reason: "


def _at(text: str, column: int, line: int = 1) -> str:
    return f'\n at [Source: (String)"{text}"; line: {line}, column: {column}]'


INVALID = [
    # Recorded from AWS (a public report of a CloudFormation deployment).
    ('{"source":["test.event-pattern"],"detail":{"lenderId":"LenderA"}}',
     _R + '"lenderId" must be an object or an array'
     + _at('{"source":["test.event-pattern"],"detail":{"lenderId":"LenderA"}}', 56)),
    ('{"source": "aws.ec2"}', _R + '"source" must be an object or an array' + _at('{"source": "aws.ec2"}', 13)),
    ('[]', _R + "Filter is not an object" + _at("[]", 2)),
    ('{"source": []}', _R + "Empty arrays are not allowed" + _at('{"source": []}', 14)),
    ('{"detail": {}}', _R + "Empty objects are not allowed" + _at('{"detail": {}}', 14)),
    ('{"source": [{}]}', _R + "Match expression name not found" + _at('{"source": [{}]}', 15)),
    ('{"source": [["a"]]}', _R + "Match value must be String, number, true, false, or null"
     + _at('{"source": [["a"]]}', 14)),
    ('{"source": [{"regex": "a"}]}', _R + "Unrecognized match type regex" + _at('{"source": [{"regex": "a"}]}', 24)),
    ('{"source": [{"prefix": 1}]}', _R + "prefix match pattern must be a string" + _at('{"source": [{"prefix": 1}]}', 25)),
    ('{"source": [{"suffix": true}]}', _R + "suffix match pattern must be a string"
     + _at('{"source": [{"suffix": true}]}', 28)),
    ('{"source": [{"prefix": "a", "suffix": "b"}]}', _R + "Only one key allowed in match expression"
     + _at('{"source": [{"prefix": "a", "suffix": "b"}]}', 40)),
    ('{"source": [{"prefix": {"x": "a"}}]}', _R + "Unsupported prefix pattern: x"
     + _at('{"source": [{"prefix": {"x": "a"}}]}', 31)),
    ('{"source": [{"suffix": {"equals-ignore-case": 1}}]}', _R + "equals-ignore-case match pattern must be a string"
     + _at('{"source": [{"suffix": {"equals-ignore-case": 1}}]}', 48)),
    ('{"source": [{"equals-ignore-case": ["a"]}]}', _R + "equals-ignore-case match pattern must be a string"
     + _at('{"source": [{"equals-ignore-case": ["a"]}]}', 37)),
    ('{"n": [{"numeric": 5}]}', _R + "Value of numeric must be an array." + _at('{"n": [{"numeric": 5}]}', 21)),
    ('{"n": [{"numeric": [">", "a"]}]}', _R + "Value of > must be numeric" + _at('{"n": [{"numeric": [">", "a"]}]}', 27)),
    ('{"n": [{"numeric": ["!", 1]}]}', _R + "Unrecognized numeric range operator: !"
     + _at('{"n": [{"numeric": ["!", 1]}]}', 27)),
    ('{"n": [{"numeric": [5]}]}', _R + "Invalid member in numeric match: 5" + _at('{"n": [{"numeric": [5]}]}', 22)),
    ('{"n": [{"numeric": [">", 5, "<", 1]}]}', _R + "Bottom must be less than top"
     + _at('{"n": [{"numeric": [">", 5, "<", 1]}]}', 36)),
    ('{"n": [{"numeric": [">", 1, ">", 5]}]}', _R + "Bad numeric range operator: >"
     + _at('{"n": [{"numeric": [">", 1, ">", 5]}]}', 32)),
    ('{"n": [{"numeric": ["<", 1, ">", 5]}]}', _R + "Too many elements in numeric expression"
     + _at('{"n": [{"numeric": ["<", 1, ">", 5]}]}', 30)),
    ('{"n": [{"numeric": [">", 6000000000]}]}', _R + "Value must be between -5.0E9 and 5.0E9, inclusive"
     + _at('{"n": [{"numeric": [">", 6000000000]}]}', 36)),
    ('{"n": [{"anything-but": true}]}', _R + "Value of anything-but must be an array or single string/number value."
     + _at('{"n": [{"anything-but": true}]}', 29)),
    ('{"n": [{"anything-but": ["a", 1]}]}', _R + "Inside anything but list, either all values are number or string, "
     "mixed type is not supported" + _at('{"n": [{"anything-but": ["a", 1]}]}', 33)),
    ('{"n": [{"anything-but": [null]}]}', _R + "Inside anything but list, start|null|boolean is not supported."
     + _at('{"n": [{"anything-but": [null]}]}', 30)),
    ('{"n": [{"anything-but": {"contains": "a"}}]}', _R + "Unsupported anything-but pattern: contains"
     + _at('{"n": [{"anything-but": {"contains": "a"}}]}', 39)),
    ('{"n": [{"anything-but": {"prefix": ""}}]}', _R + "Null prefix/suffix not allowed"
     + _at('{"n": [{"anything-but": {"prefix": ""}}]}', 38)),
    ('{"n": [{"exists": "yes"}]}', _R + "exists match pattern must be either true or false."
     + _at('{"n": [{"exists": "yes"}]}', 20)),
    ('{"ip": [{"cidr": "10.0.0.0"}]}', _R + "Malformed CIDR, one '/' required"),
    ('{"ip": [{"cidr": "10.0.0.0/33"}]}', _R + "IPv4 mask bits must be < 32"),
    ('{"ip": [{"cidr": "host/8"}]}', _R + "Nonstandard IP address: host"),
    ('{"name": [{"wildcard": "a**b"}]}', _R + "Consecutive wildcard characters at pos 2"
     + _at('{"name": [{"wildcard": "a**b"}]}', 30)),
    ('{"name": [{"wildcard": "a\\\\b"}]}', _R + "Invalid escape character at pos 2"
     + _at('{"name": [{"wildcard": "a\\\\b"}]}', 30)),
    ('{"name": [{"wildcard": 5}]}', _R + "wildcard match pattern must be a string" + _at('{"name": [{"wildcard": 5}]}', 25)),
    # Recorded from AWS (a public report): four leading-wildcard values on one field.
    ('{"detail": {"object": {"key": [{"wildcard": "*.bif"}, {"wildcard": "*.tiff"}, {"wildcard": "*.tif"}, '
     '{"wildcard": "*.svs"}]}}}',
     _R + "Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences "
     "after a wildcard character"),
    ('{"$or": [{"a": ["1"]}]}', _R + "There must have at least 2 Objects in $or relationship."
     + _at('{"$or": [{"a": ["1"]}]}', 23)),
    ('{"$or": {"a": ["1"]}}', _R + "It must be an Array followed with $or." + _at('{"$or": {"a": ["1"]}}', 10)),
    ('{"$or": [["a"], {"b": ["1"]}]}', _R + "Only JSON object is allowed in array of $or relationship."
     + _at('{"$or": [["a"], {"b": ["1"]}]}', 11)),
    ('{"$or": [{"prefix": ["a"]}, {"b": ["1"]}]}', _R + "prefix is Ruler reserved fieldName which cannot be used "
     "inside $or." + _at('{"$or": [{"prefix": ["a"]}, {"b": ["1"]}]}', 22)),
    ('{"source": ["a"]', _R + "Unexpected end-of-input: expected close marker for Object"
     + _at('{"source": ["a"]', 17)),
    ('{"source": [\'a\']}', _R + "Unexpected character (''' (code 39)): expected a value"
     + _at('{"source": [\'a\']}', 14)),
]
