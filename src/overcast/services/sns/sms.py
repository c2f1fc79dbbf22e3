"""SMS: Publish to a PhoneNumber, the account's SMS attributes, opt-outs and the SMS sandbox,
all answered from local state. Nothing leaves the machine: a text message is a delivery of
protocol ``sms`` (the outbox keeps it), like an SMS subscription's.

Overcast's account is out of the SMS sandbox (it sends to any number, into the outbox), but
keeps sandbox destination numbers as AWS does: added Pending with a one-time password texted
to the number, Verified once the password is given back. A number is opted out only when
the outbox says its recipient replied STOP; OptInPhoneNumber takes it back.
"""

from __future__ import annotations

import re
import secrets
import uuid

from overcast.context import RequestContext
from overcast.errors import AwsError
from overcast.services.sns.arns import invalid_parameter
from overcast.services.sns.message import NOTIFICATION, SnsMessage, iso_timestamp
from overcast.services.sns.store import SubscriptionRecord
from overcast.services.sns.subscriptions import endpoint_base

_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
SMS_ATTRIBUTES = ("DefaultSMSType", "MonthlySpendLimit", "DeliveryStatusIAMRole", "DeliveryStatusSuccessSamplingRate",
                  "DefaultSenderID", "UsageReportS3Bucket")
OPTED_OUT, SANDBOX, ATTRIBUTE = "opted-out", "sandbox", "attribute"
PENDING, VERIFIED = "Pending", "Verified"


class SmsOperations:
    def _sms_rows(self, ctx: RequestContext, kind: str) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.db.query(
            "SELECT key, value FROM sms_state WHERE account = ? AND region = ? AND kind = ? ORDER BY key",
            (ctx.account, ctx.region, kind))]

    def _sms_put(self, ctx: RequestContext, kind: str, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO sms_state (account, region, kind, key, value) VALUES (?, ?, ?, ?, ?)",
                        (ctx.account, ctx.region, kind, key, value))

    def _sms_delete(self, ctx: RequestContext, kind: str, key: str) -> int:
        return self.db.execute("DELETE FROM sms_state WHERE account = ? AND region = ? AND kind = ? AND key = ?",
                               (ctx.account, ctx.region, kind, key))

    def publish_sms(self, ctx: RequestContext, phone: str, text: str, attributes: dict) -> str:
        """Queue a text to ``phone`` for the ``sms`` deliverer; returns the MessageId."""
        message_id = str(uuid.uuid4())
        arn = f"arn:aws:sns:{ctx.region}:{ctx.account}:sms/{message_id}"
        message = SnsMessage(type=NOTIFICATION, message_id=message_id, topic_arn="", endpoint=endpoint_base(ctx),
                             timestamp=iso_timestamp(self.clock.now()), message=text, attributes=attributes,
                             subscription_arn=arn,
                             subscription={"protocol": "sms", "endpoint": phone, "owner": ctx.account,
                                           "attributes": {}})
        target = SubscriptionRecord(arn, "", ctx.account, "sms", phone, True, None, 0.0, {})
        with self.db.transaction():
            if not self._sms_is_opted_out(ctx, phone):  # an opted-out number gets nothing, as on AWS
                self.delivery.enqueue(message, [target])
        return message_id

    def _sms_is_opted_out(self, ctx: RequestContext, phone: str) -> bool:
        return self.db.query_one("SELECT 1 FROM sms_state WHERE account = ? AND region = ? AND kind = ? AND key = ?",
                                 (ctx.account, ctx.region, OPTED_OUT, phone)) is not None

    def opt_out_phone_number(self, ctx: RequestContext, phone: str) -> None:
        """The recipient of ``phone`` replied STOP (called by the outbox)."""
        self._sms_put(ctx, OPTED_OUT, phone, "")

    def check_if_phone_number_is_opted_out(self, ctx: RequestContext, params: dict) -> dict:
        phone = params.get("phoneNumber")
        if not isinstance(phone, str) or not _E164.match(phone):
            raise invalid_parameter("PhoneNumber")
        return {"isOptedOut": self._sms_is_opted_out(ctx, phone)}

    def list_phone_numbers_opted_out(self, ctx: RequestContext, params: dict) -> dict:
        numbers = [k for k, _ in self._sms_rows(ctx, OPTED_OUT)]
        after = params.get("nextToken")
        if after:
            numbers = [n for n in numbers if n > after]
        out: dict = {"phoneNumbers": numbers[:100]}
        if len(numbers) > 100:
            out["nextToken"] = numbers[99]
        return out

    def opt_in_phone_number(self, ctx: RequestContext, params: dict) -> dict:
        phone = params.get("phoneNumber")
        if not isinstance(phone, str) or not _E164.match(phone):
            raise invalid_parameter("PhoneNumber")
        self._sms_delete(ctx, OPTED_OUT, phone)
        return {}

    def get_sms_attributes(self, ctx: RequestContext, params: dict) -> dict:
        stored = dict(self._sms_rows(ctx, ATTRIBUTE))
        wanted = params.get("attributes")
        if wanted:
            stored = {k: v for k, v in stored.items() if k in wanted}
        return {"attributes": stored}

    def set_sms_attributes(self, ctx: RequestContext, params: dict) -> dict:
        attributes = params.get("attributes")
        if attributes is None:
            raise invalid_parameter("attributes Reason: no value for required parameter")
        for name, value in attributes.items():
            if name not in SMS_ATTRIBUTES:
                raise invalid_parameter(f"{name}")
            if name == "DefaultSMSType" and value not in ("Promotional", "Transactional"):
                raise invalid_parameter("DefaultSMSType Reason: Invalid value")
        with self.db.transaction():
            for name, value in attributes.items():
                self._sms_put(ctx, ATTRIBUTE, name, value)
        return {}

    def get_sms_sandbox_account_status(self, ctx: RequestContext, params: dict) -> dict:
        return {"IsInSandbox": False}

    def create_sms_sandbox_phone_number(self, ctx: RequestContext, params: dict) -> dict:
        phone = params.get("PhoneNumber")
        if not isinstance(phone, str) or not _E164.match(phone):
            raise invalid_parameter("PhoneNumber")
        password = f"{secrets.randbelow(1_000_000):06d}"
        with self.db.transaction():
            self._sms_put(ctx, SANDBOX, phone, f"{PENDING}:{password}")
        self.publish_sms(ctx, phone, f"Your verification code is: {password}", {})
        return {}

    def verify_sms_sandbox_phone_number(self, ctx: RequestContext, params: dict) -> dict:
        phone, password = params.get("PhoneNumber"), params.get("OneTimePassword")
        stored = dict(self._sms_rows(ctx, SANDBOX)).get(phone)
        if stored is None:
            raise AwsError("ResourceNotFound", "Resource does not exist")
        status, _, expected = stored.partition(":")
        if status != VERIFIED:
            if password != expected:
                raise AwsError("VerificationException", "Invalid one-time password", 400)
            self._sms_put(ctx, SANDBOX, phone, f"{VERIFIED}:")
        return {}

    def delete_sms_sandbox_phone_number(self, ctx: RequestContext, params: dict) -> dict:
        if not self._sms_delete(ctx, SANDBOX, params.get("PhoneNumber") or ""):
            raise AwsError("ResourceNotFound", "Resource does not exist")
        return {}

    def list_sms_sandbox_phone_numbers(self, ctx: RequestContext, params: dict) -> dict:
        return {"PhoneNumbers": [{"PhoneNumber": k, "Status": v.partition(":")[0]}
                                 for k, v in self._sms_rows(ctx, SANDBOX)]}

    def list_origination_numbers(self, ctx: RequestContext, params: dict) -> dict:
        return {"PhoneNumbers": []}  # Overcast owns no origination numbers
