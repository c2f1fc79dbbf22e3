"""Service-linked roles as AWS creates them: the name AWS fixes per service, the path, the trust
policy, the one AWS managed policy attached, CustomSuffix only where AWS allows it; and the
table of services agreeing with the managed-policy catalogue."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import pytest
from iam_helpers import ACCOUNT, IAM_NS, error_of, signed_query

from overcast.services.iam.aws_managed import aws_policy
from overcast.services.iam.service_linked_role_table import SERVICE_LINKED_ROLES



@pytest.fixture
def iam(aws_client):
    return aws_client("iam")


def test_table_covers_the_common_services_and_agrees_with_the_catalogue():
    assert len(SERVICE_LINKED_ROLES) >= 70
    principals = [entry.principal for entry in SERVICE_LINKED_ROLES]
    assert len(set(principals)) == len(principals)
    for entry in SERVICE_LINKED_ROLES:
        assert entry.principal.endswith(".amazonaws.com")
        assert entry.role_name.startswith("AWSServiceRoleFor")
        policy = aws_policy(f"arn:aws:iam::aws:policy/aws-service-role/{entry.policy_name}")
        assert policy is not None, entry.policy_name
        assert json.loads(policy.document)["Statement"]
    assert {e.principal for e in SERVICE_LINKED_ROLES if e.custom_suffix} == {
        "autoscaling.amazonaws.com", "connect.amazonaws.com", "lexv2.amazonaws.com"}


def test_certificate_manager_role(iam):
    role = iam.create_service_linked_role(AWSServiceName="acm.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForCertificateManager"
    assert role["Path"] == "/aws-service-role/acm.amazonaws.com/"
    assert role["Arn"] == (f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/acm.amazonaws.com/"
                           "AWSServiceRoleForCertificateManager")
    trust = iam.get_role(RoleName=role["RoleName"])["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"] == [{"Effect": "Allow", "Principal": {"Service": "acm.amazonaws.com"},
                                   "Action": "sts:AssumeRole"}]
    attached = iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"]
    assert attached == [{"PolicyName": "CertificateManagerServiceRolePolicy",
                         "PolicyArn": "arn:aws:iam::aws:policy/aws-service-role/CertificateManagerServiceRolePolicy"}]
    assert iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"] == []
    policy = iam.get_policy(PolicyArn=attached[0]["PolicyArn"])["Policy"]
    assert policy["Path"] == "/aws-service-role/" and policy["AttachmentCount"] == 1


@pytest.mark.parametrize("service,name,policy", [
    ("elasticbeanstalk.amazonaws.com", "AWSServiceRoleForElasticBeanstalk", "AWSElasticBeanstalkServiceRolePolicy"),
    ("ecs.amazonaws.com", "AWSServiceRoleForECS", "AmazonECSServiceRolePolicy"),
    ("es.amazonaws.com", "AWSServiceRoleForAmazonElasticsearchService", "AmazonElasticsearchServiceRolePolicy"),
    ("dynamodb.application-autoscaling.amazonaws.com", "AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
     "AWSApplicationAutoscalingDynamoDBTablePolicy"),
])
def test_role_names_and_policies_per_service(iam, service, name, policy):
    role = iam.create_service_linked_role(AWSServiceName=service)["Role"]
    assert role["RoleName"] == name
    attached = iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"]
    assert [p["PolicyName"] for p in attached] == [policy]


def test_custom_suffix_where_aws_allows_it(iam):
    role = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="fleet")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForAutoScaling_fleet"
    plain = iam.create_service_linked_role(AWSServiceName="autoscaling.amazonaws.com")["Role"]
    assert plain["RoleName"] == "AWSServiceRoleForAutoScaling"
    lex = iam.create_service_linked_role(AWSServiceName="lexv2.amazonaws.com", CustomSuffix="bot1")["Role"]
    assert lex["RoleName"] == "AWSServiceRoleForLexV2Bots_bot1"
    connect = iam.create_service_linked_role(AWSServiceName="connect.amazonaws.com", CustomSuffix="inst")["Role"]
    assert connect["RoleName"] == "AWSServiceRoleForAmazonConnect_inst"


def test_custom_suffix_refused_elsewhere(iam):
    code, message, status = error_of(iam.create_service_linked_role, AWSServiceName="acm.amazonaws.com",
                                     CustomSuffix="x")
    assert (code, message, status) == ("InvalidInput", "Custom suffix is not allowed for acm.amazonaws.com", 400)
    assert iam.list_roles(PathPrefix="/aws-service-role/")["Roles"] == []


def test_taken_name(iam):
    iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    code, message, status = error_of(iam.create_service_linked_role, AWSServiceName="ecs.amazonaws.com")
    assert (code, message, status) == (
        "InvalidInput", "Service role name AWSServiceRoleForECS has been taken in this account, please try a "
        "different suffix.", 400)


def test_attached_policy_is_protected_and_deletion_still_works(iam):
    name = iam.create_service_linked_role(AWSServiceName="rds.amazonaws.com")["Role"]["RoleName"]
    arn = "arn:aws:iam::aws:policy/aws-service-role/AmazonRDSServiceRolePolicy"
    assert error_of(iam.detach_role_policy, RoleName=name, PolicyArn=arn)[0] == "UnmodifiableEntity"
    task = iam.delete_service_linked_role(RoleName=name)["DeletionTaskId"]
    assert iam.get_service_linked_role_deletion_status(DeletionTaskId=task)["Status"] == "SUCCEEDED"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 0


def test_query_wire(endpoint):
    response = signed_query(endpoint, {"Action": "CreateServiceLinkedRole",
                                       "AWSServiceName": "elasticloadbalancing.amazonaws.com"})
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    assert root.find(f".//{IAM_NS}RoleName").text == "AWSServiceRoleForElasticLoadBalancing"
    trust = json.loads(unquote(root.find(f".//{IAM_NS}AssumeRolePolicyDocument").text))
    assert trust["Statement"][0]["Principal"] == {"Service": "elasticloadbalancing.amazonaws.com"}
    response = signed_query(endpoint, {"Action": "CreateServiceLinkedRole", "AWSServiceName": "ssm.amazonaws.com",
                                       "CustomSuffix": "mine"})
    assert response.status_code == 400
    root = ET.fromstring(response.content)
    assert root.find(f".//{IAM_NS}Code").text == "InvalidInput"
    assert root.find(f".//{IAM_NS}Message").text == "Custom suffix is not allowed for ssm.amazonaws.com"
