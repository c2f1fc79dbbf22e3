"""CloudWatch's side of the authorization interface (``overcast.auth.authorization.authority``).

CloudWatch has no resource policies: identity policies decide. What it tells the authorizer
is the tags of its resources (aws:ResourceTag/* on alarms, dashboards, Contributor Insights
rules and metric streams, from ``tags.py``'s table). The request's own condition keys
(cloudwatch:namespace, aws:RequestTag/*, aws:TagKeys) come from the action table.

A denial is CloudWatch's query-era ``AccessDenied`` (403) on every wire: the service is
``awsQueryCompatible``, so its JSON and CBOR answers carry the query code in
``x-amzn-query-error`` (``AccessDenied;Sender``), which the SDKs read as the error code, as
SQS, the other query-compatible service, answers its denials.
"""

from __future__ import annotations

from overcast.auth.authorization.authority import ResourceAuthority
from overcast.auth.authorization.denials import denial_message
from overcast.errors import AwsError
from overcast.services.cloudwatch.tags import ARN
from overcast.storage.scope import Scope


class CloudWatchAuthority(ResourceAuthority):
    def resource_tags(self, ctx, arn: str) -> dict[str, str]:
        match = ARN.fullmatch(arn) if isinstance(arn, str) else None
        if match is None:
            return {}
        return self.tags_of(Scope(match.group(2), match.group(1)), arn)

    def denial_error(self, ctx, denial):
        return AwsError("AccessDenied", denial_message(denial.principal, denial.action, denial.resource,
                                                       denial.reason), 403)
