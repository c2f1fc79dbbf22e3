"""The key policy KMS writes when CreateKey gets none: the account root may do everything,
which delegates the key to the account's IAM policies. KMS returns policies as it stores them;
this is the text (Jackson's pretty printing, `` : `` separators) that GetKeyPolicy shows."""

from __future__ import annotations

from overcast.storage.scope import partition_of


def default_key_policy(account: str, region: str) -> str:
    partition = partition_of(region)
    return (
        "{\n"
        '  "Version" : "2012-10-17",\n'
        '  "Id" : "key-default-1",\n'
        '  "Statement" : [ {\n'
        '    "Sid" : "Enable IAM User Permissions",\n'
        '    "Effect" : "Allow",\n'
        '    "Principal" : {\n'
        f'      "AWS" : "arn:{partition}:iam::{account}:root"\n'
        "    },\n"
        '    "Action" : "kms:*",\n'
        '    "Resource" : "*"\n'
        "  } ]\n"
        "}"
    )
