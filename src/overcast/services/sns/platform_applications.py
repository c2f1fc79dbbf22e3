"""Mobile push: platform applications and their endpoints (CreatePlatformApplication,
Get/SetPlatformApplicationAttributes, ListPlatformApplications, DeletePlatformApplication,
CreatePlatformEndpoint, Get/SetEndpointAttributes, ListEndpointsByPlatformApplication,
DeleteEndpoint) and Publish to an endpoint (TargetArn).

Nothing reaches Apple, Google or the others: what an endpoint is sent lands in the outbox
(``platform_delivery.py``) in the shape the push service would have been given. The
credentials are checked for presence as SNS does, but never stored: SNS never returns them.
"""

from __future__ import annotations

import json
import re
import uuid

from overcast.context import RequestContext
from overcast.errors import AwsError
from overcast.services.sns.arns import invalid_parameter, required
from overcast.services.sns.message import NOTIFICATION, SnsMessage, iso_timestamp
from overcast.services.sns.paging import page
from overcast.services.sns.store import SubscriptionRecord
from overcast.storage.scope import partition_of

PLATFORMS = ("ADM", "APNS", "APNS_SANDBOX", "GCM", "BAIDU", "MPNS", "WNS")
# GCM (Firebase Cloud Messaging) takes an API key or a service-account JSON, and no principal
_NO_PRINCIPAL = ("GCM",)
_CREDENTIALS = ("PlatformCredential", "PlatformPrincipal")
_TOPIC_ATTRIBUTES = ("EventEndpointCreated", "EventEndpointDeleted", "EventEndpointUpdated", "EventDeliveryFailure")
_ROLE_ATTRIBUTES = ("SuccessFeedbackRoleArn", "FailureFeedbackRoleArn")
_APPLICATION_ATTRIBUTES = (*_CREDENTIALS, *_TOPIC_ATTRIBUTES, *_ROLE_ATTRIBUTES, "SuccessFeedbackSampleRate",
                           "ApplePlatformTeamID", "ApplePlatformBundleID", "Enabled")
_ENDPOINT_ATTRIBUTES = ("CustomUserData", "Enabled", "Token")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")
_APP_ARN = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):app/([A-Z_]+)/([A-Za-z0-9_.-]{1,256})$")
_ENDPOINT_ARN = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):endpoint/([A-Z_]+)/([A-Za-z0-9_.-]{1,256})/"
                           r"[0-9a-f-]{36}$")
_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$")
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/\S+$")


def application_not_found() -> AwsError:
    return AwsError("NotFound", "PlatformApplication does not exist")


def endpoint_not_found() -> AwsError:
    return AwsError("NotFound", "Endpoint does not exist")


def _checked_arn(value, pattern: re.Pattern, name: str) -> re.Match:
    if value is None:
        raise invalid_parameter(f"{name} Reason: no value for required parameter")
    match = pattern.match(value) if isinstance(value, str) else None
    if match is None:
        elements = len(str(value).split(":"))
        if elements < 6:
            raise invalid_parameter(f"{name} Reason: An ARN must have at least 6 elements, not {elements}")
        raise invalid_parameter(name)
    return match


def _checked_application_attributes(given: dict, where: str) -> dict[str, str]:
    """The attributes of a platform application as set, credentials included (the caller drops them)."""
    out = {}
    for name, value in given.items():
        if name not in _APPLICATION_ATTRIBUTES:
            raise invalid_parameter(f"{where}Reason: Invalid attribute name: {name}")
        value = "" if value is None else str(value)
        if name in _TOPIC_ATTRIBUTES and value and not _TOPIC_ARN.match(value):
            raise invalid_parameter(f"{where}Reason: {name} is not a valid topic ARN")
        if name in _ROLE_ATTRIBUTES and value and not _ROLE_ARN.match(value):
            raise invalid_parameter(f"{where}Reason: {name} is not a valid IAM role ARN")
        if name == "SuccessFeedbackSampleRate" and not (value.isdigit() and 0 <= int(value) <= 100):
            raise invalid_parameter(f"{where}Reason: SuccessFeedbackSampleRate must be an integer from 0 to 100")
        if name == "Enabled" and value not in ("true", "false"):
            raise invalid_parameter(f"{where}Reason: Enabled must be true or false")
        out[name] = value
    return out


def _check_credentials(platform: str, attributes: dict) -> None:
    """SNS's rules on the credential pair, per platform (CreatePlatformApplication)."""
    has_principal = bool(attributes.get("PlatformPrincipal"))
    has_credential = bool(attributes.get("PlatformCredential"))
    if has_principal and not has_credential:
        raise invalid_parameter("Attributes Reason: PlatformPrincipal attribute provided without PlatformCredential")
    if not has_credential:
        raise invalid_parameter("Attributes Reason: PlatformCredential attribute required")
    if platform not in _NO_PRINCIPAL and not has_principal:
        raise invalid_parameter("Attributes Reason: PlatformCredential attribute provided without PlatformPrincipal")


def _checked_endpoint_attributes(given: dict) -> dict[str, str]:
    out = {}
    for name, value in given.items():
        if name not in _ENDPOINT_ATTRIBUTES:
            raise invalid_parameter(f"Attributes Reason: Invalid attribute name: {name}")
        value = "" if value is None else str(value)
        if name == "Enabled" and value not in ("true", "false"):
            raise invalid_parameter("Attributes Reason: Enabled must be true or false")
        if name == "CustomUserData" and len(value.encode("utf-8")) >= 2048:
            raise invalid_parameter("Attributes Reason: CustomUserData must be less than 2KB")
        if name == "Token" and value == "":
            raise invalid_parameter("Attributes Reason: Token must not be empty")
        out[name] = value
    return out


class PlatformOperations:
    # -- state -----------------------------------------------------------------------------

    def _application(self, ctx: RequestContext, arn, name: str = "PlatformApplicationArn") -> tuple[str, dict]:
        """(platform, attributes) of the application ``arn`` names, or SNS's error."""
        match = _checked_arn(arn, _APP_ARN, name)
        row = self.db.query_one("SELECT platform, attributes FROM platform_applications WHERE arn = ? AND "
                                "account = ? AND region = ?", (arn, ctx.account, ctx.region))
        if row is None or match.group(1) != ctx.region:
            raise application_not_found()
        return row[0], json.loads(row[1])

    def platform_endpoint(self, arn: str) -> tuple[str, dict] | None:
        """(platform, attributes) of an endpoint, or None (also used by its deliverer)."""
        row = self.db.query_one(
            "SELECT a.platform, e.attributes FROM platform_endpoints e JOIN platform_applications a "
            "ON a.arn = e.application_arn WHERE e.arn = ?", (arn,))
        return None if row is None else (row[0], json.loads(row[1]))

    def _endpoint(self, ctx: RequestContext, arn, name: str = "EndpointArn") -> dict:
        match = _checked_arn(arn, _ENDPOINT_ARN, name)
        found = self.platform_endpoint(arn)
        if found is None or match.group(1) != ctx.region or match.group(2) != ctx.account:
            raise endpoint_not_found()
        return found[1]

    def _save_endpoint(self, arn: str, application_arn: str, attributes: dict) -> None:
        self.db.execute("INSERT OR REPLACE INTO platform_endpoints (arn, application_arn, token, attributes) "
                        "VALUES (?, ?, ?, ?)", (arn, application_arn, attributes["Token"], json.dumps(attributes)))

    # -- platform applications -------------------------------------------------------------

    def create_platform_application(self, ctx: RequestContext, params: dict) -> dict:
        name = required(params, "Name")
        platform = required(params, "Platform")
        given = required(params, "Attributes")
        if not _NAME.match(name):
            raise invalid_parameter("Name Reason: Application names can only include alphanumeric characters, "
                                    "hyphens, underscores and periods, and must be 1 to 256 characters long")
        if platform not in PLATFORMS:
            raise invalid_parameter(f"Platform Reason: {platform} is not supported")
        attributes = _checked_application_attributes(given, "Attributes ")
        _check_credentials(platform, attributes)
        kept = {k: v for k, v in attributes.items() if k not in _CREDENTIALS and v != ""}
        kept.setdefault("Enabled", "true")
        arn = f"arn:{partition_of(ctx.region)}:sns:{ctx.region}:{ctx.account}:app/{platform}/{name}"
        # creating it again updates its attributes and answers the same ARN
        self.db.execute("INSERT OR REPLACE INTO platform_applications (arn, account, region, platform, attributes) "
                        "VALUES (?, ?, ?, ?, ?)", (arn, ctx.account, ctx.region, platform, json.dumps(kept)))
        return {"PlatformApplicationArn": arn}

    def get_platform_application_attributes(self, ctx: RequestContext, params: dict) -> dict:
        _, attributes = self._application(ctx, params.get("PlatformApplicationArn"))
        return {"Attributes": attributes}

    def set_platform_application_attributes(self, ctx: RequestContext, params: dict) -> dict:
        arn = params.get("PlatformApplicationArn")
        given = required(params, "Attributes")
        _, attributes = self._application(ctx, arn)
        changes = _checked_application_attributes(given, "")
        for key, value in changes.items():
            if key in _CREDENTIALS:
                continue  # accepted (a rotation), never kept
            if value == "" and key != "Enabled":
                attributes.pop(key, None)
            else:
                attributes[key] = value
        self.db.execute("UPDATE platform_applications SET attributes = ? WHERE arn = ?", (json.dumps(attributes), arn))
        return {}

    def list_platform_applications(self, ctx: RequestContext, params: dict) -> dict:
        rows = self.db.query("SELECT arn, attributes FROM platform_applications WHERE account = ? AND region = ? "
                             "ORDER BY arn", (ctx.account, ctx.region))
        chosen, token = page(rows, lambda row: row[0], params.get("NextToken"))
        out: dict = {"PlatformApplications": [{"PlatformApplicationArn": arn, "Attributes": json.loads(attributes)}
                                              for arn, attributes in chosen]}
        if token:
            out["NextToken"] = token
        return out

    def delete_platform_application(self, ctx: RequestContext, params: dict) -> dict:
        arn = params.get("PlatformApplicationArn")
        _checked_arn(arn, _APP_ARN, "PlatformApplicationArn")
        with self.db.transaction():  # deleting one that does not exist succeeds, as on AWS
            self.db.execute("DELETE FROM platform_endpoints WHERE application_arn = ? AND application_arn IN "
                            "(SELECT arn FROM platform_applications WHERE account = ?)", (arn, ctx.account))
            self.db.execute("DELETE FROM platform_applications WHERE arn = ? AND account = ?", (arn, ctx.account))
        return {}

    # -- endpoints -------------------------------------------------------------------------

    def create_platform_endpoint(self, ctx: RequestContext, params: dict) -> dict:
        application_arn = params.get("PlatformApplicationArn")
        token = required(params, "Token")
        given = _checked_endpoint_attributes(params.get("Attributes") or {})
        platform, _ = self._application(ctx, application_arn)
        wanted = {"Enabled": given.get("Enabled", "true"), "Token": token}
        custom = params.get("CustomUserData", given.get("CustomUserData"))
        if custom:
            wanted["CustomUserData"] = custom
        row = self.db.query_one("SELECT arn, attributes FROM platform_endpoints WHERE application_arn = ? AND "
                                "token = ?", (application_arn, token))
        if row is not None:  # idempotent on the token: the same attributes answer the same endpoint
            if json.loads(row[1]) != wanted:
                raise invalid_parameter(f"Token Reason: Endpoint {row[0]} already exists with the same Token, but "
                                        "different attributes.")
            return {"EndpointArn": row[0]}
        name = application_arn.rsplit("/", 1)[1]
        arn = (f"arn:{partition_of(ctx.region)}:sns:{ctx.region}:{ctx.account}:endpoint/{platform}/{name}/"
               f"{uuid.uuid4()}")
        self._save_endpoint(arn, application_arn, wanted)
        return {"EndpointArn": arn}

    def get_endpoint_attributes(self, ctx: RequestContext, params: dict) -> dict:
        return {"Attributes": self._endpoint(ctx, params.get("EndpointArn"))}

    def set_endpoint_attributes(self, ctx: RequestContext, params: dict) -> dict:
        arn = params.get("EndpointArn")
        given = _checked_endpoint_attributes(required(params, "Attributes"))
        attributes = self._endpoint(ctx, arn)
        for key, value in given.items():
            if key == "CustomUserData" and value == "":
                attributes.pop(key, None)
            else:
                attributes[key] = value
        application_arn = self.db.query_one("SELECT application_arn FROM platform_endpoints WHERE arn = ?", (arn,))[0]
        self._save_endpoint(arn, application_arn, attributes)
        return {}

    def list_endpoints_by_platform_application(self, ctx: RequestContext, params: dict) -> dict:
        application_arn = params.get("PlatformApplicationArn")
        self._application(ctx, application_arn)
        rows = self.db.query("SELECT arn, attributes FROM platform_endpoints WHERE application_arn = ? ORDER BY arn",
                             (application_arn,))
        chosen, token = page(rows, lambda row: row[0], params.get("NextToken"))
        out: dict = {"Endpoints": [{"EndpointArn": arn, "Attributes": json.loads(attributes)}
                                   for arn, attributes in chosen]}
        if token:
            out["NextToken"] = token
        return out

    def delete_endpoint(self, ctx: RequestContext, params: dict) -> dict:
        arn = params.get("EndpointArn")
        match = _checked_arn(arn, _ENDPOINT_ARN, "EndpointArn")
        if match.group(2) == ctx.account:  # deleting one that does not exist succeeds, as on AWS
            self.db.execute("DELETE FROM platform_endpoints WHERE arn = ?", (arn,))
        return {}

    # -- Publish to an endpoint ------------------------------------------------------------

    def publish_to_endpoint(self, ctx: RequestContext, arn: str, entry, endpoint_base: str) -> str:
        """Queue a checked message for one endpoint (Publish with an endpoint's TargetArn)."""
        match = _ENDPOINT_ARN.match(arn)
        found = self.platform_endpoint(arn) if match is not None and match.group(2) == ctx.account else None
        if found is None or match.group(1) != ctx.region:
            raise invalid_parameter("TargetArn Reason: No endpoint found for the target arn specified")
        if found[1].get("Enabled") != "true":
            raise AwsError("EndpointDisabled", "Endpoint is disabled")
        message_id = str(uuid.uuid4())
        message = SnsMessage(type=NOTIFICATION, message_id=message_id, topic_arn="", endpoint=endpoint_base,
                             timestamp=iso_timestamp(self.clock.now()), message=entry.message, subject=entry.subject,
                             bodies=entry.bodies, attributes=entry.attributes, subscription_arn=arn,
                             subscription={"protocol": "application", "endpoint": arn, "owner": ctx.account,
                                           "attributes": {}})
        target = SubscriptionRecord(arn, "", ctx.account, "application", arn, True, None, 0.0, {})
        self.delivery.enqueue(message, [target])
        return message_id
