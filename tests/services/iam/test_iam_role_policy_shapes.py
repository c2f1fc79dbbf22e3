"""CreateRole's answer, Attach*Policy's ARN check, and the AWS managed policies the build, deploy
and runtime roles attach (boto3 and the raw query wire)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from iam_helpers import IAM_NS, error_of, signed_query, trust_policy

INVALID_ARN = "Invalid ARN:  Could not be parsed!"
WORKLOAD_POLICY_ARNS = [
    "arn:aws:iam::aws:policy/AWSLambdaExecute",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole",
    "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
    "arn:aws:iam::aws:policy/AWSCodeBuildAdminAccess",
    "arn:aws:iam::aws:policy/AWSCodeBuildDeveloperAccess",
    "arn:aws:iam::aws:policy/AWSCodeBuildReadOnlyAccess",
    "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRole",
    "arn:aws:iam::aws:policy/service-role/AWSCodeDeployRoleForLambda",
    "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS",
    "arn:aws:iam::aws:policy/AWSElasticBeanstalkWebTier",
    "arn:aws:iam::aws:policy/AWSElasticBeanstalkWorkerTier",
    "arn:aws:iam::aws:policy/AWSElasticBeanstalkMulticontainerDocker",
    "arn:aws:iam::aws:policy/AdministratorAccess-AWSElasticBeanstalk",
    "arn:aws:iam::aws:policy/service-role/AWSElasticBeanstalkEnhancedHealth",
    "arn:aws:iam::aws:policy/AWSElasticBeanstalkManagedUpdatesCustomerRolePolicy",
    "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
    "arn:aws:iam::aws:policy/CloudWatchFullAccess",
    "arn:aws:iam::aws:policy/CloudWatchFullAccessV2",
    "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess",
    "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess",
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
    "arn:aws:iam::aws:policy/AWSXrayFullAccess",
    "arn:aws:iam::aws:policy/AWSCodePipeline_FullAccess",
    "arn:aws:iam::aws:policy/AWSCodeCommitPowerUser",
]


@pytest.fixture
def iam(aws_client):
    return aws_client("iam")


def test_create_role_answer_has_no_max_session_duration(iam):
    created = iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust_policy(), MaxSessionDuration=7200)
    assert "MaxSessionDuration" not in created["Role"]
    assert iam.get_role(RoleName="app")["Role"]["MaxSessionDuration"] == 7200
    assert iam.list_roles()["Roles"][0]["MaxSessionDuration"] == 7200


def test_create_role_answer_on_the_query_wire(endpoint):
    response = signed_query(endpoint, {"Action": "CreateRole", "RoleName": "wire",
                                       "AssumeRolePolicyDocument": trust_policy()})
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.find(f".//{IAM_NS}Role/{IAM_NS}RoleName").text == "wire"
    assert root.find(f".//{IAM_NS}MaxSessionDuration") is None
    response = signed_query(endpoint, {"Action": "GetRole", "RoleName": "wire"})
    assert ET.fromstring(response.content).find(f".//{IAM_NS}MaxSessionDuration").text == "3600"


@pytest.mark.parametrize("operation,entity", [("attach_role_policy", "RoleName"), ("attach_user_policy", "UserName"),
                                              ("attach_group_policy", "GroupName")])
@pytest.mark.parametrize("policy_arn",
                         ["AWSLambdaBasicExecutionRole", "arn:aws:iam:policy/Foo", "arn::iam::aws:policy/xyz"])
def test_attach_with_a_non_arn_is_a_validation_error(iam, operation, entity, policy_arn):
    # the entity does not exist: the ARN's form is checked first
    code, message, status = error_of(getattr(iam, operation), **{entity: "missing"}, PolicyArn=policy_arn)
    assert (code, message, status) == ("ValidationError", INVALID_ARN, 400)


def test_attach_with_a_wellformed_unknown_arn_is_not_found(iam):
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=trust_policy())
    arn = "arn:aws:iam::aws:policy/NoSuchPolicyAnywhere"
    code, message, status = error_of(iam.attach_role_policy, RoleName="app", PolicyArn=arn)
    assert (code, message, status) == ("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.", 404)
    code, _, _ = error_of(iam.attach_role_policy, RoleName="missing",
                          PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    assert code == "NoSuchEntity"


def test_invalid_arn_on_the_query_wire(endpoint):
    response = signed_query(endpoint, {"Action": "AttachRolePolicy", "RoleName": "r",
                                       "PolicyArn": "service-role/AWSLambdaRole"})
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.find(f".//{IAM_NS}Code").text == "ValidationError"
    assert root.find(f".//{IAM_NS}Message").text == INVALID_ARN


def test_workload_policies_exist_and_attach(iam):
    iam.create_role(RoleName="worker", AssumeRolePolicyDocument=trust_policy("lambda.amazonaws.com"))
    for arn in WORKLOAD_POLICY_ARNS:
        policy = iam.get_policy(PolicyArn=arn)["Policy"]
        assert policy["Arn"] == arn and policy["DefaultVersionId"] == "v1"
        document = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["Document"]
        assert document["Version"] == "2012-10-17" and document["Statement"]
    for arn in WORKLOAD_POLICY_ARNS[:10]:  # the quota: 10 managed policies per role
        iam.attach_role_policy(RoleName="worker", PolicyArn=arn)
    attached = iam.list_attached_role_policies(RoleName="worker")["AttachedPolicies"]
    assert {p["PolicyArn"] for p in attached} == set(WORKLOAD_POLICY_ARNS[:10])


def test_lambda_execute_document(iam):
    document = iam.get_policy_version(PolicyArn="arn:aws:iam::aws:policy/AWSLambdaExecute",
                                      VersionId="v1")["PolicyVersion"]["Document"]
    assert document["Statement"] == [
        {"Effect": "Allow", "Action": "logs:*", "Resource": "arn:aws:logs:*:*:*"},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::*"}]


def test_aws_policies_listed_by_path(iam):
    listed = iam.list_policies(Scope="AWS", PathPrefix="/service-role/", MaxItems=1000)["Policies"]
    names = {p["PolicyName"] for p in listed}
    assert {"AWSLambdaRole", "AWSCodeDeployRole", "AWSElasticBeanstalkEnhancedHealth"} <= names
    assert all(p["Path"] == "/service-role/" for p in listed)
