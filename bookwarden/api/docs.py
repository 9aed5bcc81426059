"""The API's documentation page, drawn from the OpenAPI schema: each operation with its
address, what it does, its parameters, the fields it takes and its answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

METHODS = ("get", "post", "patch", "put", "delete")


@dataclass
class Field:
    name: str
    type: str
    required: bool
    about: str


@dataclass
class Operation:
    method: str
    path: str
    summary: str
    tag: str
    parameters: list[Field] = field(default_factory=list)
    body: list[Field] = field(default_factory=list)
    answers: list[tuple[str, str]] = field(default_factory=list)


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not ref:
        return node
    target: Any = schema
    for part in ref.lstrip("#/").split("/"):
        target = target[part]
    return dict(target)


def _type_of(schema: dict[str, Any], node: dict[str, Any]) -> str:
    node = _resolve(schema, node)
    if "enum" in node:
        return "one of: " + ", ".join(str(v) for v in node["enum"] if v not in ("", None))
    for key in ("oneOf", "allOf", "anyOf"):
        if key in node:
            return " or ".join(_type_of(schema, n) for n in node[key] if n.get("type") != "null")
    kind = str(node.get("type", "object"))
    if kind == "array":
        return f"list of {_type_of(schema, node.get('items', {}))}"
    return f"{kind} ({node['format']})" if "format" in node else kind


def _fields(schema: dict[str, Any], node: dict[str, Any]) -> list[Field]:
    node = _resolve(schema, node)
    required = set(node.get("required", []))
    return [
        Field(name, _type_of(schema, prop), name in required, str(prop.get("description", "")))
        for name, prop in node.get("properties", {}).items()
    ]


def operations_of(schema: dict[str, Any]) -> list[Operation]:
    found = []
    for path, methods in schema.get("paths", {}).items():
        for method in METHODS:
            op = methods.get(method)
            if op is None:
                continue
            entry = Operation(
                method=method.upper(),
                path=path,
                summary=str(op.get("description") or op.get("summary") or ""),
                tag=str((op.get("tags") or [""])[0]),
            )
            for param in op.get("parameters", []):
                entry.parameters.append(
                    Field(
                        f"{param['name']} ({param['in']})",
                        _type_of(schema, param.get("schema", {})),
                        bool(param.get("required")),
                        str(param.get("description", "")),
                    )
                )
            content = op.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                entry.body = _fields(schema, content["application/json"]["schema"])
            entry.answers = [
                (code, str(answer.get("description", "")))
                for code, answer in sorted(op.get("responses", {}).items())
            ]
            found.append(entry)
    return found
