"""What a target receives: the whole event, a constant ``Input``, the part of the event an
``InputPath`` names, or an ``InputTransformer``'s template filled from the event.

``check_target_input`` is PutTargets' validation (each failure a ``TargetInputError`` whose text
is AWS's ``ValidationException`` message); ``render_input`` is the text delivered.

How a template is filled (user guide, "Amazon EventBridge input transformation", and what AWS
answers): a template that is JSON once its placeholders are values (an object, or a quoted
string such as ``"<rule> fired"``) gets each placeholder outside a string as JSON (a string with
its quotes, an object as an object) and each placeholder inside a quoted string as bare text —
EventBridge does not escape values it inserts there, and an object or array inserted in a string
loses its inner quotes (``"Detail is {key1: value1}"``). A template that is not JSON
(``<instance> is in state <state>``) is sent as a plain string, its values inserted bare. A path
the event does not have gives an empty value (``""`` where JSON is expected). JSON objects
and arrays in the output are minified.
"""

from __future__ import annotations

import functools
import json
import re
import time as _time

from overcast.services.events.target_paths import MISSING, extract, parse_path

RULE_ARN = "aws.events.rule-arn"
RULE_NAME = "aws.events.rule-name"
INGESTION_TIME = "aws.events.event.ingestion-time"
EVENT = "aws.events.event"
EVENT_JSON = "aws.events.event.json"
PREDEFINED = frozenset({RULE_ARN, RULE_NAME, INGESTION_TIME, EVENT, EVENT_JSON})
# their content is not escaped, so they are only valid where a JSON value goes (user guide)
JSON_ONLY = (EVENT, EVENT_JSON)

# a placeholder: an InputPathsMap key ([A-Za-z0-9_-]+, the model's pattern) or a predefined
# variable's dotted name
_PLACEHOLDER = re.compile(r"<([A-Za-z0-9_.\-]+)>")
# Jackson's excerpt of the refused text stops after 500 characters
_SOURCE_EXCERPT = 500
# the order AWS writes <aws.events.event>'s members in (the envelope without "detail", its
# "detail-type" named "detailType")
_EVENT_VARIABLE_ORDER = ("id", "account", "detail-type", "time", "source", "region", "resources", "version")


class TargetInputError(ValueError):
    """A target's Input, InputPath or InputTransformer PutTargets refuses; ``str(e)`` is AWS's
    ValidationException message."""


def check_target_input(target: dict, *, json_object_template: bool = False) -> None:
    """PutTargets' checks of one target's input settings. ``json_object_template``: the target
    kind (a CloudWatch Logs group) takes only a JSON object as transformed input."""
    target_id = target.get("Id")
    given = [name for name in ("Input", "InputPath", "InputTransformer") if target.get(name) is not None]
    if len(given) > 1:
        raise TargetInputError(
            f"Only one of Input, InputPath, or InputTransformer must be provided for target {target_id}.")
    if "Input" in given:
        problem = json_syntax_problem(target["Input"])
        if problem is not None:
            raise TargetInputError(f"JSON syntax error in input for target {target_id}: {problem}")
    elif "InputPath" in given:
        if parse_path(target["InputPath"]) is None:
            raise TargetInputError(f"InputPath for target {target_id} is invalid.")
    elif "InputTransformer" in given:
        _check_transformer(target_id, target["InputTransformer"], json_object_template)


def _check_transformer(target_id, transformer: dict, json_object_template: bool) -> None:
    paths = transformer.get("InputPathsMap") or {}
    for path in paths.values():
        if parse_path(path) is None:
            # AWS refuses a bad map value with InputPath's own words
            raise TargetInputError(f"InputPath for target {target_id} is invalid.")
    template = transformer.get("InputTemplate") or ""
    is_object = template.strip().startswith("{")
    for name in _PLACEHOLDER.findall(template):
        if name not in paths and name not in PREDEFINED:
            raise TargetInputError(f"InputTemplate for target {target_id} contains invalid placeholder {name}.")
        if name in JSON_ONLY and not is_object:
            raise TargetInputError(
                f"InputTemplate for target {target_id} contains placeholder {name} valid only for JSON template.")
    if json_object_template and not isinstance(_template_shape(template), dict):
        raise TargetInputError(f"Input for target {target_id} is not a valid JSON text.")


def render_input(target: dict, event: dict, *, rule_arn: str, rule_name: str, ingestion_time: float) -> str:
    """The text ``target`` receives for ``event`` matched by the rule (``rule_arn``,
    ``rule_name``) that EventBridge received at ``ingestion_time`` (epoch seconds)."""
    if target.get("Input") is not None:
        return target["Input"]
    if target.get("InputPath") is not None:
        steps = parse_path(target["InputPath"])
        value = MISSING if steps is None else extract(event, steps)
        return _compact(None if value is MISSING else value)  # a path the event lacks: null
    transformer = target.get("InputTransformer")
    if transformer is None:
        return _compact(event)
    template = transformer.get("InputTemplate") or ""
    used = _template_plan(template)[2]
    values = _variable_values(used, transformer.get("InputPathsMap") or {}, event, rule_arn, rule_name,
                              ingestion_time)
    return fill_template(template, values)


def fill_template(template: str, values: dict) -> str:
    """``template`` with each ``<name>`` replaced by ``values[name]`` (``MISSING`` or absent: the
    empty value), quoted or not as AWS does (module docstring)."""
    json_template, pieces, _used = _template_plan(template)
    out: list[str] = []
    for literal, name, as_json in pieces:
        out.append(literal)
        if name is not None:
            value = values.get(name, MISSING)
            if as_json:
                out.append('""' if value is MISSING else _compact(value))
            else:
                out.append(_bare(value))
    text = "".join(out)
    return _minified(text) if json_template else text


@functools.lru_cache(maxsize=1024)
def _template_plan(template: str) -> tuple[bool, tuple, frozenset]:
    """What filling ``template`` takes, worked out once per template (a target's template is
    filled for every event it gets): whether it is JSON, its pieces (literal text, then the
    placeholder's name or None, and whether its value goes in as JSON), and the names used."""
    matches = list(_PLACEHOLDER.finditer(template))
    json_template = bool(matches) and _template_shape(template) is not _NOT_JSON
    in_string = _inside_strings(template, [m.start() for m in matches]) if json_template else [True] * len(matches)
    pieces = []
    last = 0
    for match, quoted in zip(matches, in_string):
        pieces.append((template[last:match.start()], match.group(1), json_template and not quoted))
        last = match.end()
    pieces.append((template[last:], None, False))
    return json_template or not matches, tuple(pieces), frozenset(match.group(1) for match in matches)


def _variable_values(used: frozenset, paths: dict, event: dict, rule_arn: str, rule_name: str,
                     ingestion_time: float) -> dict:
    """The values of the variables the template uses (the others cost nothing)."""
    values = {name: extract(event, steps) if (steps := parse_path(path)) is not None else MISSING
              for name, path in paths.items() if name in used}
    if RULE_ARN in used:
        values[RULE_ARN] = rule_arn
    if RULE_NAME in used:
        values[RULE_NAME] = rule_name
    if INGESTION_TIME in used:
        values[INGESTION_TIME] = _time.strftime("%Y-%m-%dT%H:%M:%SZ", _time.gmtime(ingestion_time))
    if EVENT in used:
        values[EVENT] = _event_variable(event)
    if EVENT_JSON in used:
        values[EVENT_JSON] = event
    return values


def _event_variable(event: dict) -> dict:
    """``<aws.events.event>``: the envelope without ``detail``, ``detail-type`` as ``detailType``."""
    ordered = [key for key in _EVENT_VARIABLE_ORDER if key in event]
    ordered += [key for key in event if key not in _EVENT_VARIABLE_ORDER and key != "detail"]
    return {("detailType" if key == "detail-type" else key): event[key] for key in ordered}


_NOT_JSON = object()


def _template_shape(template: str):
    """The JSON value ``template`` is once every placeholder is a value (``_NOT_JSON`` when it
    is not JSON)."""
    try:
        return json.loads(_PLACEHOLDER.sub("null", template))
    except ValueError:
        return _NOT_JSON


def _inside_strings(text: str, positions: list[int]) -> list[bool]:
    """For each position (ascending) in a JSON text: whether it lies inside a quoted string."""
    answers: list[bool] = []
    inside = escaped = False
    wanted = iter(positions)
    target = next(wanted, None)
    for pos, char in enumerate(text):
        while target is not None and target == pos:
            answers.append(inside)
            target = next(wanted, None)
        if target is None:
            break
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = inside
        elif char == '"':
            inside = not inside
    return answers


def _bare(value) -> str:
    """A value inserted into a string: text as is (not escaped), an object or array as JSON
    without its quotes, a missing value as nothing."""
    if value is MISSING:
        return ""
    if isinstance(value, str):
        return value
    text = _compact(value)
    return text.replace('"', "") if isinstance(value, (dict, list)) else text


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)  # built once: json.dumps with
# arguments builds a new encoder on every call


def _compact(value) -> str:
    return _ENCODER.encode(value)


def _minified(text: str) -> str:
    """A JSON object or array re-written without blanks; anything else as it is."""
    stripped = text.strip()
    if not stripped.startswith(("{", "[")):
        return text
    try:
        return _compact(json.loads(stripped))
    except ValueError:
        return text


def json_syntax_problem(text: str) -> str | None:
    """None when ``text`` is one JSON value; otherwise where its parser stopped, worded as
    EventBridge's (Jackson's) location: ``[Source: (String)"env:dev"; line: 1, column: 4]``."""
    try:
        json.loads(text, parse_constant=_refuse_constant)
        return None
    except _ConstantRefused as refused:
        consumed = text.find(refused.args[0]) + len(refused.args[0])
    except json.JSONDecodeError as error:
        consumed = _consumed_at(text, error.pos)
    line = text.count("\n", 0, consumed) + 1
    column = consumed - (text.rfind("\n", 0, consumed) + 1) + 1
    excerpt = text[:_SOURCE_EXCERPT]
    if len(text) > _SOURCE_EXCERPT:
        excerpt += f'"[truncated {len(text) - _SOURCE_EXCERPT} chars]'
    else:
        excerpt += '"'
    return f'[Source: (String)"{excerpt}; line: {line}, column: {column}]'


class _ConstantRefused(ValueError):
    pass


def _refuse_constant(name: str):
    raise _ConstantRefused(name)


def _consumed_at(text: str, pos: int) -> int:
    """How many characters Jackson has read when it gives up where Python's parser stopped at
    ``pos``: an unrecognized bare word is read whole; a wrong character is read itself."""
    if pos >= len(text):
        return len(text)
    end = pos
    while end < len(text) and (text[end].isalnum() or text[end] in "_$"):
        end += 1
    return end if end > pos else pos + 1
