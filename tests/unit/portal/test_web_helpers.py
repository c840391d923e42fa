"""Small pieces of the web adapter: login throttling, redirects, tokens, the Sankey, the catalogues."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from mutua.platform.web.auth import LoginThrottle, Tokens, TooManyAttempts
from mutua.platform.web.charts import sankey_svg
from mutua.platform.web.pages import safe_next

WEB = Path(__file__).resolve().parents[3] / "src" / "mutua"
LOCALE = WEB / "locale"


def test_five_failed_logins_block_the_sixth_until_the_window_has_passed() -> None:
    now = [0.0]
    throttle = LoginThrottle(limit=5, window=900, clock=lambda: now[0])
    for _ in range(5):
        throttle.check("user:jan")
        throttle.failed("user:jan")
    with pytest.raises(TooManyAttempts):
        throttle.check("user:jan")
    throttle.check("user:eva")  # another user is not blocked
    now[0] = 901.0
    throttle.check("user:jan")


def test_a_successful_login_clears_the_failures() -> None:
    throttle = LoginThrottle(limit=2)
    throttle.failed("user:jan")
    throttle.succeeded("user:jan")
    throttle.failed("user:jan")
    throttle.check("user:jan")


@pytest.mark.parametrize(
    ("target", "expected"),
    [("/members/1", "/members/1"), ("https://evil.example/", "/"), ("//evil.example", "/"), ("", "/"), (None, "/")],
)
def test_the_login_redirect_only_goes_to_a_path_of_this_site(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


def test_a_token_names_its_user_and_a_tampered_token_names_nobody() -> None:
    tokens = Tokens("secret")
    token = tokens.issue("jan")
    assert tokens.username(token) == "jan"
    assert tokens.username(token[:-2] + "xx") is None
    assert Tokens("other secret").username(token) is None


def test_the_sankey_draws_each_flow_with_its_exact_amount_as_text() -> None:
    flows = {
        "nodes": [
            {"id": "ledger:62", "name": "62", "column": 0},
            {"id": "centre:ADM", "name": "ADM", "column": 1},
            {"id": "centre:DEV", "name": "DEV", "column": 2},
            {"id": "service:DEV-H", "name": "Development", "column": 3},
            {"id": "group:other", "name": "other", "column": 4},
        ],
        "links": [
            {"source": "ledger:62", "target": "centre:ADM", "amount": "1000.00"},
            {"source": "centre:ADM", "target": "centre:DEV", "amount": "1000.00"},
            {"source": "centre:DEV", "target": "service:DEV-H", "amount": "1000.00"},
            {"source": "service:DEV-H", "target": "group:other", "amount": "1000.00"},
        ],
    }
    svg = sankey_svg(flows, "Allocation <2025>", ["a", "b", "c", "d", "e"], lambda v: f"EUR {Decimal(v):.2f}")
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert '<title id="sankey-title">Allocation &lt;2025&gt;</title>' in svg
    assert svg.count("<path") == 4
    assert "<title>ADM → DEV: EUR 1000.00</title>" in svg


def test_every_portal_message_is_translated_into_dutch_and_french() -> None:
    method_map = [
        ("*/documents/**", "ignore"),
        ("platform/web/templates/**.html", "jinja2"),
        ("*/templates/*/**.html", "jinja2"),
        ("**.py", "python"),
    ]
    ids = {
        msg[2] if isinstance(msg[2], str) else msg[2][0]
        for msg in extract_from_dir(str(WEB), method_map, keywords={"_": None})
    }
    assert len(ids) > 100
    for lang in ("nl", "fr"):
        with (LOCALE / lang / "LC_MESSAGES" / "portal.po").open("rb") as fh:
            catalog = read_po(fh)
        translated = {m.id for m in catalog if m.id and m.string}
        assert sorted(ids - translated) == [], lang
