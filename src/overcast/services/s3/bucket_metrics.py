"""S3 request-metrics configurations (CloudWatch request metrics filters):
Put/Get/Delete/ListBucketMetricsConfiguration(s).

A configuration is an Id and an optional filter: a Prefix, a Tag, an access point ARN, or
an And of them. Stored and listed as S3 does (``id_configs.py``); Overcast has no request
metrics to publish yet, so a configuration changes nothing else.
"""

from __future__ import annotations

import re

from .bucket_config import malformed_xml
from .id_configs import check_document_id, check_filter, invalid_argument

FAMILY = "metrics"
# arn:<partition>:s3:<region>:<account>:accesspoint/<name> (S3 access point ARNs)
_ACCESS_POINT_ARN = re.compile(r"^arn:aws[a-z-]*:s3:[a-z0-9-]+:\d{12}:accesspoint/[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$")


def _check_access_point(arn) -> None:
    if arn is not None and not _ACCESS_POINT_ARN.match(arn):
        raise invalid_argument("Invalid AccessPointArn", "AccessPointArn", arn)


class BucketMetricsMixin:
    def put_bucket_metrics_configuration(self, ctx, params: dict) -> dict:
        document = params.get("MetricsConfiguration")
        if not isinstance(document, dict):
            raise malformed_xml()
        config_id = check_document_id(params["Id"], document)
        given = document.get("Filter")
        check_filter(given, extra=("AccessPointArn",))
        if given is not None:
            _check_access_point(given.get("AccessPointArn"))
            _check_access_point((given.get("And") or {}).get("AccessPointArn"))
        value = {"Id": config_id}
        if given is not None:
            value["Filter"] = given
        return self._put_id_config(ctx, params, FAMILY, config_id, value)

    def get_bucket_metrics_configuration(self, ctx, params: dict) -> dict:
        return {"MetricsConfiguration": self._get_id_config(ctx, params, FAMILY)}

    def delete_bucket_metrics_configuration(self, ctx, params: dict) -> dict:
        return self._delete_id_config(ctx, params, FAMILY)

    def list_bucket_metrics_configurations(self, ctx, params: dict) -> dict:
        return self._list_id_configs(ctx, params, FAMILY, "MetricsConfigurationList")
