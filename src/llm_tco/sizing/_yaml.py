"""A tiny YAML writer for the recipes (PyYAML is not a runtime dependency).

Every string is written JSON-quoted, which YAML reads back unchanged; multi-line
strings become literal blocks so shell scripts stay readable.
"""

from __future__ import annotations

import json
from collections.abc import Mapping


def to_yaml(node: object, indent: int = 0) -> str:
    """``node`` (dicts, lists, scalars) as block-style YAML lines."""
    return "\n".join(_lines(node, indent)) + "\n"


def _scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)


def _is_block_text(value: object) -> bool:
    return isinstance(value, str) and "\n" in value


def _block_text(value: str, indent: int) -> list[str]:
    pad = " " * indent
    return ["|"] + [
        f"{pad}{line}" if line else "" for line in value.rstrip("\n").split("\n")
    ]


def _lines(node: object, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(node, Mapping):
        return _mapping_lines(node, indent)
    if isinstance(node, list | tuple):
        lines: list[str] = []
        for item in node:
            if isinstance(item, Mapping | list | tuple) and item:
                inner = _lines(item, indent + 2)
                lines.append(f"{pad}- {inner[0].lstrip()}")
                lines.extend(inner[1:])
            else:
                lines.append(f"{pad}- {_scalar(item)}")
        return lines
    return [f"{pad}{_scalar(node)}"]


def _mapping_lines(node: Mapping[str, object], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, value in node.items():
        if isinstance(value, Mapping | list | tuple) and value:
            lines.append(f"{pad}{key}:")
            lines.extend(_lines(value, indent + 2))
        elif _is_block_text(value):
            block = _block_text(str(value), indent + 2)
            lines.append(f"{pad}{key}: {block[0]}")
            lines.extend(block[1:])
        elif isinstance(value, Mapping):
            lines.append(f"{pad}{key}: {{}}")
        elif isinstance(value, list | tuple):
            lines.append(f"{pad}{key}: []")
        else:
            lines.append(f"{pad}{key}: {_scalar(value)}")
    return lines
