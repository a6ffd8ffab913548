"""The answer's fixed JSON shape, how it is asked for, and how it is checked.

The server is asked for the shape (``response_format`` with a JSON schema; vLLM
and llama.cpp turn it into a grammar), and the answer is checked anyway: a
server may ignore the request, or stop mid-object at ``max_tokens``.
:func:`check_schema` understands the small subset of JSON Schema this shape
uses, so any job sending a schema in that subset gets the same check.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

SCHEMA_NAME = "cve_verdict"
PRIORITIES = ("critical", "high", "medium", "low")

VERDICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "affected": {"type": "boolean"},
        "priority": {"type": "string", "enum": list(PRIORITIES)},
        "rationale": {"type": "string", "minLength": 1, "maxLength": 60},
        "fix": {"type": "string", "minLength": 1, "maxLength": 40},
    },
    "required": ["affected", "priority", "rationale", "fix"],
    "additionalProperties": False,
}


def response_format(
    schema: Mapping[str, Any] = VERDICT_SCHEMA, name: str = SCHEMA_NAME
) -> dict[str, Any]:
    """The OpenAI-style ``response_format`` asking for ``schema``."""
    return {
        "type": "json_schema",
        "json_schema": {"name": name, "schema": dict(schema), "strict": True},
    }


def schema_of(params: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The JSON schema a request's ``response_format`` asks for, if any."""
    fmt = params.get("response_format")
    if not isinstance(fmt, Mapping) or fmt.get("type") != "json_schema":
        return None
    spec = fmt.get("json_schema")
    schema = spec.get("schema") if isinstance(spec, Mapping) else None
    return schema if isinstance(schema, Mapping) else None


def parse_answer(text: str, schema: Mapping[str, Any]) -> tuple[Any, str | None]:
    """The decoded answer and ``None``, or ``None`` and why it is malformed."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, f"answer is not JSON ({exc.msg} at char {exc.pos})"
    problem = check_schema(value, schema)
    return (None, problem) if problem else (value, None)


_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "null": (type(None),),
}


def check_schema(value: Any, schema: Mapping[str, Any], at: str = "$") -> str | None:
    """The first way ``value`` breaks ``schema`` (a small subset), or None."""
    expected = schema.get("type")
    if isinstance(expected, str) and not _is_type(value, expected):
        return f"{at} is not {expected}"
    if "enum" in schema and value not in schema["enum"]:
        return f"{at} is {value!r}, not one of {schema['enum']}"
    if isinstance(value, str):
        return _check_length(value, schema, at)
    if isinstance(value, dict):
        return _check_object(value, schema, at)
    return None


def _is_type(value: Any, expected: str) -> bool:
    types = _TYPES.get(expected)
    if types is None:
        return True
    if isinstance(value, bool) and expected in ("integer", "number"):
        return False
    return isinstance(value, types)


def _check_length(value: str, schema: Mapping[str, Any], at: str) -> str | None:
    if len(value) < int(schema.get("minLength", 0)):
        return f"{at} is shorter than {schema['minLength']} characters"
    if "maxLength" in schema and len(value) > int(schema["maxLength"]):
        return f"{at} is longer than {schema['maxLength']} characters"
    return None


def _check_object(
    value: dict[str, Any], schema: Mapping[str, Any], at: str
) -> str | None:
    properties: Mapping[str, Any] = schema.get("properties") or {}
    for key in schema.get("required") or ():
        if key not in value:
            return f"{at} lacks {key!r}"
    if schema.get("additionalProperties") is False:
        extra = sorted(set(value) - set(properties))
        if extra:
            return f"{at} has unexpected {extra}"
    for key, sub in properties.items():
        if key in value:
            problem = check_schema(value[key], sub, f"{at}.{key}")
            if problem:
                return problem
    return None
