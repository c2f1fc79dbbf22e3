"""The rows the Lambda concerns share (binding between the helpers: ``lambda-contract``).

A function is one ``functions`` row; each of its versions ($LATEST included) one
``function_versions`` row whose ``config`` is GetFunctionConfiguration's answer for it."""

from __future__ import annotations

from dataclasses import dataclass

LATEST = "$LATEST"


@dataclass
class FunctionVersion:
    function_id: int
    account: str
    region: str
    name: str
    arn: str  # the unqualified function ARN
    version: str  # "$LATEST", "1", "2"...
    config: dict  # GetFunctionConfiguration's answer for this version
    code_sha256: str
    code_size: int

    def qualified_arn(self) -> str:
        return f"{self.arn}:{self.version}"
