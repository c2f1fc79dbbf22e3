"""Get/UpdateTraceSegmentDestination: where PutTraceSegments data goes, per account and region.

Every account starts with ``XRay`` (X-Ray's own store, which everything else in Overcast's
X-Ray reads). ``CloudWatchLogs`` (Transaction Search) needs a CloudWatch Logs resource policy
letting X-Ray write the ``aws/spans`` log group; Overcast has no CloudWatch Logs yet, so that
prerequisite can never be met and the switch is refused with InvalidRequestException, as
X-Ray refuses it when the policy is missing. Setting the destination it already has is
refused as X-Ray does ("The destination is already set to ...").
"""

from __future__ import annotations

from overcast.services.xray.errors import InvalidRequest
from overcast.services.xray.validation import check_input

DEFAULT_DESTINATION = "XRay"
MISSING_LOGS_POLICY = ("X-Ray does not have permission to write spans to CloudWatch Logs. Create a CloudWatch "
                       "Logs resource policy that allows xray.amazonaws.com to call logs:PutLogEvents on the "
                       "aws/spans and /aws/application-signals/data log groups, then retry.")


class SegmentDestinationOperations:
    def _segment_destination(self, ctx) -> str:
        row = self.db.query_one("SELECT destination FROM segment_destination WHERE account = ? AND region = ?",
                                (ctx.account, ctx.region))
        return row[0] if row else DEFAULT_DESTINATION

    def get_trace_segment_destination(self, ctx, params: dict) -> dict:
        return {"Destination": self._segment_destination(ctx), "Status": "ACTIVE"}

    def update_trace_segment_destination(self, ctx, params: dict) -> dict:
        check_input("UpdateTraceSegmentDestination", params)
        current = self._segment_destination(ctx)
        wanted = params.get("Destination")
        if wanted is None:  # nothing asked: the destination stays as it is
            return {"Destination": current, "Status": "ACTIVE"}
        if wanted == current:
            raise InvalidRequest(message=f"The destination is already set to {current}")
        if wanted == "CloudWatchLogs":  # no CloudWatch Logs, so no resource policy can allow it
            raise InvalidRequest(message=MISSING_LOGS_POLICY)
        self.db.execute(
            "INSERT INTO segment_destination (account, region, destination) VALUES (?, ?, ?) "
            "ON CONFLICT (account, region) DO UPDATE SET destination = excluded.destination",
            (ctx.account, ctx.region, wanted))
        return {"Destination": wanted, "Status": "ACTIVE"}
