"""Who is calling: SigV4 (header, presigned query, aws-chunked streams) and access keys."""

from overcast.auth.authenticator import AuthInfo, Authenticator, Identity

__all__ = ["AuthInfo", "Authenticator", "Identity"]
