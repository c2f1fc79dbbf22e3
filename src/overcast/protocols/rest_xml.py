"""The rest-xml protocol (S3, S3 Control, Route 53, CloudFront).

Routing and location traits are the shared REST ones (``rest.py``); bodies are XML, read by
``xml_reader`` and written by ``xml_shapes``. S3 adds virtual-hosted addressing (the bucket in
the Host name), its own error document (``<Error>`` with ``RequestId``/``HostId``, no body for
HEAD) and request-id headers (``x-amz-request-id`` + ``x-amz-id-2``); the other services
answer errors as ``<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>``.
"""

from __future__ import annotations

import base64
import functools
import hashlib

from botocore.model import OperationModel, ServiceModel

from overcast.errors import AwsError, UnknownOperation
from overcast.protocols import xml_reader, xml_shapes
from overcast.protocols.base import HttpRequest, HttpResponse
from overcast.protocols.rest import write_headers
from overcast.protocols.rest_protocol import RestProtocol, error_fields
from overcast.protocols.s3_hosts import bucket_from_host

CONTENT_TYPE = "application/xml"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"

# Root elements of S3 results as S3 writes them (botocore reads the children only, but SDKs
# in other languages and hand-written clients match the root name).
S3_ROOTS = {
    "ListBuckets": "ListAllMyBucketsResult",
    "ListDirectoryBuckets": "ListAllMyDirectoryBucketsResult",
    "ListObjects": "ListBucketResult",
    "ListObjectsV2": "ListBucketResult",
    "ListObjectVersions": "ListVersionsResult",
    "ListMultipartUploads": "ListMultipartUploadsResult",
    "ListParts": "ListPartsResult",
    "CreateMultipartUpload": "InitiateMultipartUploadResult",
    "CompleteMultipartUpload": "CompleteMultipartUploadResult",
    "DeleteObjects": "DeleteResult",
    "GetBucketAcl": "AccessControlPolicy",
    "GetObjectAcl": "AccessControlPolicy",
    "GetBucketTagging": "Tagging",
    "GetObjectTagging": "Tagging",
    "GetBucketVersioning": "VersioningConfiguration",
    "GetBucketCors": "CORSConfiguration",
    "GetBucketLifecycle": "LifecycleConfiguration",
    "GetBucketLifecycleConfiguration": "LifecycleConfiguration",
    "GetBucketLogging": "BucketLoggingStatus",
    "GetBucketNotification": "NotificationConfiguration",
    "GetBucketNotificationConfiguration": "NotificationConfiguration",
    "GetBucketWebsite": "WebsiteConfiguration",
    "GetBucketRequestPayment": "RequestPaymentConfiguration",
    "GetBucketAccelerateConfiguration": "AccelerateConfiguration",
    "GetObjectAttributes": "GetObjectAttributesResponse",
    "ListBucketAnalyticsConfigurations": "ListBucketAnalyticsConfigurationResult",
    "ListBucketInventoryConfigurations": "ListInventoryConfigurationsResult",
    "ListBucketMetricsConfigurations": "ListMetricsConfigurationsResult",
    "ListBucketIntelligentTieringConfigurations": "ListBucketIntelligentTieringConfigurationsOutput",
}

# Error codes for a body that is not XML / a value not of its type, per service.
_MALFORMED = {"route53": "InvalidInput"}
_INVALID = {"route53": "InvalidInput", "s3control": "InvalidRequest"}


# S3 results whose elements S3 writes in another order than the service model lists them
# (as S3 answers: ListAllMyBucketsResult starts with Owner, ListBucketResult with Name...)
S3_ORDERS = {
    "ListBuckets": ("Owner", "Buckets", "ContinuationToken", "Prefix"),
    "ListObjects": ("Name", "Prefix", "Marker", "NextMarker", "MaxKeys", "Delimiter", "EncodingType",
                    "IsTruncated", "Contents", "CommonPrefixes"),
    "ListObjectsV2": ("Name", "Prefix", "ContinuationToken", "NextContinuationToken", "StartAfter", "KeyCount",
                      "MaxKeys", "Delimiter", "EncodingType", "IsTruncated", "Contents", "CommonPrefixes"),
}


@functools.lru_cache(maxsize=None)
def service_namespace(service: ServiceModel) -> str | None:
    """The XML namespace of ``service``'s documents (from the ``xmlNamespace`` traits its
    input shapes carry; the models have no service-level one)."""
    if service.service_name == "s3":
        return S3_NAMESPACE
    for name in service.operation_names:
        shape = service.operation_model(name).input_shape
        if shape is None:
            continue
        candidates = [shape]
        payload = shape.serialization.get("payload")
        if payload:
            candidates.append(shape.members[payload])
        for candidate in candidates:
            ns = candidate.serialization.get("xmlNamespace")
            uri = ns.get("uri") if isinstance(ns, dict) else ns
            if uri:
                return uri
    return None


def host_id(request_id: str) -> str:
    """An ``x-amz-id-2`` for a request: opaque, stable per request id."""
    return base64.b64encode(hashlib.sha256(request_id.encode()).digest()).decode()


class RestXmlProtocol(RestProtocol):
    name = "rest-xml"
    content_type = CONTENT_TYPE

    # ------------------------------------------------------------------ routing and errors

    def parse_request(self, operation: OperationModel, request: HttpRequest) -> dict:
        # S3 reads an empty part-number-marker as none (SDKs that always send the marker)
        if operation.name == "ListParts" and request.query.get("part-number-marker") == [""]:
            del request.query["part-number-marker"]
        return super().parse_request(operation, request)

    def request_path(self, service: ServiceModel, request: HttpRequest) -> str:
        if service.service_name != "s3":
            return request.path
        bucket = bucket_from_host(request.host, request.headers.get("x-amz-request-route"))
        if bucket is None:
            return request.path
        path = request.path
        return f"/{bucket}" if path in ("", "/") else f"/{bucket}{path}"

    def strict_query(self, service: ServiceModel) -> bool:
        return service.service_name == "s3"  # S3 routes on uploadId, partNumber, id...

    def no_route(self, service: ServiceModel, request: HttpRequest, known_resource: bool) -> AwsError:
        if service.service_name == "s3":
            segments = [s for s in self.request_path(service, request).split("/") if s]
            kind = "OBJECT" if len(segments) > 1 else "BUCKET" if segments else "SERVICE"
            return AwsError(
                "MethodNotAllowed",
                "The specified method is not allowed against this resource.",
                405,
                fields={"Method": request.method, "ResourceType": kind},
                headers={"allow": "GET, HEAD, PUT, POST, DELETE"},
            )
        return UnknownOperation(
            message=f"No operation of {service.service_name} matches {request.method} {request.path}.",
            status=404,
        )

    def invalid_value(self, service: ServiceModel, message: str) -> AwsError:
        return AwsError(_INVALID.get(service.service_name, "InvalidArgument"), message, 400)

    def _malformed(self, service: ServiceModel, detail: str) -> AwsError:
        code = _MALFORMED.get(service.service_name, "MalformedXML")
        if code == "MalformedXML":
            return AwsError(
                code,
                "The XML you provided was not well-formed or did not validate against our published schema",
                400,
            )
        return AwsError(code, detail, 400)

    # ------------------------------------------------------------------ bodies

    def decode_members(self, service: ServiceModel, shape, body: bytes) -> dict:
        try:
            return xml_reader.read_document(shape, body, body_only=True)
        except xml_reader.XmlShapeError as exc:
            raise self._malformed(service, str(exc)) from None

    def decode_payload(self, service: ServiceModel, member, body: bytes):
        try:
            return xml_reader.read_document(member, body)
        except xml_reader.XmlShapeError as exc:
            raise self._malformed(service, str(exc)) from None

    def encode_members(self, operation: OperationModel, shape, result: dict) -> bytes:
        service = operation.service_model
        if service.service_name == "s3":
            if operation.name == "GetBucketLocation":
                return self._bucket_location(result)
            root = S3_ROOTS.get(operation.name) or f"{operation.name}Result"
        else:
            root = shape.serialization.get("name") or shape.name
        namespace = None if shape.serialization.get("xmlNamespace") else service_namespace(service)
        order = S3_ORDERS.get(operation.name) if service.service_name == "s3" else None
        if order is not None:
            text = xml_shapes.write_element_in_order(shape, root, result, order, namespace)
        else:
            text = xml_shapes.write_element(shape, root, result, namespace)
        return (XML_DECLARATION + text).encode("utf-8")

    def encode_payload(self, member, value, name: str, operation: OperationModel) -> bytes:
        root = member.serialization.get("name") or name
        namespace = None
        if not member.serialization.get("xmlNamespace"):
            namespace = service_namespace(operation.service_model)
        return (XML_DECLARATION + xml_shapes.write_element(member, root, value, namespace)).encode("utf-8")

    def encode_event_structure(self, shape, value) -> tuple[bytes, str]:
        return xml_shapes.write_element(shape, shape.name, value).encode("utf-8"), "text/xml"

    @staticmethod
    def _bucket_location(result: dict) -> bytes:
        # S3 answers GetBucketLocation with the region as the root's text (botocore reads it
        # with a dedicated handler); us-east-1 is an empty element, self-closing as S3 writes it
        region = result.get("LocationConstraint") or ""
        if not region:
            return (XML_DECLARATION + f'<LocationConstraint xmlns="{S3_NAMESPACE}"/>').encode("utf-8")
        body = f'<LocationConstraint xmlns="{S3_NAMESPACE}">{xml_shapes.escape_text(region)}</LocationConstraint>'
        return (XML_DECLARATION + body).encode("utf-8")

    # ------------------------------------------------------------------ responses

    def request_id_headers(self, service: ServiceModel, ctx) -> dict[str, str]:
        if ctx is None:
            return {}
        if service.service_name in ("s3", "s3control"):
            return {"x-amz-request-id": ctx.request_id, "x-amz-id-2": host_id(ctx.request_id)}
        return {"x-amzn-requestid": ctx.request_id}

    def error_response(self, service, operation, shape, error, code, status, ctx) -> HttpResponse:
        headers = self.request_id_headers(service, ctx)
        fields = error_fields(shape, error)
        if shape is not None:
            write_headers(self.error_plan(shape), fields, headers)
        headers.update(error.headers)
        if status == 304 or (operation is not None and operation.http.get("method") == "HEAD"):
            return HttpResponse(status, headers, b"")  # HEAD and 304 answers carry no body
        headers["content-type"] = CONTENT_TYPE
        members = self._error_members(shape, fields, error)
        request_id = ctx.request_id if ctx is not None else ""
        if service.service_name == "s3":
            body = (
                f"<Error><Code>{xml_shapes.escape_text(code)}</Code>"
                f"<Message>{xml_shapes.escape_text(error.message)}</Message>{members}"
                f"<RequestId>{request_id}</RequestId><HostId>{host_id(request_id)}</HostId></Error>"
            )
        else:
            namespace = service_namespace(service)
            xmlns = f' xmlns="{xml_shapes.escape_attr(namespace)}"' if namespace else ""
            kind = "Sender" if error.sender_fault and status < 500 else "Receiver"
            body = (
                f"<ErrorResponse{xmlns}><Error><Type>{kind}</Type>"
                f"<Code>{xml_shapes.escape_text(code)}</Code>"
                f"<Message>{xml_shapes.escape_text(error.message)}</Message>{members}</Error>"
                f"<RequestId>{request_id}</RequestId></ErrorResponse>"
            )
        return HttpResponse(status, headers, (XML_DECLARATION + body).encode("utf-8"))

    @staticmethod
    def _error_members(shape, fields: dict, error: AwsError) -> str:
        """The error's extra elements: modelled members by the shape, others as text."""
        out: list[str] = []
        modelled = {}
        for key, value in fields.items():
            if key in ("Message", "message", "Code", "RequestId", "HostId") or value is None:
                continue
            if shape is not None and key in shape.members:
                modelled[key] = value
            else:
                out.append(f"<{key}>{xml_shapes.escape_text(str(value))}</{key}>")
        if modelled:
            out.insert(0, xml_shapes.write_members(shape, modelled))
        return "".join(out)


PROTOCOL = RestXmlProtocol()
