"""S3 analytics (storage class analysis) configurations:
Put/Get/Delete/ListBucketAnalyticsConfiguration(s).

A configuration is an Id, an optional filter (Prefix, Tag or And) and a StorageClassAnalysis,
optionally exporting to a destination bucket given by ARN in CSV (schema V_1). Stored and
listed as S3 does (``id_configs.py``). S3 needs about 30 days of access history before it
exports anything; Overcast keeps no access history, so it exports nothing.
"""

from __future__ import annotations

from .bucket_config import malformed_xml
from .id_configs import check_document_id, check_filter
from .inventory_config import check_destination_arn

FAMILY = "analytics"


def _check_analysis(analysis) -> None:
    if not isinstance(analysis, dict):
        raise malformed_xml()
    export = analysis.get("DataExport")
    if export is None:
        return
    if export.get("OutputSchemaVersion") != "V_1":
        raise malformed_xml()
    destination = (export.get("Destination") or {}).get("S3BucketDestination")
    if not isinstance(destination, dict) or destination.get("Format") != "CSV" or destination.get("Bucket") is None:
        raise malformed_xml()


class BucketAnalyticsMixin:
    def put_bucket_analytics_configuration(self, ctx, params: dict) -> dict:
        document = params.get("AnalyticsConfiguration")
        if not isinstance(document, dict) or document.get("Id") is None:
            raise malformed_xml()
        analysis = document.get("StorageClassAnalysis")
        _check_analysis(analysis)
        check_filter(document.get("Filter"))
        config_id = check_document_id(params["Id"], document)
        export = analysis.get("DataExport")
        if export is not None:
            check_destination_arn(export["Destination"]["S3BucketDestination"]["Bucket"])
        value = {"Id": config_id, "StorageClassAnalysis": analysis}
        if document.get("Filter") is not None:
            value["Filter"] = document["Filter"]
        return self._put_id_config(ctx, params, FAMILY, config_id, value)

    def get_bucket_analytics_configuration(self, ctx, params: dict) -> dict:
        return {"AnalyticsConfiguration": self._get_id_config(ctx, params, FAMILY)}

    def delete_bucket_analytics_configuration(self, ctx, params: dict) -> dict:
        return self._delete_id_config(ctx, params, FAMILY)

    def list_bucket_analytics_configurations(self, ctx, params: dict) -> dict:
        return self._list_id_configs(ctx, params, FAMILY, "AnalyticsConfigurationList")
