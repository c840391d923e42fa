"""The kinds of problem the API answers (RFC 9457 ``type``), and their place in the OpenAPI schema.

Each refusal has a ``type`` naming its kind, a URI reference to the kind's description on the API's
documentation page (``/api/v1/docs#problem-not-found``), so that a client can tell a missing
resource from an unknown route's or a refused input without parsing the ``detail``. Every error
response of every operation is documented as ``application/problem+json`` with the problem schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mutua.kernel.access import Forbidden, Unauthenticated
from mutua.kernel.problems import Conflict, MutuaError, NotFound, Rejected
from mutua.kernel.throttle import TooManyAttempts

DOCS = "/api/v1/docs"
MEDIA_TYPE = "application/problem+json"


class InvalidRequest(Rejected):
    """A request whose parameters, fields or body are malformed (the framework's validation, a bad
    period): refused before any use case runs."""

    def __init__(self, problems: Any) -> None:
        super().__init__(problems, "request")


@dataclass(frozen=True, slots=True)
class ProblemKind:
    """A kind of problem: its ``type`` slug, HTTP status and what it means to a client."""

    slug: str
    status: int
    meaning: str

    @property
    def uri(self) -> str:
        return f"{DOCS}#problem-{self.slug}"


KINDS: tuple[ProblemKind, ...] = (
    ProblemKind("bad-request", 400, "The request cannot be carried out as asked."),
    ProblemKind(
        "unauthenticated",
        401,
        "No valid bearer token or session: get a token from POST /api/v1/token (or log in again: a changed "
        "password, role or a logout ends every token).",
    ),
    ProblemKind("forbidden", 403, "Your role may not do this."),
    ProblemKind(
        "not-found",
        404,
        "No such resource, or not one of yours: another member's data is answered as unknown.",
    ),
    ProblemKind("no-such-route", 404, "No operation at this path: see the API's operations."),
    ProblemKind("method-not-allowed", 405, "The path exists, but not with this method."),
    ProblemKind(
        "conflict",
        409,
        "The operation clashes with the state: a month already closed or not yet closed, a document already "
        "issued, a true-up not run, a name taken. Nothing was written.",
    ),
    ProblemKind(
        "invalid-request",
        422,
        "A parameter, field or body is malformed or out of bounds; `problems` names each one. Nothing was written.",
    ),
    ProblemKind(
        "rejected",
        422,
        "The input was refused whole; `problems` names every problem by source, line and field. Nothing was written.",
    ),
    ProblemKind(
        "too-many-attempts",
        429,
        "Too many failed logins for this username from this address: wait the seconds of `Retry-After`.",
    ),
)
BY_SLUG = {k.slug: k for k in KINDS}
_BY_STATUS = {404: BY_SLUG["no-such-route"], 405: BY_SLUG["method-not-allowed"], 400: BY_SLUG["bad-request"]}


def kind_of(error: MutuaError | int) -> str:
    """The ``type`` of a refusal: a domain error by its class, an HTTP error of the framework (an
    unknown route, a method not allowed) by its status; ``about:blank`` for any other status."""
    if isinstance(error, int):
        found = _BY_STATUS.get(error)
        return found.uri if found is not None else "about:blank"
    for cls, slug in (
        (TooManyAttempts, "too-many-attempts"),
        (Unauthenticated, "unauthenticated"),
        (Forbidden, "forbidden"),
        (NotFound, "not-found"),
        (Conflict, "conflict"),
        (InvalidRequest, "invalid-request"),
        (Rejected, "rejected"),
    ):
        if isinstance(error, cls):
            return BY_SLUG[slug].uri
    return BY_SLUG["bad-request"].uri if error.status == 400 else "about:blank"


def document_problems(schema: dict[str, Any], problem_schema: str = "ProblemDetail") -> dict[str, Any]:
    """The OpenAPI ``schema`` with every error response (4xx, 5xx) of every operation documented
    as ``application/problem+json`` with the problem schema (FastAPI puts a response model under
    ``application/json``), and the problem kinds listed in the schema's description."""
    ref = {"$ref": f"#/components/schemas/{problem_schema}"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            for status, response in operation.get("responses", {}).items():
                if str(status)[:1] in ("4", "5"):
                    response["content"] = {MEDIA_TYPE: {"schema": ref}}
    components = schema.get("components", {}).get("schemas", {})
    if problem_schema in components:
        components[problem_schema].setdefault("properties", {}).setdefault("type", {})["description"] = (
            "The kind of problem: a URI reference to its description ("
            + ", ".join(k.uri for k in KINDS)
            + "), or about:blank."
        )
    return schema
