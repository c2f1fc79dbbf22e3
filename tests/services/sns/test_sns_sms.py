"""SMS from local state: Publish to a PhoneNumber (the text lands in the outbox), SMS
attributes, opt-out checks and opt-in, the SMS sandbox's destination numbers verified with
the one-time password texted to them."""

from __future__ import annotations

import re
import time

import pytest
import requests
from botocore.exceptions import ClientError


def error_of(excinfo) -> tuple[str, str, int]:
    err = excinfo.value.response
    return err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"]


def texts_to(endpoint: str, number: str, count: int) -> list[str]:
    """The bodies of the SMS the outbox holds for ``number``, once there are ``count``."""
    for _ in range(100):
        answer = requests.get(f"{endpoint}/_overcast/sns/outbox", params={"endpoint": number}, timeout=10)
        bodies = [entry["body"] for entry in answer.json()["messages"]]
        if len(bodies) >= count:
            return bodies
        time.sleep(0.05)
    raise AssertionError(f"no SMS to {number}")


def test_publish_to_a_phone_number_lands_in_the_outbox(sns, endpoint):
    answer = sns.publish(PhoneNumber="+15555550123", Message="your code is 1234")
    assert len(answer["MessageId"]) == 36
    assert texts_to(endpoint, "+15555550123", 1) == ["your code is 1234"]


def test_sms_attributes(sns):
    assert sns.get_sms_attributes()["attributes"] == {}
    sns.set_sms_attributes(attributes={"DefaultSMSType": "Transactional", "DefaultSenderID": "Overcast"})
    assert sns.get_sms_attributes()["attributes"] == {"DefaultSMSType": "Transactional",
                                                      "DefaultSenderID": "Overcast"}
    assert sns.get_sms_attributes(attributes=["DefaultSMSType"])["attributes"] == {"DefaultSMSType": "Transactional"}
    with pytest.raises(ClientError) as excinfo:
        sns.set_sms_attributes(attributes={"DefaultSMSType": "Loud"})
    assert error_of(excinfo)[0] == "InvalidParameter"


def test_opt_out_state(sns):
    assert sns.check_if_phone_number_is_opted_out(phoneNumber="+15555550100")["isOptedOut"] is False
    assert sns.list_phone_numbers_opted_out()["phoneNumbers"] == []
    sns.opt_in_phone_number(phoneNumber="+15555550100")
    with pytest.raises(ClientError) as excinfo:
        sns.check_if_phone_number_is_opted_out(phoneNumber="12")
    assert error_of(excinfo) == ("InvalidParameter", "Invalid parameter: PhoneNumber", 400)


def test_sandbox_numbers_are_verified_with_the_texted_password(sns, endpoint):
    assert sns.get_sms_sandbox_account_status()["IsInSandbox"] is False
    sns.create_sms_sandbox_phone_number(PhoneNumber="+15555550142")
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [
        {"PhoneNumber": "+15555550142", "Status": "Pending"}]
    [text] = texts_to(endpoint, "+15555550142", 1)
    password = re.search(r"(\d{6})", text).group(1)
    wrong = f"{(int(password) + 1) % 1_000_000:06d}"
    with pytest.raises(ClientError) as excinfo:
        sns.verify_sms_sandbox_phone_number(PhoneNumber="+15555550142", OneTimePassword=wrong)
    assert error_of(excinfo)[0] == "VerificationException"
    sns.verify_sms_sandbox_phone_number(PhoneNumber="+15555550142", OneTimePassword=password)
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [
        {"PhoneNumber": "+15555550142", "Status": "Verified"}]
    sns.delete_sms_sandbox_phone_number(PhoneNumber="+15555550142")
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == []
    with pytest.raises(ClientError) as excinfo:
        sns.delete_sms_sandbox_phone_number(PhoneNumber="+15555550142")
    assert error_of(excinfo) == ("ResourceNotFound", "Resource does not exist", 404)


def test_origination_numbers(sns):
    assert sns.list_origination_numbers()["PhoneNumbers"] == []
