"""S3's static website endpoint: a bucket with a website configuration served to browsers.

What S3 does (Hosting a static website using Amazon S3, user guide), in its order:

- only GET and HEAD (anything else: 405 MethodNotAllowed); OPTIONS is the bucket's CORS;
- the bucket must exist (404 NoSuchBucket) and have a website configuration (404
  NoSuchWebsiteConfiguration); a Requester Pays bucket answers 403 AccessDenied;
- ``RedirectAllRequestsTo`` sends every request to its host (301, path and query kept);
- a routing rule whose condition is a key prefix only (or that has no condition) redirects
  before any object is read;
- ``/`` and ``/folder/`` serve ``<folder>/<IndexDocument Suffix>``; ``/folder`` without its
  slash, when there is no such object but the folder's index exists, answers 302 to ``/folder/``;
- an object with ``x-amz-website-redirect-location`` answers 301 to that location;
- an object is served as GetObject serves it: conditional headers and Range apply;
- an error first meets the routing rules with ``HttpErrorCodeReturnedEquals``, then, for a
  4xx, the custom ``ErrorDocument`` (served with the error's status), else S3's HTML page.

Every request is anonymous: in strict mode each object read is authorized as an anonymous
GetObject (the bucket policy, ACLs where enabled, Block Public Access), so a private bucket
answers 403 AccessDenied, and a missing key 403 unless anonymous callers may list the bucket.
In open mode everything is served.
"""

from __future__ import annotations

import dataclasses
import logging
from email.utils import parsedate_to_datetime
from urllib.parse import quote, unquote

from overcast.errors import AwsError
from overcast.protocols import HttpRequest, HttpResponse, get_protocol
from overcast.protocols.models import service_model

from .website_config import no_such_website_configuration
from .website_pages import error_headers, error_page, redirect, request_id_headers

log = logging.getLogger("overcast.s3.website")

_CONDITIONS = (("if-match", "IfMatch"), ("if-none-match", "IfNoneMatch"), ("range", "Range"))
_DATES = (("if-modified-since", "IfModifiedSince"), ("if-unmodified-since", "IfUnmodifiedSince"))
_KEY_SAFE = "/~!$&'()*+,;=:@"


def _method_not_allowed(method: str) -> AwsError:
    return AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405,
                    fields={"Method": method, "ResourceType": "OBJECT"})


def read_conditions(headers: dict[str, str]) -> dict:
    """GetObject's conditional and Range parameters from a browser's headers (a date that
    cannot be read is ignored, as HTTP says)."""
    params = {member: headers[name] for name, member in _CONDITIONS if name in headers}
    for name, member in _DATES:
        if name in headers:
            try:
                params[member] = parsedate_to_datetime(headers[name])
            except (TypeError, ValueError, IndexError):
                pass
    return params


def _prefix_matches(rule: dict, key: str) -> bool:
    prefix = (rule.get("Condition") or {}).get("KeyPrefixEquals")
    return prefix is None or key.startswith(prefix)


class WebsiteRequest:
    """One request to a bucket's website."""

    def __init__(self, provider, ctx, request: HttpRequest, bucket: str, base: str, authorizer):
        self.provider, self.ctx, self.request = provider, ctx, request
        self.bucket_name, self.base, self.authorizer = bucket, base, authorizer
        self.head = request.method == "HEAD"

    async def serve(self, path: str) -> HttpResponse:
        """The answer to a request for ``path`` (percent-encoded, from ``/``) on the site."""
        method = self.request.method
        if method not in ("GET", "HEAD"):
            return self.page(_method_not_allowed(method))
        if not path:  # the path form's site root without its slash
            return redirect(302, f"{self.base}/", self.ctx.request_id)
        try:
            bucket = self.provider.bucket_row(self.ctx, self.bucket_name, owned=False)
        except AwsError as error:
            return self.page(error)
        if self.authorizer is None:
            self.ctx.account = bucket.account  # open mode: the website serves everything
        config = self.provider.website_configuration(bucket)
        if config is None:
            return self.page(no_such_website_configuration(self.bucket_name))
        if self.provider.configs.get(bucket, "request-payment") == "Requester":
            # "Requester Pays buckets do not allow access through the website endpoint. Any
            # request to such a bucket receives a 403 Access Denied response." (user guide)
            return await self.error_response(AwsError("AccessDenied", "Access Denied", 403), None)
        return await self.serve_site(config, path)

    async def serve_site(self, config: dict, path: str) -> HttpResponse:
        """The answer of a website whose bucket and configuration are known."""
        key = unquote(path[1:])
        redirect_all = config.get("RedirectAllRequestsTo")
        if redirect_all is not None:
            query = f"?{self.request.query_string}" if self.request.query_string else ""
            location = f"{redirect_all.get('Protocol') or 'http'}://{redirect_all['HostName']}{path}{query}"
            return redirect(301, location, self.ctx.request_id)
        rules = config.get("RoutingRules") or []
        for rule in rules:
            condition = rule.get("Condition") or {}
            if condition.get("HttpErrorCodeReturnedEquals") is None and _prefix_matches(rule, key):
                return self.rule_redirect(rule, key)
        suffix = config["IndexDocument"]["Suffix"]
        wanted = key + suffix if key == "" or key.endswith("/") else key
        try:
            return await self.object_response(wanted, conditional=True)
        except AwsError as error:
            failure = error
        if wanted == key and failure.code in ("NoSuchKey", "AccessDenied") \
                and await self.readable(f"{key}/{suffix}"):
            return redirect(302, f"{self.base}/{quote(key, safe=_KEY_SAFE)}/", self.ctx.request_id)
        for rule in rules:
            condition = rule.get("Condition") or {}
            if condition.get("HttpErrorCodeReturnedEquals") == str(failure.status) and _prefix_matches(rule, key):
                return self.rule_redirect(rule, key)
        return await self.error_response(failure, (config.get("ErrorDocument") or {}).get("Key"))

    # -- objects ---------------------------------------------------------------------------

    def _lookup_ctx(self):
        """A context for one object read: authorization marks are per read."""
        return dataclasses.replace(self.ctx, operation="HeadObject" if self.head else "GetObject", extra={})

    async def _read(self, key: str, params: dict, head: bool) -> tuple[object, dict]:
        ctx = self._lookup_ctx()
        params = {"Bucket": self.bucket_name, "Key": key, **params}
        if self.authorizer is not None:  # strict mode: as an anonymous caller
            await self.authorizer.authorize(ctx, params, self.request)
        result = self.provider.head_object(ctx, params) if head else await self.provider.get_object(ctx, params)
        return ctx, result

    async def readable(self, key: str) -> bool:
        """Whether ``key`` exists and an anonymous caller may read it."""
        try:
            await self._read(key, {}, head=True)
        except AwsError:
            return False
        return True

    async def object_response(self, key: str, conditional: bool) -> HttpResponse:
        """The object served as GetObject (HeadObject) serves it; its website redirect as 301."""
        params = read_conditions(self.request.headers) if conditional else {}
        ctx, result = await self._read(key, params, self.head)
        location = result.get("WebsiteRedirectLocation")
        if conditional and location and result.get("__status__") != 304:
            body = result.pop("Body", None)
            if hasattr(body, "close"):
                body.close()
            if location.startswith("/"):
                location = self.base + location
            return redirect(301, location, self.ctx.request_id)
        operation = service_model("s3").operation_model("HeadObject" if self.head else "GetObject")
        return get_protocol("rest-xml").serialize_response(operation, result, ctx)

    # -- redirects and errors --------------------------------------------------------------

    def rule_redirect(self, rule: dict, key: str) -> HttpResponse:
        """The redirect a routing rule makes of a request for ``key``."""
        target = rule["Redirect"]
        if target.get("ReplaceKeyWith") is not None:
            new_key = target["ReplaceKeyWith"]
        elif target.get("ReplaceKeyPrefixWith") is not None:
            prefix = (rule.get("Condition") or {}).get("KeyPrefixEquals") or ""
            new_key = target["ReplaceKeyPrefixWith"] + key[len(prefix):]
        else:
            new_key = key
        host = target.get("HostName")
        site = host if host else f"{self.request.headers.get('host', '')}{self.base}"
        location = f"{target.get('Protocol') or 'http'}://{site}/{quote(new_key, safe=_KEY_SAFE)}"
        return redirect(int(target.get("HttpRedirectCode") or 301), location, self.ctx.request_id)

    async def error_response(self, failure: AwsError, document: str | None) -> HttpResponse:
        """A 4xx answers the custom error document with the error's status, when it can be
        read; anything else (or a document that cannot be read) S3's HTML page."""
        if document is None or not 400 <= failure.status < 500:
            return self.page(failure)
        try:
            served = await self.object_response(document, conditional=False)
        except AwsError as error:
            return self.page(failure, error)
        served.status = failure.status
        served.headers.update(error_headers(failure, self.ctx.request_id))
        return served

    def page(self, error: AwsError, document_error: AwsError | None = None) -> HttpResponse:
        return error_page(error, self.ctx.request_id, self.head, document_error)


class WebsiteEndpointMixin:
    async def serve_website(self, ctx, request: HttpRequest, bucket: str, path: str, base: str,
                            authorizer) -> HttpResponse:
        """The website endpoint's answer to ``request`` for ``path`` of ``bucket``'s site
        (``base``: the URL prefix of the site's root, for redirects); ``authorizer`` is strict
        mode's (None in open mode)."""
        try:
            if request.method == "OPTIONS":
                return self._website_preflight(ctx, request, bucket, path)
            response = await WebsiteRequest(self, ctx, request, bucket, base, authorizer).serve(path)
        except Exception:  # noqa: BLE001 - an Overcast bug: logged, answered as S3 would
            log.exception("internal error on the website endpoint")
            return error_page(AwsError("InternalError", "We encountered an internal error. Please try again.", 500),
                              ctx.request_id, request.method == "HEAD")
        if "origin" in request.headers:
            found = self.cors_response_headers(ctx.region, request.method, "", f"/{bucket}{path}", request.headers)
            response.headers.update(found or {})
        return response

    def _website_preflight(self, ctx, request: HttpRequest, bucket: str, path: str) -> HttpResponse:
        """A browser's preflight: the bucket's CORS rules decide, as on the REST endpoint."""
        try:
            found = self.cors_preflight(ctx.region, "", f"/{bucket}{path}", request.headers)
        except AwsError as error:
            return error_page(error, ctx.request_id, False)
        if found is None:
            return error_page(AwsError("NoSuchBucket", "The specified bucket does not exist", 404,
                                       fields={"BucketName": bucket}), ctx.request_id, False)
        return HttpResponse(200, {**request_id_headers(ctx.request_id), **found}, b"")
