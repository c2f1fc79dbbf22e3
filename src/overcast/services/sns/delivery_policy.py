"""The HTTP/S delivery policy: its checks, the policy in effect, and when the next retry is due.

A topic's DeliveryPolicy holds ``{"http": {"defaultHealthyRetryPolicy", "defaultThrottlePolicy",
"defaultRequestPolicy", "disableSubscriptionOverrides"}}``; an HTTP/S subscription's holds
``{"healthyRetryPolicy", "throttlePolicy", "requestPolicy"}``. The subscription's parts win
unless the topic sets ``disableSubscriptionOverrides``; what neither sets is AWS's default:
three retries 20 seconds apart, text/plain; charset=UTF-8, no throttle.

A retry policy runs four phases ("Amazon SNS message delivery retries"): ``numNoDelayRetries``
immediate retries, ``numMinDelayRetries`` retries ``minDelayTarget`` apart, the backoff phase
(what is left of ``numRetries``) going from ``minDelayTarget`` to ``maxDelayTarget`` along
``backoffFunction``, then ``numMaxDelayRetries`` retries ``maxDelayTarget`` apart. AWS adds
jitter; Overcast does not, so a test that moves the cloud clock knows when each retry fires.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from overcast.services.sns.attribute_errors import InvalidAttribute

BACKOFF_FUNCTIONS = ("linear", "arithmetic", "geometric", "exponential")
DEFAULT_CONTENT_TYPE = "text/plain; charset=UTF-8"
# Hard limits ("Creating an HTTP/S delivery policy"): at most 100 retries, delays from 1 to
# 3,600 seconds, and no more than 3,600 seconds of retrying in all.
MAX_RETRIES = 100
MAX_DELAY = 3600
MAX_TOTAL_RETRY_SECONDS = 3600

_RETRY_FIELDS = ("minDelayTarget", "maxDelayTarget", "numRetries", "numMaxDelayRetries", "numNoDelayRetries",
                 "numMinDelayRetries", "backoffFunction")


@dataclass(frozen=True)
class RetryPolicy:
    num_retries: int = 3
    min_delay: int = 20
    max_delay: int = 20
    num_no_delay: int = 0
    num_min_delay: int = 0
    num_max_delay: int = 0
    backoff: str = "linear"

    def delay(self, retry: int) -> float | None:
        """Seconds before retry number ``retry`` (1-based); None once the policy is spent."""
        if retry < 1 or retry > self.num_retries:
            return None
        if retry <= self.num_no_delay:
            return 0.0
        retry -= self.num_no_delay
        if retry <= self.num_min_delay:
            return float(self.min_delay)
        retry -= self.num_min_delay
        backoff_steps = self.num_retries - self.num_no_delay - self.num_min_delay - self.num_max_delay
        if retry <= backoff_steps:
            return _backoff(self.backoff, retry, backoff_steps, self.min_delay, self.max_delay)
        return float(self.max_delay)

    def total_seconds(self) -> float:
        return sum(self.delay(retry) or 0.0 for retry in range(1, self.num_retries + 1))


def _backoff(function: str, step: int, steps: int, low: float, high: float) -> float:
    """The delay of backoff step ``step`` of ``steps``, rising from ``low`` to ``high``."""
    share = step / steps
    if function == "arithmetic":  # grows by a constant more at each step
        share = step * (step + 1) / (steps * (steps + 1))
    elif function == "geometric" and low > 0:  # grows by a constant factor
        return round(low * (high / low) ** share, 3)
    elif function == "exponential":  # doubles its growth at each step
        share = (2 ** step - 1) / (2 ** steps - 1)
    return round(low + (high - low) * share, 3)


@dataclass(frozen=True)
class HttpPolicy:
    """What governs one HTTP/S subscription's deliveries."""

    retry: RetryPolicy = RetryPolicy()
    max_receives_per_second: int | None = None
    content_type: str = DEFAULT_CONTENT_TYPE


# -- checks ------------------------------------------------------------------------------------


def check_subscription_delivery_policy(text: str) -> dict:
    """Checks a subscription's DeliveryPolicy as SNS does; returns it decoded."""
    policy = _decode(text)
    _check_parts(policy, "healthyRetryPolicy", "throttlePolicy", "requestPolicy", "sicklyRetryPolicy")
    return policy


def check_topic_delivery_policy(text: str) -> dict:
    """Checks a topic's DeliveryPolicy as SNS does; returns it decoded."""
    policy = _decode(text)
    http = policy.get("http")
    if http is not None:
        if not isinstance(http, dict):
            raise InvalidAttribute("DeliveryPolicy: http must be an object")
        _check_parts(http, "defaultHealthyRetryPolicy", "defaultThrottlePolicy", "defaultRequestPolicy",
                     "defaultSicklyRetryPolicy", prefix="http.")
        overrides = http.get("disableSubscriptionOverrides")
        if overrides is not None and not isinstance(overrides, bool):
            raise InvalidAttribute("DeliveryPolicy: http.disableSubscriptionOverrides must be a boolean")
    return policy


def _decode(text: str) -> dict:
    try:
        policy = json.loads(text)
    except (ValueError, TypeError):
        raise InvalidAttribute("DeliveryPolicy: failed to parse JSON.") from None
    if not isinstance(policy, dict):
        raise InvalidAttribute("DeliveryPolicy: failed to parse JSON.")
    return policy


def _check_parts(policy: dict, retry_key: str, throttle_key: str, request_key: str, sickly_key: str,
                 prefix: str = "") -> None:
    for key in (retry_key, sickly_key):
        if policy.get(key) is not None:
            _retry_policy(policy[key], f"{prefix}{key}")
    throttle = policy.get(throttle_key)
    if throttle is not None:
        if not isinstance(throttle, dict):
            raise InvalidAttribute(f"DeliveryPolicy: {prefix}{throttle_key} must be an object")
        rate = throttle.get("maxReceivesPerSecond")
        if rate is not None and (not _is_integer(rate) or rate < 1):
            raise InvalidAttribute(f"DeliveryPolicy: {prefix}{throttle_key}.maxReceivesPerSecond must be >= 1")
    request = policy.get(request_key)
    if request is not None:
        if not isinstance(request, dict):
            raise InvalidAttribute(f"DeliveryPolicy: {prefix}{request_key} must be an object")
        content_type = request.get("headerContentType")
        if content_type is not None and (not isinstance(content_type, str) or not content_type.strip()):
            raise InvalidAttribute(f"DeliveryPolicy: {prefix}{request_key}.headerContentType must be a string")


def _retry_policy(part, path: str) -> RetryPolicy:
    """A retry policy from its JSON, checked in the order SNS checks it."""
    if not isinstance(part, dict):
        raise InvalidAttribute(f"DeliveryPolicy: {path} must be an object")

    def fail(text: str) -> InvalidAttribute:
        return InvalidAttribute(f"DeliveryPolicy: {path}.{text}")

    for name in ("maxDelayTarget", "minDelayTarget", "numRetries"):
        if part.get(name) is None:
            raise fail(f"{name} must be specified")
    values = {}
    for name in _RETRY_FIELDS[:-1]:
        value = part.get(name, 0)
        if not _is_integer(value):
            raise fail(f"{name} must be an integer")
        values[name] = int(value)
    for name in ("numRetries", "numNoDelayRetries", "numMinDelayRetries", "numMaxDelayRetries"):
        if values[name] < 0:
            raise fail(f"{name} must be greater than or equal to 0")
    if values["minDelayTarget"] < 1:
        raise fail("minDelayTarget must be greater than or equal to 1")
    if values["maxDelayTarget"] > MAX_DELAY:
        raise fail(f"maxDelayTarget must be less than or equal to {MAX_DELAY}")
    if values["numRetries"] > MAX_RETRIES:
        raise fail(f"numRetries must be less than or equal to {MAX_RETRIES}")
    if values["maxDelayTarget"] < values["minDelayTarget"]:
        raise fail("maxDelayTarget must be greater than or equal to minDelayTarget")
    if values["numRetries"] < values["numMinDelayRetries"] + values["numNoDelayRetries"] + \
            values["numMaxDelayRetries"]:
        raise fail("numRetries must be greater than or equal to total of numMinDelayRetries, numNoDelayRetries "
                   "and numMaxDelayRetries")
    backoff = part.get("backoffFunction", "linear")
    if backoff not in BACKOFF_FUNCTIONS:
        raise fail(f"backoffFunction: the value [{backoff}] is not a valid backoff function")
    policy = RetryPolicy(values["numRetries"], values["minDelayTarget"], values["maxDelayTarget"],
                         values["numNoDelayRetries"], values["numMinDelayRetries"], values["numMaxDelayRetries"],
                         backoff)
    if policy.total_seconds() > MAX_TOTAL_RETRY_SECONDS:
        raise InvalidAttribute(f"DeliveryPolicy: {path}: the total retry time must be less than or equal to "
                               f"{MAX_TOTAL_RETRY_SECONDS} seconds")
    return policy


def _is_integer(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value) and value.is_integer()


# -- the policy in effect ----------------------------------------------------------------------


def _loaded(text: str | None) -> dict:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def http_policy(topic_policy_text: str | None, subscription_policy_text: str | None) -> HttpPolicy:
    """The policy that governs an HTTP/S subscription (both texts already checked when set)."""
    topic = _loaded(topic_policy_text).get("http") or {}
    sub = {} if topic.get("disableSubscriptionOverrides") else _loaded(subscription_policy_text)
    retry_json = sub.get("healthyRetryPolicy") or topic.get("defaultHealthyRetryPolicy")
    retry = RetryPolicy()
    if retry_json:
        try:
            retry = _retry_policy(retry_json, "healthyRetryPolicy")
        except InvalidAttribute:  # stored before a check we added since: AWS's default applies
            retry = RetryPolicy()
    throttle = sub.get("throttlePolicy") or topic.get("defaultThrottlePolicy") or {}
    rate = throttle.get("maxReceivesPerSecond")
    request = sub.get("requestPolicy") or topic.get("defaultRequestPolicy") or {}
    content_type = request.get("headerContentType") or DEFAULT_CONTENT_TYPE
    return HttpPolicy(retry, int(rate) if _is_integer(rate) and rate >= 1 else None, content_type)


def subscription_http_policy(provider, subscription) -> HttpPolicy:
    """The policy in effect for ``subscription`` now (its topic's and its own DeliveryPolicy)."""
    topic = provider.store.topic(subscription.topic_arn)
    topic_text = topic.attributes.get("DeliveryPolicy") if topic is not None else None
    return http_policy(topic_text, subscription.attributes.get("DeliveryPolicy"))


def http_retry_delay(provider, subscription, attempts: int) -> float | None:
    """``delivery_protocols.RETRY_DELAYS`` entry of http and https."""
    return subscription_http_policy(provider, subscription).retry.delay(attempts)
