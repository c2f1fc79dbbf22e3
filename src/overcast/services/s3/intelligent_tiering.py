"""S3 Intelligent-Tiering archive configurations:
Put/Get/Delete/ListBucketIntelligentTieringConfiguration(s).

A configuration is an Id, a Status, an optional filter (Prefix, Tag or And) and one or two
Tierings: ARCHIVE_ACCESS after 90-730 days without access, DEEP_ARCHIVE_ACCESS after
180-730 days (``Tiering.Days``). Stored and listed as S3 does (``id_configs.py``).
"""

from __future__ import annotations

from .bucket_config import malformed_xml
from .id_configs import check_document_id, check_filter, invalid_argument

FAMILY = "intelligent-tiering"
# "The minimum number of days specified for Archive Access tier must be at least 90 days and
# Deep Archive Access tier must be at least 180 days. The maximum can be up to 2 years (730
# days)." (Tiering.Days)
_DAYS = {"ARCHIVE_ACCESS": (90, 730), "DEEP_ARCHIVE_ACCESS": (180, 730)}


def _check_tierings(tierings) -> None:
    if not tierings:
        raise malformed_xml()
    seen = set()
    for tiering in tierings:
        tier, days = tiering.get("AccessTier"), tiering.get("Days")
        if tier not in _DAYS or days is None:
            raise malformed_xml()
        if tier in seen:
            raise invalid_argument("Each tiering must have a unique AccessTier.", "AccessTier", tier)
        seen.add(tier)
        low, high = _DAYS[tier]
        if not low <= days <= high:
            raise invalid_argument(f"Days for {tier} must be between {low} and {high}.", "Days", days)


class IntelligentTieringMixin:
    def put_bucket_intelligent_tiering_configuration(self, ctx, params: dict) -> dict:
        document = params.get("IntelligentTieringConfiguration")
        if not isinstance(document, dict) or document.get("Status") not in ("Enabled", "Disabled"):
            raise malformed_xml()
        check_filter(document.get("Filter"))
        tierings = document.get("Tierings")
        if not tierings:
            raise malformed_xml()
        config_id = check_document_id(params["Id"], document)
        _check_tierings(tierings)
        value = {"Id": config_id, "Status": document["Status"],
                 "Tierings": [{"Days": t["Days"], "AccessTier": t["AccessTier"]} for t in tierings]}
        if document.get("Filter") is not None:
            value["Filter"] = document["Filter"]
        return self._put_id_config(ctx, params, FAMILY, config_id, value)

    def get_bucket_intelligent_tiering_configuration(self, ctx, params: dict) -> dict:
        return {"IntelligentTieringConfiguration": self._get_id_config(ctx, params, FAMILY)}

    def delete_bucket_intelligent_tiering_configuration(self, ctx, params: dict) -> dict:
        return self._delete_id_config(ctx, params, FAMILY)

    def list_bucket_intelligent_tiering_configurations(self, ctx, params: dict) -> dict:
        return self._list_id_configs(ctx, params, FAMILY, "IntelligentTieringConfigurationList")
