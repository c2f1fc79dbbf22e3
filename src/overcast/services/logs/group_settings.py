"""Retention, KMS key, deletion protection and data protection policy of a group."""


class GroupSettingOperations:
    pass
