"""KMS's migrations, in order. The order is fixed forever: a change is a new migration
appended at the end, so a data dir written by an older Overcast upgrades in place."""

from overcast.services.kms.key_schema import KEY_SCHEMA

MIGRATIONS = (KEY_SCHEMA,)
