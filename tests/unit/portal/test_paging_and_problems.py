"""The API's pagination (one envelope, an opaque cursor) and its kinds of problem, without a server."""

from __future__ import annotations

import pytest

from mutua.kernel.access import Forbidden, Unauthenticated
from mutua.kernel.problems import Conflict, NotFound, Problem, Rejected
from mutua.platform.web import paging
from mutua.platform.web.apidocs import api_docs, type_text
from mutua.platform.web.problems import KINDS, InvalidRequest, document_problems, kind_of


def test_a_list_is_read_whole_page_by_page_and_the_last_page_has_no_cursor() -> None:
    items = list(range(7))
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page, cursor = paging.page_of(items, 3, cursor, str)
        seen += page
        pages += 1
        if cursor is None:
            break
    assert seen == [str(i) for i in items] and pages == 3
    assert paging.page_of(items, 7, None, str) == ([str(i) for i in items], None)
    assert paging.page_of([], 5, None, str) == ([], None)


@pytest.mark.parametrize("cursor", ["!!", "bm90LWpzb24", paging.encode(q=1), paging.encode(before=3)])
def test_a_cursor_not_made_for_this_list_is_an_invalid_request(cursor: str) -> None:
    with pytest.raises(InvalidRequest) as refused:
        paging.page_of([1, 2], 1, cursor, str)
    assert refused.value.problems[0].field == "cursor"
    assert kind_of(refused.value) == "/api/v1/docs#problem-invalid-request"


def test_each_refusal_has_its_kind_and_framework_errors_theirs() -> None:
    assert kind_of(NotFound("x")) == "/api/v1/docs#problem-not-found"
    assert kind_of(Conflict("x")) == "/api/v1/docs#problem-conflict"
    assert kind_of(Rejected([Problem("f.csv", 2, "amount", "bad")])) == "/api/v1/docs#problem-rejected"
    assert kind_of(Unauthenticated("x")) == "/api/v1/docs#problem-unauthenticated"
    assert kind_of(Forbidden("x")) == "/api/v1/docs#problem-forbidden"
    assert kind_of(404) == "/api/v1/docs#problem-no-such-route"
    assert kind_of(405) == "/api/v1/docs#problem-method-not-allowed"
    assert kind_of(418) == "about:blank"
    assert len({k.slug for k in KINDS}) == len(KINDS)


def test_error_responses_are_documented_as_problem_details_and_shown_on_the_docs_page() -> None:
    schema = {
        "info": {"title": "T", "version": "1", "description": "d"},
        "paths": {
            "/x": {
                "get": {
                    "operationId": "x_get",
                    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 500}}],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/P"}}},
                        },
                        "404": {
                            "description": "nf",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/ProblemDetail"}},
                                "application/problem+json": {},
                            },
                        },
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "P": {
                    "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Q"}}},
                    "required": ["items"],
                },
                "ProblemDetail": {"properties": {"type": {"type": "string"}}},
            }
        },
    }
    documented = document_problems(schema)
    assert documented["paths"]["/x"]["get"]["responses"]["404"]["content"] == {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}
    }
    assert (
        "problem-not-found" in documented["components"]["schemas"]["ProblemDetail"]["properties"]["type"]["description"]
    )
    docs = api_docs(documented)
    (operation,) = docs.operations
    assert operation.parameters[0].type.text == "integer, <= 500"
    assert [a.status for a in operation.answers] == ["200", "404"]
    assert docs.schemas[0].fields[0].type == type_text({"type": "array", "items": {"$ref": "#/components/schemas/Q"}})
    assert docs.schemas[0].fields[0].type.refs == ("Q",) and docs.schemas[0].fields[0].required
