"""The API's documentation page, read from its OpenAPI schema: each operation with its parameters,
body, answers and how to authenticate; each schema with its fields; each kind of problem. A plain
page (no JavaScript, nothing loaded from elsewhere), so it shows under the portal's CSP."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mutua.platform.web.problems import KINDS, ProblemKind

_REF = "#/components/schemas/"


@dataclass(frozen=True, slots=True)
class TypeText:
    """A type as shown: its words, and the schema it names (linked), if any."""

    text: str
    refs: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    where: str
    type: TypeText
    required: bool
    description: str


@dataclass(frozen=True, slots=True)
class Answer:
    status: str
    description: str
    media_types: tuple[str, ...]
    type: TypeText | None


@dataclass(frozen=True, slots=True)
class Operation:
    method: str
    path: str
    summary: str
    tag: str
    anchor: str
    security: tuple[str, ...]
    parameters: tuple[Field, ...]
    body: tuple[Field, ...]
    body_media_type: str
    answers: tuple[Answer, ...]


@dataclass(frozen=True, slots=True)
class Schema:
    name: str
    description: str
    fields: tuple[Field, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class ApiDocs:
    title: str
    version: str
    description: str
    security: tuple[tuple[str, str], ...]
    operations: tuple[Operation, ...]
    schemas: tuple[Schema, ...]
    problems: tuple[ProblemKind, ...]


def type_text(schema: dict[str, Any] | None) -> TypeText:
    """A schema's type in words: ``string (date)``, ``list of MemberOut``, ``integer | null``."""
    if not schema:
        return TypeText("any")
    if "$ref" in schema:
        name = str(schema["$ref"]).removeprefix(_REF)
        return TypeText(name, (name,))
    for union in ("anyOf", "oneOf", "allOf"):
        if union in schema:
            parts = [type_text(s) for s in schema[union]]
            return TypeText(" | ".join(p.text for p in parts), tuple(r for p in parts for r in p.refs))
    kind = schema.get("type", "object")
    if kind == "array":
        inner = type_text(schema.get("items"))
        return TypeText(f"list of {inner.text}", inner.refs)
    text = str(kind)
    if "enum" in schema:
        text += " (" + ", ".join(str(v) for v in schema["enum"]) + ")"
    elif "format" in schema:
        text += f" ({schema['format']})"
    bounds = [
        f"{label} {schema[key]}"
        for key, label in (
            ("minimum", ">="),
            ("maximum", "<="),
            ("minLength", "length >="),
            ("maxLength", "length <="),
            ("pattern", "pattern"),
        )
        if key in schema
    ]
    if bounds:
        text += ", " + ", ".join(bounds)
    return TypeText(text)


def _fields(schema: dict[str, Any], components: dict[str, Any], where: str) -> tuple[Field, ...]:
    if "$ref" in schema:
        schema = components.get(str(schema["$ref"]).removeprefix(_REF), {})
    required = set(schema.get("required", ()))
    return tuple(
        Field(name, where, type_text(prop), name in required, str(prop.get("description", prop.get("title", ""))))
        for name, prop in schema.get("properties", {}).items()
    )


def _answers(responses: dict[str, Any]) -> tuple[Answer, ...]:
    answers = []
    for status, response in sorted(responses.items()):
        content = response.get("content", {})
        typed = next((c["schema"] for c in content.values() if c.get("schema")), None)
        answers.append(
            Answer(
                str(status),
                str(response.get("description", "")),
                tuple(content),
                type_text(typed) if typed else None,
            )
        )
    return tuple(answers)


def api_docs(schema: dict[str, Any]) -> ApiDocs:
    """What the documentation page shows of an OpenAPI schema."""
    components = schema.get("components", {}).get("schemas", {})
    schemes = schema.get("components", {}).get("securitySchemes", {})
    operations = []
    for path, ops in schema.get("paths", {}).items():
        for method, op in ops.items():
            body: dict[str, Any] = op.get("requestBody", {}).get("content", {})
            media_type, body_schema = next(iter(body.items()), ("", {}))
            body_schema = dict(body_schema)
            operations.append(
                Operation(
                    method=method.upper(),
                    path=path,
                    summary=str(op.get("summary", "")),
                    tag=(op.get("tags") or [""])[0],
                    anchor=str(op.get("operationId", f"{method}-{path}")),
                    security=tuple(name for requirement in op.get("security", ()) for name in requirement),
                    parameters=tuple(
                        Field(
                            p["name"],
                            p.get("in", ""),
                            type_text(p.get("schema")),
                            bool(p.get("required")),
                            str(p.get("description", "")),
                        )
                        for p in op.get("parameters", ())
                    ),
                    body=_fields(body_schema.get("schema", {}), components, "body") if body_schema else (),
                    body_media_type=media_type,
                    answers=_answers(op.get("responses", {})),
                )
            )
    return ApiDocs(
        title=str(schema.get("info", {}).get("title", "")),
        version=str(schema.get("info", {}).get("version", "")),
        description=str(schema.get("info", {}).get("description", "")),
        security=tuple((name, str(s.get("description", ""))) for name, s in schemes.items()),
        operations=tuple(operations),
        schemas=tuple(
            Schema(name, str(s.get("description", "")), _fields(s, components, "field"))
            for name, s in sorted(components.items())
        ),
        problems=KINDS,
    )
