"""EC2's side of the authorization interface (``overcast.auth.authorization.authority``).

An instance's tags are both aws:ResourceTag/* and ec2:ResourceTag/*; RunInstances with an
instance profile passes the profile's role (iam:PassRole on the role's ARN, read from IAM
when IAM holds profiles at all).
"""

from __future__ import annotations

from overcast.auth.authorization.authority import ResourceAuthority


class Ec2Authority(ResourceAuthority):
    def authorization_values(self, ctx, params: dict) -> dict:
        profile = params.get("IamInstanceProfile") or {}
        named = profile.get("Arn") or profile.get("Name")
        iam = self.cloud.services.loaded().get("iam") if named else None
        if iam is None:  # IAM not loaded: it holds no profiles, and EC2 answers the missing one
            return {}
        roles = iam.instance_profile_roles(ctx.account, named)
        return {"PassedRoleArn": roles[0].arn} if roles else {}

    def resource_tags(self, ctx, arn: str) -> dict[str, str]:
        """The tags of an instance of the caller's account and region (as DescribeTags shows them)."""
        resource = arn.split(":", 5)[5]
        if not resource.startswith("instance/") or resource.endswith("/*"):
            return {}
        row = self.instances.one(resource.rsplit("/", 1)[-1])
        if row is None or row.account != ctx.account or row.region != ctx.region:
            return {}
        return self.tags.of(row.instance_id)

    def resource_condition_keys(self, ctx, arn: str, check, facts, mentioned) -> dict:
        if not mentioned("resourcetag"):
            return {}
        return {f"ec2:ResourceTag/{key}": value for key, value in self.resource_tags(ctx, arn).items()}
