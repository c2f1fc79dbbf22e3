"""S3 lifecycle configuration: Put/Get/DeleteBucketLifecycleConfiguration and its checks.

The rules are stored as given (dates as epoch seconds) and applied once a day by
``lifecycle_runner.LifecycleRunner``. The checks and their messages are S3's.
"""

from __future__ import annotations

from overcast.errors import AwsError

from .bucket_config import malformed_xml
from .http_dates import MAX_DAYS, http_date
from .lifecycle_runner import DAY, LifecycleRunner, due_at, rule_applies, tags_of

KIND = "lifecycle"
# S3 limits: 1,000 rules per configuration, rule IDs up to 255 characters
MAX_RULES = 1000
MAX_ID = 255
# Transitions to these classes need objects at least 30 days old (S3 user guide, "Transitioning objects")
_MIN_30_DAYS = ("STANDARD_IA", "ONEZONE_IA")
_STORAGE_CLASSES = ("GLACIER", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE", "GLACIER_IR")
_MIN_SIZE_DEFAULT = "all_storage_classes_128K"
_MIN_SIZES = (_MIN_SIZE_DEFAULT, "varies_by_storage_class")


def _invalid(message: str) -> AwsError:
    return AwsError("InvalidArgument", message, 400)


def _positive(value, message: str) -> None:
    # beyond a 32-bit integer S3 no longer reads a day count as a number
    if value is not None and not 0 < value <= MAX_DAYS:
        raise _invalid(message)


def _check_filter(rule: dict) -> bool:
    """Checks the rule's filter; returns whether it filters on tags."""
    # exactly one of Filter and the legacy Prefix: S3 refuses both, and neither
    if (rule.get("Prefix") is None) == (rule.get("Filter") is None):
        raise malformed_xml()
    given = {k: v for k, v in (rule.get("Filter") or {}).items() if v is not None}
    if len(given) > 1:  # several conditions go inside And
        raise malformed_xml()
    conjunction = given.get("And")
    if conjunction is not None:
        tags = conjunction.get("Tags") or []
        return bool(tags)
    return "Tag" in given


def _check_expiration(expiration: dict | None, has_tags: bool) -> None:
    if expiration is None:
        return
    days, date, marker = expiration.get("Days"), expiration.get("Date"), expiration.get("ExpiredObjectDeleteMarker")
    if days is not None and date is not None:
        raise malformed_xml()
    if marker is not None and (days is not None or date is not None):
        raise malformed_xml()  # ExpiredObjectDeleteMarker cannot be specified with Days or Date
    if days is None and date is None and marker is None:
        raise malformed_xml()
    _positive(days, "'Days' for Expiration action must be a positive integer")
    if date is not None and date.timestamp() % DAY:
        raise _invalid("'Date' must be at midnight GMT")
    if marker and has_tags:
        raise AwsError("InvalidRequest", "ExpiredObjectDeleteMarker cannot be specified with Tags.", 400)


def _check_transitions(rule: dict) -> None:
    classes = set()
    for transition in rule.get("Transitions") or []:
        days, date, storage_class = transition.get("Days"), transition.get("Date"), transition.get("StorageClass")
        if storage_class not in _STORAGE_CLASSES or (days is None) == (date is None):
            raise malformed_xml()
        if days is not None and not 0 <= days <= MAX_DAYS:
            raise _invalid("'Days' for Transition action must be a positive integer")
        if days is not None and storage_class in _MIN_30_DAYS and days < 30:
            raise _invalid(f"'Days' in Transition action must be greater than or equal to 30 for storageClass "
                           f"'{storage_class}'")
        if date is not None and date.timestamp() % DAY:
            raise _invalid("'Date' must be at midnight GMT")
        if storage_class in classes:
            raise _invalid("'StorageClass' must be different for 'Transition' actions in same 'Rule'")
        classes.add(storage_class)
    noncurrent_classes = set()
    for transition in rule.get("NoncurrentVersionTransitions") or []:
        days, storage_class = transition.get("NoncurrentDays"), transition.get("StorageClass")
        if storage_class not in _STORAGE_CLASSES or days is None:
            raise malformed_xml()
        if not 0 <= days <= MAX_DAYS:
            raise _invalid("'NoncurrentDays' for NoncurrentVersionTransition action must be a positive integer")
        if storage_class in _MIN_30_DAYS and days < 30:
            raise _invalid(f"'NoncurrentDays' in NoncurrentVersionTransition action must be greater than or equal "
                           f"to 30 for storageClass '{storage_class}'")
        if storage_class in noncurrent_classes:
            raise _invalid("'StorageClass' must be different for 'NoncurrentVersionTransition' actions in same "
                           "'Rule'")
        noncurrent_classes.add(storage_class)


def check_rules(rules: list) -> None:
    """Raise the error S3 answers for an invalid list of lifecycle rules."""
    if not rules or len(rules) > MAX_RULES:  # S3 answers MalformedXML beyond 1,000 rules
        raise malformed_xml()
    ids = set()
    for rule in rules:
        if rule.get("Status") not in ("Enabled", "Disabled"):
            raise malformed_xml()
        rule_id = rule.get("ID")
        if rule_id is not None:
            if len(rule_id) > MAX_ID:
                raise _invalid("ID length should not exceed allowed limit of 255")
            if rule_id in ids:
                raise _invalid("Rule ID must be unique. Found same ID for more than one rule")
            ids.add(rule_id)
        has_tags = _check_filter(rule)
        actions = [rule.get(name) for name in ("Expiration", "Transitions", "NoncurrentVersionTransitions",
                                               "NoncurrentVersionExpiration", "AbortIncompleteMultipartUpload")]
        if not any(actions):
            raise AwsError("InvalidRequest", "At least one action needs to be specified in a rule", 400)
        _check_expiration(rule.get("Expiration"), has_tags)
        _check_transitions(rule)
        noncurrent = rule.get("NoncurrentVersionExpiration")
        if noncurrent is not None:
            if noncurrent.get("NoncurrentDays") is None:
                raise malformed_xml()
            _positive(noncurrent["NoncurrentDays"],
                      "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")
            _positive(noncurrent.get("NewerNoncurrentVersions"),
                      "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer")
        abort = rule.get("AbortIncompleteMultipartUpload")
        if abort is not None:
            if abort.get("DaysAfterInitiation") is None:
                raise malformed_xml()
            _positive(abort["DaysAfterInitiation"],
                      "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")
            if has_tags:
                raise AwsError("InvalidRequest", "AbortIncompleteMultipartUpload cannot be specified with Tags.", 400)


class LifecycleMixin:
    _lifecycle: LifecycleRunner | None = None

    def __init__(self, cloud):
        super().__init__(cloud)
        # Evaluated on an hourly tick of the cloud clock; the runner acts once per UTC day.
        self._lifecycle = LifecycleRunner(self)
        # (partition, bucket, created) -> its enabled expiration rules, for x-amz-expiration
        self._expiration_rules: dict[tuple, list] = {}
        cloud.scheduler.every(3600, self._lifecycle.tick)

    @property
    def lifecycle(self) -> LifecycleRunner:
        return self._lifecycle

    def expiration_header(self, bucket, version) -> dict:
        """``Expiration`` (``x-amz-expiration``) for a write or read of the current version
        ``version`` when an enabled rule will expire it: the earliest such rule's date."""
        key = (bucket.partition, bucket.name, bucket.created)
        cache = self._expiration_rules
        if key not in cache:
            if len(cache) > 1024:
                cache.clear()
            config = self.configs.get(bucket, KIND) or {}
            cache[key] = [rule for rule in config.get("Rules") or ()
                          if rule.get("Status") == "Enabled" and ((rule.get("Expiration") or {}).get("Days")
                                                                  or (rule.get("Expiration") or {}).get("Date"))]
        best = None
        for rule in cache[key]:
            if not rule_applies(rule, version.key, version.size, tags_of(version.attrs)):
                continue
            expiration = rule["Expiration"]
            due = (due_at(version.modified, expiration["Days"]) if expiration.get("Days")
                   else expiration["Date"])
            if best is None or due < best[0]:
                best = (due, rule.get("ID") or "")
        if best is None:
            return {}
        return {"Expiration": f'expiry-date="{http_date(best[0])}", rule-id="{best[1]}"'}

    def put_bucket_lifecycle_configuration(self, ctx, params: dict) -> dict:
        bucket = self.config_bucket(ctx, params)
        # the header before the rules (an empty one is as invalid as a wrong one)
        minimum = params.get("TransitionDefaultMinimumObjectSize")
        if minimum is None:
            minimum = _MIN_SIZE_DEFAULT
        if minimum not in _MIN_SIZES:
            raise AwsError("InvalidRequest", f"Invalid TransitionDefaultMinimumObjectSize found: {minimum}", 400)
        rules = (params.get("LifecycleConfiguration") or {}).get("Rules") or []
        check_rules(rules)
        self.configs.put(bucket, KIND, {"Rules": rules, "TransitionDefaultMinimumObjectSize": minimum})
        self._expiration_rules.clear()
        return {"TransitionDefaultMinimumObjectSize": minimum}

    def get_bucket_lifecycle_configuration(self, ctx, params: dict) -> dict:
        config = self.configs.get(self.config_bucket(ctx, params), KIND)
        if not config:
            raise AwsError("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist", 404,
                           fields={"BucketName": params["Bucket"]})
        return config

    def delete_bucket_lifecycle(self, ctx, params: dict) -> dict:
        self.configs.delete(self.config_bucket(ctx, params), KIND)
        self._expiration_rules.clear()
        return {"__status__": 204}
