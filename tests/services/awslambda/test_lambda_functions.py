"""CreateFunction, GetFunction(Configuration), ListFunctions, DeleteFunction, code and
configuration updates: what Lambda answers and in which words."""

from __future__ import annotations

import base64
import hashlib
import io
import urllib.request
import zipfile

import pytest
from botocore.config import Config

from aws_clients import STRICT
from lambda_helpers import PYTHON_RUNTIME, create_python_function, error_of, execution_role, zip_of

CODE = "def handler(event, context):\n    return event\n"


@pytest.fixture
def lam(aws_client):
    return aws_client("lambda")


def test_create_answers_pending_then_active_with_exact_code_digest(lam):
    package = zip_of({"lambda_function.py": CODE})
    created = create_python_function(lam, "f1", CODE, Description="d", Timeout=10, MemorySize=256,
                                     Environment={"Variables": {"AA": "1"}}, Tags={"team": "x"})
    assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
    assert created["State"] == "Pending" and created["StateReasonCode"] == "Creating"
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()
    assert created["CodeSize"] == len(package)
    assert created["FunctionArn"].startswith("arn:aws:lambda:us-east-1:") and created["FunctionArn"].endswith(
        ":function:f1")
    assert (created["Runtime"], created["Handler"], created["Timeout"], created["MemorySize"]) == \
        (PYTHON_RUNTIME, "lambda_function.handler", 10, 256)
    assert created["Version"] == "$LATEST" and created["PackageType"] == "Zip"
    assert created["Architectures"] == ["x86_64"] and created["EphemeralStorage"] == {"Size": 512}
    assert created["Environment"] == {"Variables": {"AA": "1"}}
    assert created["LastModified"].endswith("+0000") and len(created["LastModified"]) == 28
    config = lam.get_function_configuration(FunctionName="f1")
    assert config["State"] == "Active" and config["LastUpdateStatus"] == "Successful"
    assert config["RevisionId"] == created["RevisionId"]
    lam.get_waiter("function_active_v2").wait(FunctionName="f1", WaiterConfig={"Delay": 1, "MaxAttempts": 3})


def test_defaults_and_get_function_location_downloads_the_zip(lam):
    package = zip_of({"lambda_function.py": CODE})
    create_python_function(lam, "f2", CODE, Tags={"k": "v"})
    got = lam.get_function(FunctionName="f2")
    config = got["Configuration"]
    assert (config["Timeout"], config["MemorySize"], config["Description"]) == (3, 128, "")
    assert config["TracingConfig"] == {"Mode": "PassThrough"}
    assert config["LoggingConfig"] == {"LogFormat": "Text", "LogGroup": "/aws/lambda/f2"}
    assert got["Tags"] == {"k": "v"} and got["Code"]["RepositoryType"] == "S3"
    with urllib.request.urlopen(got["Code"]["Location"], timeout=10) as response:
        assert response.read() == package
    tampered = got["Code"]["Location"].replace("signature=", "signature=0")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(tampered, timeout=10)
    assert caught.value.code == 403


def test_create_from_s3_object_and_version(lam, aws_client):
    s3 = aws_client("s3")
    s3.create_bucket(Bucket="code-bucket")
    s3.put_bucket_versioning(Bucket="code-bucket", VersioningConfiguration={"Status": "Enabled"})
    first = zip_of({"lambda_function.py": CODE})
    v1 = s3.put_object(Bucket="code-bucket", Key="fn.zip", Body=first)["VersionId"]
    s3.put_object(Bucket="code-bucket", Key="fn.zip", Body=zip_of({"lambda_function.py": CODE + "# 2\n"}))
    created = lam.create_function(FunctionName="from-s3", Runtime=PYTHON_RUNTIME, Role=execution_role(lam),
                                  Handler="lambda_function.handler",
                                  Code={"S3Bucket": "code-bucket", "S3Key": "fn.zip", "S3ObjectVersion": v1})
    assert created["CodeSha256"] == base64.b64encode(hashlib.sha256(first).digest()).decode()
    code, message = error_of(lam.create_function, FunctionName="missing-key", Runtime=PYTHON_RUNTIME,
                             Role=execution_role(lam), Handler="h.h", Code={"S3Bucket": "code-bucket", "S3Key": "no"})
    assert code == "InvalidParameterValueException"
    assert message == ("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: The specified "
                       "key does not exist.")


def test_create_refusals_in_aws_words(lam, aws_client):
    role = execution_role(lam)
    base = {"Runtime": PYTHON_RUNTIME, "Role": role, "Handler": "lambda_function.handler",
            "Code": {"ZipFile": zip_of({"lambda_function.py": CODE})}}
    create_python_function(lam, "dup", CODE)
    assert error_of(lam.create_function, FunctionName="dup", status=409, **base) == (
        "ResourceConflictException", "Function already exist: dup")
    assert error_of(lam.create_function, FunctionName="t", **{**base, "Timeout": 901}) == (
        "ValidationException", "1 validation error detected: Value '901' at 'timeout' failed to satisfy "
        "constraint: Member must have value less than or equal to 900")
    assert error_of(lam.create_function, FunctionName="m", **{**base, "MemorySize": 10241}) == (
        "ValidationException", "1 validation error detected: Value '10241' at 'memorySize' failed to satisfy "
        "constraint: Member must have value less than or equal to 10240")
    unchecked = aws_client("lambda", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    assert error_of(unchecked.create_function, FunctionName="e", **{**base, "EphemeralStorage": {"Size": 100}}) == (
        "ValidationException", "1 validation error detected: Value '100' at 'ephemeralStorage.size' failed to "
        "satisfy constraint: Member must have value greater than or equal to 512")
    assert error_of(lam.create_function, FunctionName="no-handler", Runtime=PYTHON_RUNTIME, Role=role,
                    Code=base["Code"]) == (
        "InvalidParameterValueException",
        "Runtime and Handler are mandatory parameters for functions created with deployment packages.")
    code, message = error_of(lam.create_function, FunctionName="old", **{**base, "Runtime": "python3.7"})
    assert code == "InvalidParameterValueException"
    assert message.startswith("The runtime parameter of python3.7 is no longer supported for creating or updating")
    code, message = error_of(lam.create_function, FunctionName="java", **{**base, "Runtime": "java21"})
    assert code == "InvalidParameterValueException" and "java21" in message
    assert error_of(lam.create_function, FunctionName="bad-zip", **{**base, "Code": {"ZipFile": b"not a zip"}}) == (
        "InvalidParameterValueException",
        "Could not unzip uploaded file. Please check your file, then try to upload again.")
    code, message = error_of(lam.create_function, FunctionName="img", Role=role, PackageType="Image",
                             Code={"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/x:latest"})
    assert code == "InvalidParameterValueException" and "does not exist" in message
    big = {"Variables": {"KK": "v" * 4100}}
    code, message = error_of(lam.create_function, FunctionName="env", **{**base, "Environment": big})
    assert code == "InvalidParameterValueException"
    assert message.startswith("Lambda was unable to configure your environment variables because the environment "
                              "variables you have provided exceeded the 4KB limit. String measured: {\"KK\":")
    code, message = error_of(lam.create_function, FunctionName="reserved",
                             **{**base, "Environment": {"Variables": {"AWS_REGION": "x"}}})
    assert message.endswith("Reserved keys used in this request: AWS_REGION")
    assert error_of(lam.create_function, FunctionName="n" * 65, **base) == (
        "ValidationException", f"1 validation error detected: Value '{'n' * 65}' at 'functionName' failed to "
        "satisfy constraint: Member must have length less than or equal to 64")
    code, message = error_of(lam.create_function, FunctionName="bad role", **{**base, "Role": "not-a-role"})
    assert code == "ValidationException" and "at 'role'" in message and "at 'functionName'" in message


def test_missing_interpreter_is_refused(lam, monkeypatch):
    import shutil

    if shutil.which("python3.14") is None and not __import__("glob").glob("/root/.pyenv/versions/3.14*"):
        code, message = error_of(lam.create_function, FunctionName="py314", Runtime="python3.14",
                                 Role=execution_role(lam), Handler="a.b",
                                 Code={"ZipFile": zip_of({"a.py": CODE})})
        assert (code, message) == ("InvalidParameterValueException", "The runtime parameter of python3.14 cannot "
                                   "be used: python3.14 is not installed on this machine.")
    else:
        pytest.skip("this machine has python3.14")


def test_not_found_names_the_arn(lam, aws_client):
    account = aws_client("sts").get_caller_identity()["Account"]
    assert error_of(lam.get_function, FunctionName="nope", status=404) == (
        "ResourceNotFoundException", f"Function not found: arn:aws:lambda:us-east-1:{account}:function:nope")
    assert error_of(lam.get_function_configuration, FunctionName="nope", Qualifier="3", status=404) == (
        "ResourceNotFoundException", f"Function not found: arn:aws:lambda:us-east-1:{account}:function:nope:3")


def test_resolve_by_arn_and_partial_arn(lam):
    arn = create_python_function(lam, "named", CODE)["FunctionArn"]
    account = arn.split(":")[4]
    assert lam.get_function_configuration(FunctionName=arn)["FunctionName"] == "named"
    assert lam.get_function_configuration(FunctionName=f"{account}:function:named")["FunctionArn"] == arn
    assert lam.get_function_configuration(FunctionName=f"{arn}:$LATEST")["Version"] == "$LATEST"
    assert error_of(lam.get_function_configuration, FunctionName=f"{arn}:$LATEST", Qualifier="1") == (
        "InvalidParameterValueException",
        "The derived qualifier from the function name does not match the specified qualifier.")


def test_list_functions_pages(lam):
    for i in range(5):
        create_python_function(lam, f"list-{i}", CODE)
    seen, marker = [], None
    while True:
        page = lam.list_functions(MaxItems=2, **({"Marker": marker} if marker else {}))
        assert len(page["Functions"]) <= 2
        seen += [f["FunctionName"] for f in page["Functions"]]
        marker = page.get("NextMarker")
        if not marker:
            break
    assert seen == [f"list-{i}" for i in range(5)]
    paginated = [f["FunctionName"] for p in lam.get_paginator("list_functions").paginate() for f in p["Functions"]]
    assert paginated == seen


def test_update_code_and_configuration_with_revision_ids(lam):
    created = create_python_function(lam, "upd", CODE)
    new_zip = zip_of({"lambda_function.py": CODE + "# v2\n"})
    assert error_of(lam.update_function_code, FunctionName="upd", ZipFile=new_zip, RevisionId="stale",
                    status=412) == ("PreconditionFailedException", "The Revision Id provided does not match the "
                                    "latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest "
                                    "Revision Id")
    updated = lam.update_function_code(FunctionName="upd", ZipFile=new_zip, RevisionId=created["RevisionId"])
    assert updated["LastUpdateStatus"] == "InProgress"
    assert updated["CodeSha256"] == base64.b64encode(hashlib.sha256(new_zip).digest()).decode()
    assert updated["RevisionId"] != created["RevisionId"]
    lam.get_waiter("function_updated_v2").wait(FunctionName="upd", WaiterConfig={"Delay": 1, "MaxAttempts": 3})
    configured = lam.update_function_configuration(FunctionName="upd", Timeout=30, MemorySize=512,
                                                   Environment={"Variables": {"XX": "y"}}, Description="new",
                                                   RevisionId=updated["RevisionId"])
    assert (configured["Timeout"], configured["MemorySize"], configured["Description"]) == (30, 512, "new")
    after = lam.get_function_configuration(FunctionName="upd")
    assert after["LastUpdateStatus"] == "Successful" and after["Environment"] == {"Variables": {"XX": "y"}}
    assert after["CodeSha256"] == updated["CodeSha256"]
    assert error_of(lam.update_function_configuration, FunctionName="upd", Timeout=5,
                    RevisionId=updated["RevisionId"], status=412)[0] == "PreconditionFailedException"
    with urllib.request.urlopen(lam.get_function(FunctionName="upd")["Code"]["Location"], timeout=10) as r:
        assert zipfile.ZipFile(io.BytesIO(r.read())).read("lambda_function.py").decode().endswith("# v2\n")


def test_delete_function(lam):
    create_python_function(lam, "gone", CODE)
    assert lam.delete_function(FunctionName="gone")["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert error_of(lam.get_function, FunctionName="gone", status=404)[0] == "ResourceNotFoundException"
    assert error_of(lam.delete_function, FunctionName="gone", status=404)[0] == "ResourceNotFoundException"
    create_python_function(lam, "gone", CODE)  # the name is free again
    assert error_of(lam.delete_function, FunctionName="gone", Qualifier="$LATEST") == (
        "InvalidParameterValueException", "$LATEST version cannot be deleted without deleting the function.")


@pytest.mark.skipif(not STRICT, reason="the role is checked in strict mode")
def test_strict_role_must_trust_lambda(lam, aws_client):
    iam = aws_client("iam")
    arn = iam.create_role(RoleName="not-lambda", AssumeRolePolicyDocument=(
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},'
        '"Action":"sts:AssumeRole"}]}'))["Role"]["Arn"]
    for role in (arn, arn.replace("not-lambda", "missing")):
        assert error_of(lam.create_function, FunctionName="r", Runtime=PYTHON_RUNTIME, Role=role, Handler="a.b",
                        Code={"ZipFile": zip_of({"a.py": CODE})}) == (
            "InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda.")


def test_publish_on_create_and_code_update(lam):
    created = create_python_function(lam, "pub", CODE, Publish=True)
    assert created["Version"] == "1" and created["FunctionArn"].endswith(":function:pub:1")
    assert created["State"] == "Pending"
    updated = lam.update_function_code(FunctionName="pub", ZipFile=zip_of({"lambda_function.py": CODE + "#\n"}),
                                       Publish=True)
    assert updated["Version"] == "2" and updated["LastUpdateStatus"] == "InProgress"
    one = lam.get_function_configuration(FunctionName="pub", Qualifier="1")
    assert one["CodeSha256"] == created["CodeSha256"] != updated["CodeSha256"]
    with urllib.request.urlopen(lam.get_function(FunctionName="pub", Qualifier="1")["Code"]["Location"],
                                timeout=10) as response:
        assert response.read() == zip_of({"lambda_function.py": CODE})


def test_code_dry_run_changes_nothing(lam):
    created = create_python_function(lam, "dry", CODE)
    answer = lam.update_function_code(FunctionName="dry", ZipFile=zip_of({"lambda_function.py": CODE + "#\n"}),
                                      DryRun=True)
    assert answer["CodeSha256"] != created["CodeSha256"]
    assert lam.get_function_configuration(FunctionName="dry")["CodeSha256"] == created["CodeSha256"]


def test_invalid_list_marker(lam):
    assert error_of(lam.list_functions, Marker="not-a-marker") == ("InvalidParameterValueException", "Invalid marker")


def test_layers_recorded_with_their_size(lam):
    content = zip_of({"python/helper.py": "X = 1\n"})
    layer = lam.publish_layer_version(LayerName="helpers", Content={"ZipFile": content})["LayerVersionArn"]
    created = create_python_function(lam, "layered", CODE, Layers=[layer])
    assert created["Layers"] == [{"Arn": layer, "CodeSize": len(content)}]
    missing = layer[:-1] + "9"
    assert error_of(lam.update_function_configuration, FunctionName="layered", Layers=[missing]) == (
        "InvalidParameterValueException", f"Layer version {missing} does not exist.")
    lam.update_function_configuration(FunctionName="layered", Layers=[])
    assert "Layers" not in lam.get_function_configuration(FunctionName="layered")


def test_list_all_versions_in_number_order(lam):
    create_python_function(lam, "many-versions", CODE)
    for i in range(11):
        lam.update_function_configuration(FunctionName="many-versions", Description=str(i))
        lam.publish_version(FunctionName="many-versions")
    listed = [f["Version"] for p in lam.get_paginator("list_functions").paginate(
        FunctionVersion="ALL", PaginationConfig={"PageSize": 4}) for f in p["Functions"]]
    assert listed == ["$LATEST", *[str(n) for n in range(1, 12)]]
    assert [f["Version"] for f in lam.list_functions()["Functions"]] == ["$LATEST"]


def test_errors_carry_the_user_type_on_the_wire(lam):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as caught:
        lam.get_function(FunctionName="absent")
    response = caught.value.response
    assert response["ResponseMetadata"]["HTTPHeaders"]["x-amzn-errortype"] == "ResourceNotFoundException"
    assert response["Type"] == "User"


def test_update_code_from_s3_and_invalid_environment_keys(lam, aws_client):
    s3 = aws_client("s3")
    s3.create_bucket(Bucket="update-bucket")
    package = zip_of({"lambda_function.py": CODE + "# from s3\n"})
    s3.put_object(Bucket="update-bucket", Key="new.zip", Body=package)
    create_python_function(lam, "s3-update", CODE)
    updated = lam.update_function_code(FunctionName="s3-update", S3Bucket="update-bucket", S3Key="new.zip")
    assert updated["CodeSha256"] == base64.b64encode(hashlib.sha256(package).digest()).decode()
    assert updated["CodeSize"] == len(package)
    for key in ("1BAD", "A", "BAD-KEY"):
        assert error_of(lam.update_function_configuration, FunctionName="s3-update",
                        Environment={"Variables": {key: "x"}}) == (
            "ValidationException", "1 validation error detected: Value at 'environment.variables' failed to satisfy "
            "constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: "
            "[a-zA-Z]([a-zA-Z0-9_])+]")
