"""Resource policies."""


class ResourcePolicyOperations:
    pass
