"""Who is calling: SigV4 (header, presigned query, aws-chunked streams), SigV2 for S3, and
access keys -> identities (``CredentialStore``)."""

from overcast.auth.authenticator import Authenticator
from overcast.auth.credentials import Credential, CredentialStore
from overcast.auth.info import AuthInfo, Identity

__all__ = ["AuthInfo", "Authenticator", "Credential", "CredentialStore", "Identity"]
