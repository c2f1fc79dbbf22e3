"""AWS Key Management Service: keys with real cryptography (``cryptography``), their material
sealed at rest under the data dir's KMS master key."""
