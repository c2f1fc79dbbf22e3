"""PublishVersion and ListVersionsByFunction: a published version is an immutable snapshot of
$LATEST's code and configuration, one more ``function_versions`` row numbered from the
function's ``last_version`` counter (never reused, even after a version is deleted)."""

from __future__ import annotations

import json

from overcast.services.awslambda.errors import (InvalidParameterValueException, PreconditionFailedException,
                                                ResourceConflictException)
from overcast.services.awslambda.function_config import as_in_progress
from overcast.services.awslambda.function_refs import function_ref, new_revision_id
from overcast.services.awslambda.models import LATEST, FunctionVersion
from overcast.services.awslambda.validation import check_input
from overcast.storage.scope import Scope

REVISION_MISMATCH = ("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias "
                     "API to retrieve the latest Revision Id")
# what a published version's configuration does not carry over from $LATEST: its identity,
# and the update status (AWS reports none for versions)
_NOT_SNAPSHOT = ("Version", "FunctionArn", "RevisionId", "LastUpdateStatus", "LastUpdateStatusReason",
                 "LastUpdateStatusReasonCode")
_NOT_COMPARED = _NOT_SNAPSHOT + ("Description", "State", "StateReason", "StateReasonCode")
DEFAULT_PAGE = 50  # ListVersionsByFunction answers at most 50 versions a page


def _comparable(config: dict) -> dict:
    return {key: value for key, value in config.items() if key not in _NOT_COMPARED}


def version_sort_key(version: str) -> tuple[int, int]:
    """$LATEST first, then the published versions in number order."""
    return (0, 0) if version == LATEST else (1, int(version))


class VersionOperations:
    def publish_function_version(self, latest: FunctionVersion, *, description: str | None = None,
                                 code_sha256: str | None = None, revision_id: str | None = None) -> dict:
        """Publish ``latest`` ($LATEST) as a new version and answer its configuration (State
        Pending, as AWS answers it); when nothing changed since the newest version, that version
        is answered instead (AWS publishes no duplicate)."""
        config = latest.config
        if revision_id and revision_id != config.get("RevisionId"):
            raise PreconditionFailedException(REVISION_MISMATCH)
        if code_sha256 and code_sha256 != latest.code_sha256:
            raise InvalidParameterValueException(
                f"CodeSHA256 ({code_sha256}) is different from current CodeSHA256 in $LATEST ({latest.code_sha256}). "
                "Please try again with the CodeSHA256 in $LATEST.")
        if config.get("LastUpdateStatus") == "InProgress":
            raise ResourceConflictException("The operation cannot be performed at this time. An update is in "
                                            f"progress for resource: {latest.arn}")
        with self.db.transaction():
            last = self.db.query_one("SELECT last_version FROM functions WHERE function_id = ?",
                                     (latest.function_id,))[0]
            if last:
                newest = self.db.query_one("SELECT config, code_sha256 FROM function_versions WHERE function_id = ? "
                                           "AND version = ?", (latest.function_id, str(last)))
                if newest is not None and newest[1] == latest.code_sha256 and \
                        _comparable(json.loads(newest[0])) == _comparable(config):
                    return json.loads(newest[0])
            number = str(last + 1)
            snapshot = {key: value for key, value in config.items() if key not in _NOT_SNAPSHOT}
            snapshot.update({"FunctionArn": f"{latest.arn}:{number}", "Version": number,
                             "RevisionId": new_revision_id()})
            if description is not None:
                snapshot["Description"] = description
            self.db.execute(
                "INSERT INTO function_versions (function_id, version, config, code_blob, code_sha256, code_size, "
                "created) SELECT function_id, ?, ?, code_blob, code_sha256, code_size, ? FROM function_versions "
                "WHERE function_id = ? AND version = ?",
                (number, json.dumps(snapshot), self.clock.now(), latest.function_id, LATEST))
            self.db.execute("UPDATE functions SET last_version = ? WHERE function_id = ?",
                            (last + 1, latest.function_id))
            # publishing is a change of the function: $LATEST gets a new RevisionId, as on AWS
            bumped = dict(config, RevisionId=new_revision_id())
            self.db.execute("UPDATE function_versions SET config = ? WHERE function_id = ? AND version = ?",
                            (json.dumps(bumped), latest.function_id, LATEST))
        # AWS answers a new version as still being created; every later read finds it Active
        return as_in_progress(snapshot, creating=True)

    def publish_version(self, ctx, params: dict) -> dict:
        check_input("PublishVersion", params)
        scope = Scope.of(ctx)
        ref = function_ref(self, scope, params["FunctionName"])
        latest = self.resolve_function(scope, ref.arn, LATEST)
        return self.publish_function_version(latest, description=params.get("Description"),
                                             code_sha256=params.get("CodeSha256"),
                                             revision_id=params.get("RevisionId"))

    def published_versions(self, function_id: int) -> list[str]:
        """The versions of a function, $LATEST first, then by number."""
        rows = self.db.query("SELECT version FROM function_versions WHERE function_id = ?", (function_id,))
        return sorted((row[0] for row in rows), key=version_sort_key)

    def list_versions_by_function(self, ctx, params: dict) -> dict:
        check_input("ListVersionsByFunction", params)
        scope = Scope.of(ctx)
        ref = function_ref(self, scope, params["FunctionName"])
        versions = self.published_versions(ref.function_id)
        marker = params.get("Marker")
        if marker:
            if marker not in versions:
                raise InvalidParameterValueException("Invalid marker")
            versions = versions[versions.index(marker):]
        limit = params.get("MaxItems") or DEFAULT_PAGE
        page, rest = versions[:limit], versions[limit:]
        rows = {row[0]: json.loads(row[1]) for row in self.db.query(
            "SELECT version, config FROM function_versions WHERE function_id = ?", (ref.function_id,))}
        answer = {"Versions": [self._versions_listed(rows[version], ref.arn) for version in page]}
        if rest:
            answer["NextMarker"] = rest[0]
        return answer

    @staticmethod
    def _versions_listed(config: dict, arn: str) -> dict:
        # every version is listed by its qualified ARN, $LATEST included
        return dict(config, FunctionArn=f"{arn}:{config.get('Version', LATEST)}")
