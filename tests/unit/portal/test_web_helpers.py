"""Small pieces of the web adapter: login throttling, redirects, tokens, the Sankey, the catalogues."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from mutua.kernel.access import Unauthenticated
from mutua.kernel.throttle import TooManyAttempts
from mutua.platform.web.auth import LoginThrottle, Tokens, client_address, trusted_networks
from mutua.platform.web.charts import sankey_svg
from mutua.platform.web.pages import safe_next

WEB = Path(__file__).resolve().parents[3] / "src" / "mutua"
LOCALE = WEB / "locale"


def test_after_five_failures_each_attempt_of_the_pair_waits_twice_as_long_and_a_success_forgets_it() -> None:
    now = [0.0]
    throttle = LoginThrottle(limit=5, base=1.0, clock=lambda: now[0])
    for _ in range(5):
        throttle.attempt("jan", "10.0.0.1")  # counted before the password is checked
    with pytest.raises(TooManyAttempts) as early:
        throttle.attempt("jan", "10.0.0.1")
    assert early.value.retry_after == 1
    waits = []
    for _ in range(4):
        now[0] += 0.5
        with pytest.raises(TooManyAttempts) as refused:
            throttle.attempt("jan", "10.0.0.1")
        now[0] = now[0] - 0.5 + refused.value.retry_after  # wait exactly as long as told
        throttle.attempt("jan", "10.0.0.1")
        waits.append(refused.value.retry_after)
    assert waits == [1, 2, 4, 8]
    throttle.succeeded("jan", "10.0.0.1")
    throttle.attempt("jan", "10.0.0.1")


def test_guesses_from_one_address_never_lock_the_real_user_out_at_another() -> None:
    now = [0.0]
    throttle = LoginThrottle(limit=5, clock=lambda: now[0])
    for _ in range(5):
        throttle.attempt("controller", "203.0.113.9")
    for _ in range(20):  # the attacker keeps trying: it is made to wait, nobody else is
        with pytest.raises(TooManyAttempts):
            throttle.attempt("controller", "203.0.113.9")
    throttle.attempt("controller", "192.0.2.10")  # the real controller, from the office
    throttle.attempt("eva", "203.0.113.9")  # another user from the same address


def test_thirty_simultaneous_guesses_get_no_more_password_checks_than_the_limit() -> None:
    import threading

    throttle = LoginThrottle(limit=5)
    checked: list[int] = []
    start = threading.Barrier(30)

    def guess() -> None:
        start.wait()
        try:
            throttle.attempt("controller", "203.0.113.9")
        except TooManyAttempts:
            return
        checked.append(1)  # the password would be checked here

    threads = [threading.Thread(target=guess) for _ in range(30)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checked) == 5


def test_the_throttle_keeps_a_bounded_table_and_refuses_long_usernames_before_keeping_anything() -> None:
    throttle = LoginThrottle(limit=5, max_keys=100)
    for i in range(1000):
        throttle.attempt(f"user{i}", "203.0.113.9")
    assert len(throttle) == 100
    with pytest.raises(Unauthenticated):
        throttle.attempt("x" * 1_000_000, "203.0.113.9")
    assert len(throttle) == 100 and ("x" * 1_000_000, "203.0.113.9") not in throttle._table


def test_x_forwarded_for_names_the_client_only_from_a_trusted_proxy() -> None:
    from starlette.requests import Request

    def request(peer: str, forwarded: str) -> Request:
        headers = [(b"x-forwarded-for", forwarded.encode())]
        return Request({"type": "http", "client": (peer, 1234), "headers": headers})

    proxies = trusted_networks("10.0.0.0/8, 127.0.0.1")
    assert client_address(request("127.0.0.1", "198.51.100.7"), ()) == "127.0.0.1"  # none trusted by default
    assert client_address(request("192.0.2.1", "198.51.100.7"), proxies) == "192.0.2.1"  # not a proxy
    assert client_address(request("10.1.2.3", "198.51.100.7"), proxies) == "198.51.100.7"
    # a client's own forged first hop is not believed: the last untrusted hop is the client
    assert client_address(request("10.1.2.3", "1.2.3.4, 198.51.100.7, 10.0.0.5"), proxies) == "198.51.100.7"
    assert trusted_networks("") == ()


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
