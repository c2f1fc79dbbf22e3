"""Subscription operations: Subscribe, ConfirmSubscription, Unsubscribe, ListSubscriptions,
ListSubscriptionsByTopic, Get/SetSubscriptionAttributes.

Which subscriptions wait for a confirmation (as on AWS): http, https, email and email-json
always (SNS sends a SubscriptionConfirmation with a token); an SQS queue of another account
than the subscriber's (the confirmation goes to the queue); the rest (sqs of the same account,
lambda, sms, application, firehose) are confirmed at once. Tokens stay valid for three days.
"""

from __future__ import annotations

import re
import secrets
import uuid

from overcast.context import RequestContext
from overcast.errors import AwsError
from overcast.services.sns import subscription_attributes as sub_attrs
from overcast.services.sns.arns import (invalid_parameter, is_subscription_arn, parse_topic_arn,
                                        subscription_not_found, topic_not_found)
from overcast.services.sns.envelope import subscribe_url
from overcast.services.sns.message import (SUBSCRIPTION_CONFIRMATION, UNSUBSCRIBE_CONFIRMATION, SnsMessage,
                                           iso_timestamp)
from overcast.services.sns.paging import page
from overcast.services.sns.store import SubscriptionRecord
from overcast.services.sns.topic_attributes import DEFAULT_EFFECTIVE_DELIVERY_POLICY

PROTOCOLS = ("http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose")
TOKEN_LIFETIME = 3 * 24 * 3600  # "Confirmation tokens are valid for three days."
PENDING = "pending confirmation"  # Subscribe's answer for a subscription still to confirm
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _arn_parts(value: str) -> list[str]:
    return value.split(":") if isinstance(value, str) else []


def _check_endpoint(protocol: str, endpoint, topic_arn: str) -> str:
    if endpoint is None or endpoint == "":
        raise invalid_parameter("Endpoint Reason: no value for required parameter") if protocol != "application" \
            else AwsError("NotFound", "Endpoint does not exist")
    if protocol in ("http", "https"):
        if not endpoint.lower().startswith(f"{protocol}://"):
            raise invalid_parameter("Endpoint must match the specified protocol")
    elif protocol in ("email", "email-json"):
        if not _EMAIL.match(endpoint):
            raise invalid_parameter("Email address")
    elif protocol == "sms":
        if not _E164.match(endpoint.replace("-", "").replace(" ", "")):
            raise invalid_parameter(f"SMS endpoint: {endpoint}")
    elif protocol == "sqs":
        parts = _arn_parts(endpoint)
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs" or not parts[5]:
            raise invalid_parameter("SQS endpoint ARN")
    elif protocol == "lambda":
        parts = _arn_parts(endpoint)
        if len(parts) < 7 or parts[0] != "arn" or parts[2] != "lambda":
            raise invalid_parameter("Lambda endpoint ARN")
    elif protocol == "firehose":
        parts = _arn_parts(endpoint)
        if len(parts) != 6 or parts[0] != "arn" or parts[2] != "firehose":
            raise invalid_parameter("Firehose endpoint ARN")
    elif protocol == "application" and ":endpoint/" not in endpoint:
        raise AwsError("NotFound", "Endpoint does not exist")
    if endpoint.endswith(".fifo") and protocol == "sqs" and not topic_arn.endswith(".fifo"):
        raise invalid_parameter("Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to "
                                "standard SNS topics")
    return endpoint


def _needs_confirmation(ctx: RequestContext, protocol: str, endpoint: str) -> bool:
    if protocol in ("http", "https", "email", "email-json"):
        return True
    if protocol == "sqs":
        return _arn_parts(endpoint)[4] != ctx.account
    return False


def _listed(sub: SubscriptionRecord) -> dict:
    return {"SubscriptionArn": sub.arn if sub.confirmed else "PendingConfirmation", "Owner": sub.owner,
            "Protocol": sub.protocol, "Endpoint": sub.endpoint, "TopicArn": sub.topic_arn}


def _page_key(sub: SubscriptionRecord) -> str:
    return f"{sub.created:020.6f}|{sub.arn}"


def endpoint_base(ctx: RequestContext) -> str:
    """Overcast's base URL as the caller reached it (for SubscribeURL, UnsubscribeURL, SigningCertURL)."""
    host = ctx.host or "localhost:4566"
    return f"{'https' if ctx.secure else 'http'}://{host}"


class SubscriptionOperations:
    def compile_filter(self, sub: SubscriptionRecord) -> None:
        """Keep the compiled FilterPolicy beside the record (None: every message matches)."""
        from overcast.services.sns.filter_policy import compile_filter_policy

        text = sub.attributes.get("FilterPolicy")
        sub.filter = None
        if text:
            try:
                sub.filter = compile_filter_policy(text, sub.attributes.get("FilterPolicyScope")
                                                   or "MessageAttributes")
            except AwsError:  # stored before a stricter check: matches nothing rather than everything
                sub.filter = _MatchesNothing()

    def subscribe(self, ctx: RequestContext, params: dict) -> dict:
        topic = self.topic_for(ctx, params.get("TopicArn"))
        protocol = params.get("Protocol")
        if protocol is None:
            raise invalid_parameter("Protocol Reason: no value for required parameter")
        if protocol not in PROTOCOLS:
            raise invalid_parameter(f"Amazon SNS does not support this protocol string: {protocol}")
        endpoint = _check_endpoint(protocol, params.get("Endpoint"), topic.arn)
        if protocol == "application" and self.platform_endpoint(endpoint) is None:
            raise AwsError("NotFound", "Endpoint does not exist")
        if topic.is_fifo and protocol != "sqs":  # FIFO topics deliver to SQS queues only
            raise invalid_parameter(f"Invalid protocol type: {protocol}")
        given = params.get("Attributes") or {}
        scope = given.get("FilterPolicyScope") or "MessageAttributes"
        attributes = {name: sub_attrs.checked_value(name, value, protocol, topic.arn, endpoint, scope, True)
                      for name, value in given.items()}
        existing = self.store.find_subscription(topic.arn, protocol, endpoint)
        if existing is not None:
            if any(existing.attributes.get(k, "") != v for k, v in attributes.items()):
                raise invalid_parameter("Attributes Reason: Subscription already exists with different attributes")
            shown = existing.arn if existing.confirmed or params.get("ReturnSubscriptionArn") else PENDING
            return {"SubscriptionArn": shown}
        attributes["_principal"] = ctx.principal_arn or f"arn:aws:iam::{ctx.account}:root"
        confirm = _needs_confirmation(ctx, protocol, endpoint)
        if not confirm:  # confirmed by the (signed) Subscribe itself
            attributes["_authenticated"] = "true"
        sub = SubscriptionRecord(f"{topic.arn}:{uuid.uuid4()}", topic.arn, ctx.account, protocol, endpoint,
                                 not confirm, secrets.token_hex(144), self.clock.now(), attributes)
        self.compile_filter(sub)
        with self.db.transaction():
            if "ReplayPolicy" in attributes:
                sub.attributes = self.start_replay(sub)
            self.store.put_subscription(sub)
            if confirm:
                self._send_confirmation(ctx, topic, sub, SUBSCRIPTION_CONFIRMATION)
        if confirm and not params.get("ReturnSubscriptionArn"):
            return {"SubscriptionArn": PENDING}
        return {"SubscriptionArn": sub.arn}

    def _send_confirmation(self, ctx: RequestContext, topic, sub: SubscriptionRecord, kind: str) -> None:
        if kind == SUBSCRIPTION_CONFIRMATION:
            text = (f"You have chosen to subscribe to the topic {topic.arn}.\n"
                    "To confirm the subscription, visit the SubscribeURL included in this message.")
        else:
            text = (f"You have chosen to deactivate subscription {sub.arn}.\n"
                    "To cancel this operation and restore the subscription, visit the SubscribeURL included in "
                    "this message.")
        base = endpoint_base(ctx)
        message = SnsMessage(
            type=kind, message_id=str(uuid.uuid4()), topic_arn=topic.arn, timestamp=iso_timestamp(self.clock.now()),
            message=text, endpoint=base, signature_version=topic.attributes.get("SignatureVersion", "1"),
            token=sub.token, subscribe_url=subscribe_url(base, topic.arn, sub.token), subscription_arn=sub.arn,
            subscription={"protocol": sub.protocol, "endpoint": sub.endpoint, "owner": sub.owner,
                          "attributes": {k: v for k, v in sub.attributes.items() if not k.startswith("_")}})
        self.delivery.enqueue(message, [sub])

    def confirm_subscription(self, ctx: RequestContext, params: dict) -> dict:
        arn = params.get("TopicArn")
        if arn is None:
            raise invalid_parameter("TopicArn Reason: no value for required parameter")
        token = params.get("Token")
        if token is None:
            raise invalid_parameter("Token Reason: no value for required parameter")
        parse_topic_arn(arn, "Topic")
        topic = self.store.topic(arn)
        if topic is None:
            raise topic_not_found()
        sub = next((s for s in self.store.subscriptions_of(arn) if s.token == token), None)
        if sub is None or (not sub.confirmed and self.clock.now() - sub.created > TOKEN_LIFETIME):
            raise invalid_parameter("Token")
        if not sub.confirmed:
            attributes = dict(sub.attributes)
            # ConfirmationWasAuthenticated: the confirmation came signed (not through the
            # link); AuthenticateOnUnsubscribe holds only then ("and the request has an AWS
            # signature")
            signed = bool(ctx.access_key)
            attributes["_authenticated"] = "true" if signed else "false"
            if signed and str(params.get("AuthenticateOnUnsubscribe", "")).lower() == "true":
                attributes["_unsubscribe_signed_only"] = "true"
            confirmed = SubscriptionRecord(sub.arn, sub.topic_arn, sub.owner, sub.protocol, sub.endpoint, True,
                                           sub.token, sub.created, attributes)
            self.compile_filter(confirmed)
            with self.db.transaction():
                if "ReplayPolicy" in attributes:  # a replay asked for at Subscribe starts now
                    confirmed.attributes = self.start_replay(confirmed)
                self.store.put_subscription(confirmed)
        return {"SubscriptionArn": sub.arn}

    def _subscription_for(self, params: dict) -> SubscriptionRecord:
        arn = params.get("SubscriptionArn")
        if arn is None:
            raise invalid_parameter("SubscriptionArn Reason: no value for required parameter")
        if not is_subscription_arn(arn):
            raise invalid_parameter("SubscriptionArn")
        sub = self.store.subscription(arn)
        if sub is None:
            raise subscription_not_found()
        return sub

    def unsubscribe(self, ctx: RequestContext, params: dict) -> dict:
        arn = params.get("SubscriptionArn")
        if arn is None:
            raise invalid_parameter("SubscriptionArn Reason: no value for required parameter")
        count = len(arn.split(":"))
        if count < 6:
            raise invalid_parameter(f"SubscriptionArn Reason: An ARN must have at least 6 elements, not {count}")
        if not is_subscription_arn(arn):
            raise invalid_parameter("SubscriptionId")
        sub = self.store.subscription(arn)
        if sub is None:  # unsubscribing twice succeeds, as on AWS
            return {}
        if not ctx.access_key and sub.attributes.get("_unsubscribe_signed_only") == "true":
            # AuthenticateOnUnsubscribe: only a signed request by the owner may unsubscribe
            raise AwsError("AuthorizationError", "Unsubscribe must be authenticated: the subscription was "
                           "confirmed with AuthenticateOnUnsubscribe")
        topic = self.store.topic(sub.topic_arn)
        with self.db.transaction():
            self.store.delete_subscription(sub)
            if topic is not None and sub.confirmed and sub.protocol in ("http", "https", "email-json"):
                self._send_confirmation(ctx, topic, sub, UNSUBSCRIBE_CONFIRMATION)
        return {}

    def list_subscriptions(self, ctx: RequestContext, params: dict) -> dict:
        subs = sorted(self.store.all_subscriptions(ctx.account, ctx.region), key=_page_key)
        chosen, token = page(subs, _page_key, params.get("NextToken"))
        out: dict = {"Subscriptions": [_listed(s) for s in chosen]}
        if token:
            out["NextToken"] = token
        return out

    def list_subscriptions_by_topic(self, ctx: RequestContext, params: dict) -> dict:
        topic = self.topic_for(ctx, params.get("TopicArn"))
        subs = sorted(self.store.subscriptions_of(topic.arn), key=_page_key)
        chosen, token = page(subs, _page_key, params.get("NextToken"))
        out: dict = {"Subscriptions": [_listed(s) for s in chosen]}
        if token:
            out["NextToken"] = token
        return out

    def get_subscription_attributes(self, ctx: RequestContext, params: dict) -> dict:
        sub = self._subscription_for(params)
        topic = self.store.topic(sub.topic_arn)
        policy = (topic.attributes.get("DeliveryPolicy") if topic else None) or DEFAULT_EFFECTIVE_DELIVERY_POLICY
        out = sub_attrs.shown(sub, policy)
        status = self.replay_status(sub)
        if status is not None:
            out["ReplayStatus"] = status
        return {"Attributes": out}

    def set_subscription_attributes(self, ctx: RequestContext, params: dict) -> dict:
        name = params.get("AttributeName")
        if name is None:
            raise invalid_parameter("AttributeName Reason: no value for required parameter")
        sub = self._subscription_for(params)
        scope = sub.attributes.get("FilterPolicyScope") or "MessageAttributes"
        value = sub_attrs.checked_value(name, params.get("AttributeValue"), sub.protocol, sub.topic_arn,
                                        sub.endpoint, scope, False)
        attributes = dict(sub.attributes)
        if name == "FilterPolicyScope" and attributes.get("FilterPolicy"):
            # the policy must make sense in its new scope
            sub_attrs.checked_value("FilterPolicy", attributes["FilterPolicy"], sub.protocol, sub.topic_arn,
                                    sub.endpoint, value, False)
        if value == "" and name != "RawMessageDelivery":
            attributes.pop(name, None)
        else:
            attributes[name] = value
        changed = SubscriptionRecord(sub.arn, sub.topic_arn, sub.owner, sub.protocol, sub.endpoint, sub.confirmed,
                                     sub.token, sub.created, attributes)
        self.compile_filter(changed)
        with self.db.transaction():
            if name == "ReplayPolicy":  # a new replay replaces the one before
                changed.attributes = self.start_replay(changed)
            self.store.put_subscription(changed)
        return {}


class _MatchesNothing:
    def matches(self, message_attributes, body) -> bool:
        return False
