"""SNS's side of the authorization interface (``overcast.auth.authorization.authority``).

A topic's Policy attribute is its resource policy (the default one SNS writes lets the owner
account's principals do the topic actions) and its tags are aws:ResourceTag/*. SNS words a
denial as AuthorizationError (403) "User: <arn> is not authorized to perform: SNS:Publish on
resource: <topic arn> because ...", with the action's service prefix in capitals.
"""

from __future__ import annotations

from overcast.auth.authorization.authority import ResourceAuthority, ResourceFacts
from overcast.auth.authorization.denials import denial_message, reason_text
from overcast.errors import AwsError
from overcast.services.sns.arns import parse_topic_arn


class SnsAuthority(ResourceAuthority):
    def validate_request(self, ctx, params: dict) -> None:
        """A malformed topic ARN, and Publish's checks of the message itself, answer before any
        authorization, as on AWS (strict mode only: the operation checks again in both modes)."""
        if ctx.operation == "Publish":
            from overcast.services.sns.publishing import check_publish_request

            check_publish_request(params)
        for name in ("TopicArn", "ResourceArn"):
            value = params.get(name)
            if value is not None and ctx.operation not in ("ConfirmSubscription",):
                parse_topic_arn(value, name)
        target = params.get("TargetArn")
        if target is not None and ":endpoint/" not in str(target):
            parse_topic_arn(target, "TargetArn")

    def resource_facts(self, ctx, arn: str) -> ResourceFacts | None:
        """The topic's owner and Policy; None (the ARN's account) when there is no such topic."""
        topic = self.store.topic(arn)
        if topic is None:
            return None
        return ResourceFacts(owner=topic.account, policy=topic.attributes.get("Policy") or None)

    def resource_tags(self, ctx, arn: str) -> dict[str, str]:
        topic = self.store.topic(arn)
        return dict(topic.tags) if topic is not None else {}

    def denial_error(self, ctx, denial):
        service, _, name = denial.action.partition(":")
        shown = f"{service.upper()}:{name}"
        return AwsError("AuthorizationError", denial_message(denial.principal, shown, denial.resource,
                                                             reason_text(shown, denial.decision)), 403)
