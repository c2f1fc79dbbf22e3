"""DecodeAuthorizationMessage: the decision details an EC2-style denial carries.

The format and its key live with the authorizer that encodes them
(``overcast.auth.authorization.messages``); STS only decodes.
"""

from __future__ import annotations

import json

from overcast.auth.authorization.messages import InvalidMessage
from overcast.context import RequestContext
from overcast.services.sts.errors import InvalidAuthorizationMessage
from overcast.services.sts.validation import validate

_INVALID = "The message is invalid: it was not produced by this cloud or has been altered."


class AuthorizationMessageOperations:
    def decode_authorization_message(self, ctx: RequestContext, params: dict) -> dict:
        """The decision details an encoded message carries, as a JSON text."""
        validate("DecodeAuthorizationMessage", params)
        try:
            details = self.cloud.authorization_messages.decode(params.get("EncodedMessage", ""))
        except InvalidMessage:
            raise InvalidAuthorizationMessage(message=_INVALID) from None
        return {"DecodedMessage": json.dumps(details, separators=(",", ":"))}
