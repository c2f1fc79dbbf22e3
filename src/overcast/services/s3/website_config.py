"""S3 static website configuration: Put/Get/DeleteBucketWebsite.

The configuration is one ``bucket_configs`` row (kind ``website``), checked as S3 checks it
(PutBucketWebsite reference; the refusals' texts are S3's): either ``RedirectAllRequestsTo``
alone, or an ``IndexDocument`` with an optional ``ErrorDocument`` and up to 50
``RoutingRules``. ``website_endpoint.py`` serves a bucket from it.
"""

from __future__ import annotations

from overcast.errors import AwsError

from .bucket_config import malformed_xml

KIND = "website"
# S3: a website configuration holds at most 50 routing rules
MAX_ROUTING_RULES = 50
PROTOCOLS = ("http", "https")


def _invalid_request(message: str) -> AwsError:
    return AwsError("InvalidRequest", message, 400)


def _invalid_argument(message: str, name: str, value) -> AwsError:
    return AwsError("InvalidArgument", message, 400, fields={"ArgumentName": name, "ArgumentValue": value})


def _check_protocol(protocol) -> None:
    if protocol is not None and protocol not in PROTOCOLS:
        raise _invalid_request("Invalid protocol, protocol can be http or https. If not defined the protocol will be "
                               "selected automatically.")


def _check_rule(rule: dict) -> dict:
    redirect = rule.get("Redirect")
    if not isinstance(redirect, dict):
        raise malformed_xml()  # Redirect is required in a RoutingRule
    if "Condition" in rule:
        condition = rule.get("Condition") or {}
        if not any(condition.get(name) is not None for name in ("KeyPrefixEquals", "HttpErrorCodeReturnedEquals")):
            raise _invalid_request("Condition cannot be empty. To redirect all requests without a condition, the "
                                   "condition element shouldn't be present.")
        code = condition.get("HttpErrorCodeReturnedEquals")
        if code is not None and not (code.isdigit() and len(code) == 3 and code[0] in "45"):
            raise _invalid_request(f"The provided HTTP error code ({code}) is not valid. Valid codes are 4XX or 5XX.")
    if redirect.get("ReplaceKeyPrefixWith") is not None and redirect.get("ReplaceKeyWith") is not None:
        raise _invalid_request("You can only define ReplaceKeyPrefix or ReplaceKey but not both.")
    _check_protocol(redirect.get("Protocol"))
    code = redirect.get("HttpRedirectCode")
    if code is not None and not (code.isdigit() and len(code) == 3 and code[0] == "3" and code != "300"):
        raise _invalid_request(f"The provided HTTP redirect code ({code}) is not valid. Valid codes are 3XX except "
                               "300.")
    stored = {"Redirect": {k: v for k, v in redirect.items() if v is not None}}
    if rule.get("Condition"):
        stored["Condition"] = {k: v for k, v in rule["Condition"].items() if v is not None}
    return stored


def check_website_configuration(config: dict) -> dict:
    """The configuration as stored, or the error S3 answers for it (in S3's order)."""
    redirect_all = config.get("RedirectAllRequestsTo")
    if redirect_all is not None:
        if any(config.get(name) is not None for name in ("IndexDocument", "ErrorDocument", "RoutingRules")):
            raise _invalid_argument("RedirectAllRequestsTo cannot be provided in conjunction with other Routing "
                                    "Rules.", "RedirectAllRequestsTo", "not null")
        if not redirect_all.get("HostName"):
            raise malformed_xml()
        _check_protocol(redirect_all.get("Protocol"))
        return {"RedirectAllRequestsTo": {k: v for k, v in redirect_all.items() if v is not None}}
    index = config.get("IndexDocument")
    if not index:
        raise _invalid_argument("A value for IndexDocument Suffix must be provided if RedirectAllRequestsTo is empty",
                                "IndexDocument", "null")
    suffix = index.get("Suffix")
    if not suffix or "/" in suffix:
        raise _invalid_argument("The IndexDocument Suffix is not well formed", "IndexDocument", suffix or "null")
    stored = {"IndexDocument": {"Suffix": suffix}}
    error = config.get("ErrorDocument")
    if error is not None:
        if not error.get("Key"):
            raise malformed_xml()
        stored["ErrorDocument"] = {"Key": error["Key"]}
    rules = config.get("RoutingRules")
    if rules is not None:
        if not rules:
            raise malformed_xml()
        if len(rules) > MAX_ROUTING_RULES:
            raise _invalid_request(f"{len(rules)} routing rules provided, the number of routing rules in a website "
                                   f"configuration is limited to {MAX_ROUTING_RULES}.")
        stored["RoutingRules"] = [_check_rule(rule) for rule in rules]
    return stored


def no_such_website_configuration(bucket: str) -> AwsError:
    return AwsError("NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration", 404,
                    fields={"BucketName": bucket})


class WebsiteConfigMixin:
    def put_bucket_website(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        self.configs.put(bucket, KIND, check_website_configuration(params.get("WebsiteConfiguration") or {}))
        return {}

    def get_bucket_website(self, ctx, params: dict) -> dict:
        config = self.configs.get(self.config_bucket(ctx, params), KIND)
        if not config:
            raise no_such_website_configuration(params["Bucket"])
        return config

    def delete_bucket_website(self, ctx, params: dict) -> dict:
        self.configs.delete(self.config_bucket(ctx, params), KIND)
        return {"__status__": 204}

    def website_configuration(self, bucket) -> dict | None:
        """The bucket's stored website configuration, or None (the website endpoint)."""
        return self.configs.get(bucket, KIND) or None
