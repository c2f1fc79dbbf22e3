"""AWS managed policies (``arn:aws:iam::aws:policy/...``) users commonly attach, as data
(here the general ones; ``aws_managed_workloads`` those of the build, deploy and runtime roles;
``aws_managed_service_roles`` those of service-linked roles).

The documents follow AWS's published descriptions of each policy (AWS Managed Policy Reference
Guide), shortened where AWS lists many services: ReadOnlyAccess here covers the read actions of
the services Overcast implements and the common read verbs. Overcast serves each at version v1.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from overcast.services.iam.aws_managed_service_roles import PATH as SERVICE_ROLE_PATH
from overcast.services.iam.aws_managed_service_roles import SERVICE_ROLE_POLICIES
from overcast.services.iam.aws_managed_workloads import WORKLOAD_POLICIES
from overcast.services.iam.policy_statements import allow, document

# 2015-02-06T18:39:46Z, when AWS published most of its first managed policies
_CREATED = 1423248000.0


_doc, _allow = document, allow


@dataclass(frozen=True)
class AwsPolicy:
    name: str
    path: str
    description: str
    document: str

    @property
    def arn(self) -> str:
        return f"arn:aws:iam::aws:policy{self.path}{self.name}"

    @property
    def policy_id(self) -> str:
        digest = hashlib.sha256(self.name.encode()).hexdigest().upper()
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
        return "ANPA" + "".join(alphabet[int(digest[i:i + 2], 16) % 32] for i in range(0, 34, 2))

    created = _CREATED
    default_version = "v1"


_POLICIES = [
    AwsPolicy("AdministratorAccess", "/", "Provides full access to AWS services and resources.",
              _doc(_allow("*"))),
    AwsPolicy("PowerUserAccess", "/",
              "Provides full access to AWS services and resources, but does not allow management of Users and groups.",
              _doc({"Effect": "Allow", "NotAction": ["iam:*", "organizations:*", "account:*"], "Resource": "*"},
                   _allow(["iam:CreateServiceLinkedRole", "iam:DeleteServiceLinkedRole", "iam:ListRoles",
                           "organizations:DescribeOrganization", "account:ListRegions",
                           "account:GetAccountInformation"]))),
    AwsPolicy("ReadOnlyAccess", "/", "Provides read-only access to AWS services and resources.",
              _doc(_allow(["*:Describe*", "*:Get*", "*:List*", "s3:GetObject", "s3:ListBucket",
                           "sqs:ReceiveMessage", "sts:GetCallerIdentity"]))),
    AwsPolicy("AmazonS3FullAccess", "/", "Provides full access to all buckets via the AWS Management Console.",
              _doc(_allow(["s3:*", "s3-object-lambda:*"]))),
    AwsPolicy("AmazonS3ReadOnlyAccess", "/", "Provides read only access to all buckets via the AWS Management Console.",
              _doc(_allow(["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"]))),
    AwsPolicy("AmazonSQSFullAccess", "/", "Provides full access to Amazon SQS via the AWS Management Console.",
              _doc(_allow("sqs:*"))),
    AwsPolicy("AmazonSQSReadOnlyAccess", "/", "Provides read only access to Amazon SQS via the AWS Management Console.",
              _doc(_allow(["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListDeadLetterSourceQueues",
                           "sqs:ListQueues", "sqs:ListMessageMoveTasks", "sqs:ListQueueTags"]))),
    AwsPolicy("AmazonSNSFullAccess", "/", "Provides full access to Amazon SNS via the AWS Management Console.",
              _doc(_allow("sns:*"))),
    AwsPolicy("AmazonEC2FullAccess", "/", "Provides full access to Amazon EC2 via the AWS Management Console.",
              _doc(_allow(["ec2:*", "elasticloadbalancing:*", "cloudwatch:*", "autoscaling:*"]))),
    AwsPolicy("AmazonEC2ReadOnlyAccess", "/", "Provides read only access to Amazon EC2 via the AWS Management Console.",
              _doc(_allow(["ec2:Describe*", "elasticloadbalancing:Describe*", "cloudwatch:ListMetrics",
                           "cloudwatch:GetMetricStatistics", "cloudwatch:Describe*", "autoscaling:Describe*"]))),
    AwsPolicy("IAMFullAccess", "/", "Provides full access to IAM via the AWS Management Console.",
              _doc(_allow("iam:*"),
                   _allow(["organizations:DescribeAccount", "organizations:DescribeOrganization",
                           "organizations:DescribeOrganizationalUnit", "organizations:DescribePolicy",
                           "organizations:ListChildren", "organizations:ListParents",
                           "organizations:ListPoliciesForTarget", "organizations:ListRoots",
                           "organizations:ListPolicies", "organizations:ListTargetsForPolicy"]))),
    AwsPolicy("IAMReadOnlyAccess", "/", "Provides read only access to IAM via the AWS Management Console.",
              _doc(_allow(["iam:GenerateCredentialReport", "iam:GenerateServiceLastAccessedDetails", "iam:Get*",
                           "iam:List*", "iam:SimulateCustomPolicy", "iam:SimulatePrincipalPolicy"]))),
    AwsPolicy("CloudWatchLogsFullAccess", "/", "Provides full access to CloudWatch Logs",
              _doc(_allow(["logs:*", "cloudwatch:GenerateQuery"]))),
    AwsPolicy("AWSLambda_FullAccess", "/", "Grants full access to AWS Lambda service, AWS Lambda console features, "
              "and other related AWS services.",
              _doc(_allow(["lambda:*", "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:GetLogEvents",
                           "logs:FilterLogEvents", "iam:ListRoles", "iam:GetRole", "iam:ListRolePolicies",
                           "iam:ListAttachedRolePolicies"]),
                   _allow("iam:PassRole",
                          Condition={"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}))),
    AwsPolicy("AWSLambdaBasicExecutionRole", "/service-role/", "Provides write permissions to CloudWatch Logs.",
              _doc(_allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]))),
    AwsPolicy("AWSLambdaSQSQueueExecutionRole", "/service-role/",
              "Provides receive message, delete message, and read attribute access to SQS queues, and write "
              "permissions to CloudWatch logs.",
              _doc(_allow(["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                           "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]))),
    AwsPolicy("AmazonSSMManagedInstanceCore", "/", "The policy for Amazon EC2 Role to enable AWS Systems Manager "
              "service core functionality.",
              _doc(_allow(["ssm:DescribeAssociation", "ssm:GetDeployablePatchSnapshotForInstance", "ssm:GetDocument",
                           "ssm:DescribeDocument", "ssm:GetManifest", "ssm:GetParameter", "ssm:GetParameters",
                           "ssm:ListAssociations", "ssm:ListInstanceAssociations", "ssm:PutInventory",
                           "ssm:PutComplianceItems", "ssm:PutConfigurePackageResult",
                           "ssm:UpdateAssociationStatus", "ssm:UpdateInstanceAssociationStatus",
                           "ssm:UpdateInstanceInformation"]),
                   _allow(["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel",
                           "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"]),
                   _allow(["ec2messages:AcknowledgeMessage", "ec2messages:DeleteMessage", "ec2messages:FailMessage",
                           "ec2messages:GetEndpoint", "ec2messages:GetMessages", "ec2messages:SendReply"]))),
]

_POLICIES += [AwsPolicy(*entry) for entry in WORKLOAD_POLICIES]
_POLICIES += [AwsPolicy(name, SERVICE_ROLE_PATH, description, text)
              for name, (description, text) in SERVICE_ROLE_POLICIES.items()]

BY_ARN: dict[str, AwsPolicy] = {p.arn: p for p in _POLICIES}
assert len(BY_ARN) == len(_POLICIES), "an AWS managed policy is listed twice"


def aws_policy(arn: str) -> AwsPolicy | None:
    return BY_ARN.get(arn)


def all_aws_policies() -> list[AwsPolicy]:
    return list(_POLICIES)
