"""The one error the policy engine raises."""


class PolicyDocumentError(Exception):
    """A policy document IAM would refuse; ``message`` is the text AWS answers
    (IAM returns it as ``MalformedPolicyDocument``)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message
