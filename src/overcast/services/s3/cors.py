"""S3 CORS: Put/Get/DeleteBucketCors, and the bucket's rules applied to browser requests.

A preflight (``OPTIONS /bucket/key`` with ``Origin`` and ``Access-Control-Request-Method``)
is answered from the first rule whose AllowedOrigin, AllowedMethod and AllowedHeader match
(one ``*`` wildcard allowed in origins and headers), or refused with 403 ``AccessForbidden``.
An actual request from a browser (``Origin`` header) gets the matching rule's
Access-Control-* headers, and none when no rule matches (nor when the bucket has no CORS
configuration or does not exist). The gateway asks this module (``cors_preflight``,
``cors_response_headers``) for the requests S3 answers.

S3's refusals, as recorded against S3: a preflight without ``Origin`` is 400; to a bucket that
does not exist, 403 "CORSResponse: Bucket not found"; to a bucket without a configuration,
403 "CORSResponse: CORS is not enabled for this bucket." (both whatever the requested method,
``Method`` naming it, or OPTIONS when none was asked, and ``ResourceType`` BUCKET even for a
key); only then are the requested method and the rules looked at.
"""

from __future__ import annotations

import fnmatch
import json
import re
from urllib.parse import unquote

from overcast.errors import AwsError
from overcast.protocols.s3_hosts import bucket_from_host
from overcast.storage.scope import partition_of

from .bucket_config import malformed_xml
from .buckets import check_bucket_name

KIND = "cors"
# S3 limits: 100 rules per CORS configuration; methods GET, PUT, HEAD, POST, DELETE
MAX_RULES = 100
METHODS = ("GET", "PUT", "HEAD", "POST", "DELETE")
_VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
# An SQS queue URL on the shared endpoint (``/<account>/<queue>``): the query protocol posts there
_QUEUE_PATH = re.compile(r"^/\d{12}/[^/]+/?$")


def check_rules(rules: list) -> list:
    """The CORS rules as stored, or the error S3 answers for them."""
    if not rules or len(rules) > MAX_RULES:
        raise malformed_xml()
    stored = []
    for rule in rules:
        methods, origins = rule.get("AllowedMethods") or [], rule.get("AllowedOrigins") or []
        if not methods or not origins:
            raise malformed_xml()
        for method in methods:
            if method not in METHODS:
                raise AwsError("InvalidRequest", "Found unsupported HTTP method in CORS config. Unsupported method "
                               f"is {method}", 400)
        for origin in origins:
            if origin.count("*") > 1:
                raise AwsError("InvalidRequest", f'AllowedOrigin "{origin}" can not have more than one wildcard.', 400)
        for header in rule.get("AllowedHeaders") or []:
            if header.count("*") > 1:
                raise AwsError("InvalidRequest", f'AllowedHeader "{header}" can not have more than one wildcard.', 400)
        for header in rule.get("ExposeHeaders") or []:
            if "*" in header:
                raise AwsError("InvalidRequest", f'ExposeHeader "{header}" contains wildcard. We currently do not '
                               "support wildcard for ExposeHeader.", 400)
        kept = {name: rule[name] for name in ("ID", "AllowedHeaders", "AllowedMethods", "AllowedOrigins",
                                              "ExposeHeaders", "MaxAgeSeconds") if rule.get(name) is not None}
        stored.append(kept)
    return stored


def _wild(pattern: str, text: str, fold: bool) -> bool:
    if fold:
        pattern, text = pattern.lower(), text.lower()
    return fnmatch.fnmatchcase(text, pattern.replace("[", "[[]").replace("?", "[?]"))


def find_rule(rules: list, origin: str, method: str, request_headers: list[str] | None = None) -> dict | None:
    """The first rule allowing ``origin``, ``method`` and every one of ``request_headers``."""
    for rule in rules:
        if method not in rule["AllowedMethods"]:
            continue
        if not any(_wild(allowed, origin, fold=False) for allowed in rule["AllowedOrigins"]):
            continue
        allowed_headers = rule.get("AllowedHeaders") or []
        if request_headers and not all(any(_wild(a, h, fold=True) for a in allowed_headers) for h in request_headers):
            continue
        return rule
    return None


def rule_headers(rule: dict, origin: str) -> dict[str, str]:
    """The Access-Control-* headers S3 answers for a matching rule."""
    wildcard = "*" in rule["AllowedOrigins"]
    headers = {"access-control-allow-origin": "*" if wildcard else origin,
               "access-control-allow-methods": ", ".join(rule["AllowedMethods"]),
               "vary": _VARY}
    if not wildcard:
        headers["access-control-allow-credentials"] = "true"
    if rule.get("ExposeHeaders"):
        headers["access-control-expose-headers"] = ", ".join(rule["ExposeHeaders"])
    if rule.get("MaxAgeSeconds") is not None:
        headers["access-control-max-age"] = str(rule["MaxAgeSeconds"])
    return headers


def request_target(host: str, path: str) -> tuple[str | None, str]:
    """(bucket, key) a request names, path-style or virtual-hosted."""
    path = path.split("?", 1)[0]
    bucket = bucket_from_host(host)
    if bucket is not None:
        return bucket, unquote(path.lstrip("/"))
    name, _, key = path.lstrip("/").partition("/")
    return (unquote(name) or None), unquote(key)


def _is_s3_preflight(host: str, bucket: str | None, path: str, headers: dict[str, str]) -> bool:
    """Whether a preflight is S3's to answer. Every service shares this endpoint, so a path
    naming no bucket, or a call the browser announces as another protocol's (a JSON or CBOR
    service's target header, an SQS queue URL), keeps the endpoint's generic answer."""
    if bucket is None:
        return False
    if bucket_from_host(host) is not None:  # a virtual-hosted bucket: S3's by its name
        return True
    requested = headers.get("access-control-request-headers", "").lower()
    if "x-amz-target" in requested or "smithy-protocol" in requested or _QUEUE_PATH.match(path.split("?", 1)[0]):
        return False
    try:
        check_bucket_name(bucket)
    except AwsError:
        return False
    return True


def _forbidden(message: str, method: str, key: str) -> AwsError:
    return AwsError("AccessForbidden", message, 403,
                    fields={"Method": method, "ResourceType": "OBJECT" if key else "BUCKET"})


class CorsMixin:
    def put_bucket_cors(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        rules = check_rules((params.get("CORSConfiguration") or {}).get("CORSRules") or [])
        self.configs.put(bucket, KIND, rules)
        return {}

    def get_bucket_cors(self, ctx, params: dict) -> dict:
        rules = self.configs.get(self.config_bucket(ctx, params), KIND)
        if not rules:
            raise AwsError("NoSuchCORSConfiguration", "The CORS configuration does not exist", 404,
                           fields={"BucketName": params["Bucket"]})
        return {"CORSRules": rules}

    def delete_bucket_cors(self, ctx, params: dict) -> dict:
        self.configs.delete(self.config_bucket(ctx, params), KIND)
        return {"__status__": 204}

    def _bucket_cors_rules(self, region: str, bucket: str | None):
        """(exists, rules or None) of a bucket, in one query."""
        if not bucket:
            return False, None
        row = self.db.query_one("SELECT c.value FROM buckets b LEFT JOIN bucket_configs c ON c.partition = b.partition "
                                "AND c.bucket = b.name AND c.kind = ? WHERE b.partition = ? AND b.name = ?",
                                (KIND, partition_of(region), bucket))
        if row is None:
            return False, None
        return True, (json.loads(row[0]) if row[0] else None)

    def cors_preflight(self, region: str, host: str, path: str, headers: dict[str, str]) -> dict[str, str] | None:
        """The 200 headers of an ``OPTIONS`` request to a bucket (raises the 4xx S3 answers
        instead); None when the request is not S3's (``_is_s3_preflight``)."""
        bucket, key = request_target(host, path)
        if not _is_s3_preflight(host, bucket, path, headers):
            return None
        exists, rules = self._bucket_cors_rules(region, bucket)
        origin = headers.get("origin")
        method = headers.get("access-control-request-method")
        if origin is None:
            raise AwsError("BadRequest", "Insufficient information. Origin request header needed.", 400)
        if not exists:
            raise _forbidden("CORSResponse: Bucket not found", method or "OPTIONS", "")
        if not rules:
            raise _forbidden("CORSResponse: CORS is not enabled for this bucket.", method or "OPTIONS", "")
        if method is None:
            raise AwsError("BadRequest", "Invalid Access-Control-Request-Method: null", 400)
        if method not in METHODS:  # judged before the bucket's rules are looked at
            raise AwsError("BadRequest", f"Invalid Access-Control-Request-Method: {method}", 400)
        requested = [h.strip().lower() for h in headers.get("access-control-request-headers", "").split(",")
                     if h.strip()]
        rule = find_rule(rules, origin, method, requested)
        if rule is None:
            raise _forbidden("CORSResponse: This CORS request is not allowed. This is usually because the evalution "
                             "of Origin, request method / Access-Control-Request-Method or "
                             "Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
                             method, key)
        answer = rule_headers(rule, origin)
        if requested:
            answer["access-control-allow-headers"] = ", ".join(requested)
        answer["content-length"] = "0"
        return answer

    def cors_response_headers(self, region: str, method: str, host: str, path: str,
                              headers: dict[str, str]) -> dict[str, str] | None:
        """CORS headers for a browser's actual request to a bucket: the matching rule's, or
        none at all (``{}``: no rule matches, no configuration, no such bucket)."""
        exists, rules = self._bucket_cors_rules(region, request_target(host, path)[0])
        if not exists:
            return {}
        rule = find_rule(rules or [], headers.get("origin", ""), method)
        return {} if rule is None else rule_headers(rule, headers["origin"])
