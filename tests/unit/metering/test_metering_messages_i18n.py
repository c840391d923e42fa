"""Every message of metering a person reads is in Dutch and French: the reasons ``validate_event``
gives for every kind of bad event, the lines and refusals of ``mutua metering`` (``--lang``), and the
problem details of ``POST /events`` (``Accept-Language``). None keeps an English word; in English
(and without ``Accept-Language``) they stay as the code writes them."""

from __future__ import annotations

import asyncio
import base64
import re
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from tests.fakes.metering import FakeEventStore, demo_model, metering_uow
from tests.i18n_check import assert_translated, english_words
from tests.integration.metering_support import MEMBERS, build_association, event, write_jsonl
from typer.testing import CliRunner

from mutua.bootstrap import cli as app
from mutua.bootstrap import open_engine, unit_of_work
from mutua.costing.domain.meters import Aggregation, Meter
from mutua.kernel.periods import Period
from mutua.kernel.problems import MutuaError, Rejected
from mutua.metering.domain import Rejection, meters_by_type, validate_event
from mutua.metering.http import create_app
from mutua.metering.senders import SenderKeys
from mutua.metering.service import create_sender_key, materialise, revoke_sender_key
from mutua.platform.i18n import translate_message
from mutua.platform.settings import Settings

MEMBER = "0123456749"
NOW = datetime(2025, 6, 1, tzinfo=UTC)

# English words that no Dutch or French message of metering holds (``type``, ``source``, ``data``,
# ``meter``, ``engagement``, ``client``, ``document``, ``object``, ``array``, ``bytes``, ``mode``,
# ``usage``, ``absolute``, ``double``, ``secret``, ``change``, ``is``, ``in``, ``or``, ``of`` and ``a`` are
# Dutch or French words too, so they are not here)
ENGLISH = re.compile(
    r"\b(missing|unknown|field|must|text|events?|not|the|and|no|with|offset|future|before|after|given|"
    r"both|hold|value|number|written|digits|bounds|most|negative|scalar|could|read|sender|key|keys|may|send|"
    r"such|file|cannot|closed|period|changed|next|needs|name|least|patterns|any|empty|entry|already|"
    r"taken|duplicates|nothing|rejected|late|flushed|stored|rows?|from|adjustments?|yet|metered|store|holds|"
    r"none|imported|charged|close|see|member|month|date|shown|once|keep|revoked|made|binary|request|batch|"
    r"line|column|char|unexpected|end|trailing|comma|allowed|content|character|expected|invalid|escaped|"
    r"sequence|string|leading|zero|control|surrogates|infinity|parsed|reading|writing|done|committing|"
    r"claiming|validating|deduplicating|engine|installed|lists|them|all|more|Usage|Sender|reads|it|be)\b"
)

# What a message quotes as it is: the CloudEvents attributes, media types, commands, names
CODES = (
    "application/cloudevents+json",
    "application/cloudevents-batch+json",
    "specversion",
    "data_base64",
    "data.gb",
    "data.vm",
    "data.op",
    "POST /events",
    "Authorization: Bearer mts_...",
    "mutua metering keys create",
    "mutua import usage",
    "mutua statement",
    "--json",
    "pip install 'mutua[spark]'",
    "(time)",
    "(subject)",
    "(data)",
    " time ",
    " subject ",
    " id ",
    "add",
    "remove",
)


def _english(text: str, *codes: str) -> list[str]:
    return english_words(text, ENGLISH, (*CODES, *codes))


def _assert_translated(messages: Iterable[str], *codes: str) -> None:
    assert_translated(messages, ENGLISH, (*CODES, *codes))


# -- the reasons of validate_event --------------------------------------------------------------------

METERS = meters_by_type(demo_model())
METERS["be.mutua.vm.inventory"] = [
    Meter("vm_count", "be.mutua.vm.inventory", Aggregation.UNIQUE_COUNT, "vm", (), "VMAAS", operation_property="op")
]
SUBJECTS = {MEMBER: (MEMBER, "SVC-1")}


def _event(**changes: Any) -> dict[str, Any]:
    good: dict[str, Any] = {
        "specversion": "1.0",
        "id": "e1",
        "source": "/gateway",
        "type": "be.mutua.storage.used",
        "subject": MEMBER,
        "time": "2025-03-10T12:00:00Z",
        "data": {"gb": 10},
    }
    return {k: v for k, v in {**good, **changes}.items() if v is not None}


def _without(name: str) -> dict[str, Any]:
    return {k: v for k, v in _event().items() if k != name}


BAD_EVENTS: list[Any] = [
    [1, 2],
    _without("specversion"),
    _event(specversion="0.3"),
    *(_without(name) for name in ("id", "source", "type", "subject", "time")),
    *(_event(**{name: 5}) for name in ("id", "source", "type", "subject", "time")),
    _event(source="/gate\x00way"),
    _event(id="e\x001"),
    _event(type="be.mutua.unknown"),
    _event(subject="0999999999"),
    _event(time="2026-11-02"),
    _event(time="2999-01-01T00:00:00Z"),
    _event(time="1969-12-31T23:00:00Z"),
    _event(data_base64=base64.b64encode(b'{"gb": 1}').decode()),
    _event(data=None, data_base64=5),
    _event(data=None, data_base64="!!not base64!!"),
    _event(data=None, data_base64=base64.b64encode(b"[1]").decode()),
    _event(data=[1]),
    _event(type="be.mutua.vm.inventory", data={"vm": "vm-1", "op": "delete"}),
    _event(data={}),
    _event(type="be.mutua.vm.inventory", data={"vm": {"name": "vm-1"}}),
    _event(data={"gb": "12,5"}),
    _event(data={"gb": "1e13"}),
    _event(data={"gb": -5}),
]


def _reasons() -> list[Rejection]:
    found = []
    for i, raw in enumerate(BAD_EVENTS):
        verdict = validate_event(
            raw, i, meters=METERS, subjects=SUBJECTS, now=NOW, line=i + 1, require_specversion=True
        )
        assert isinstance(verdict, Rejection), raw
        found.append(verdict)
    return found


def test_every_reason_an_event_is_refused_for_reads_in_dutch_and_french_and_stays_english_in_english() -> None:
    rejections = _reasons()
    reasons = [r.reason for r in rejections]
    assert len(set(reasons)) == len(BAD_EVENTS)  # a different reason for each kind of bad event
    _assert_translated(reasons, "'12,5'", "'delete'", "1e13", "'be.mutua.unknown'", "vm_count", "storage_gb")
    by_field = {r.field: translate_message(r.reason, "fr") for r in rejections}
    assert by_field["time"] == "l'horodatage 1969-12-31T23:00:00Z est antérieur à 1970 ou postérieur à 2100"
    shown = translate_message(reasons[rejections.index(next(r for r in rejections if "RFC" in r.reason))], "nl")
    assert shown == "geen RFC 3339-tijdstip met Z of een verschil met UTC (2025-03-10T12:00:00Z): '2026-11-02'"
    assert translate_message("gb is out of bounds: at most 1,000,000,000,000 in absolute value, not 1e13", "nl") == (
        "gb valt buiten de grenzen: hoogstens 1.000.000.000.000 in absolute waarde, niet 1e13"
    )


def test_a_staged_event_the_rules_cannot_place_and_a_body_that_is_not_json_read_in_dutch_and_french() -> None:
    bodies = [b"", b"{", b'{"a":1,}', b'{"a" 1}', b'{"a":1} x', b"{a:1}", b'{"a":"\\q"}', b"[01]", b'"\x01"']
    messages = []
    for body in bodies:
        with pytest.raises(orjson.JSONDecodeError) as broken:
            orjson.loads(body)
        messages.append(str(broken.value))
    _assert_translated([*messages, "the event could not be read as a CloudEvent"], "':'")


def test_a_locked_month_and_the_sender_keys_are_refused_in_dutch_and_french(tmp_path: Path) -> None:
    def refused(call: Callable[[], object]) -> list[str]:
        with pytest.raises(MutuaError) as error:
            call()
        if isinstance(error.value, Rejected):
            return [error.value.message, *(f"{p.source}: {p.message}" for p in error.value.problems)]
        return [error.value.message]

    closed = Period(2025, 1)
    messages = refused(lambda: materialise(metering_uow(closed=[closed.key]), FakeEventStore(), closed))
    keys = SenderKeys(tmp_path)
    create_sender_key(metering_uow(), keys, "portal", ["*"], ["*"], "portal-client")
    refusals = [("", ["*"], None), ("g", [" "], None), ("g", ["*"], " "), ("p", ["*"], "portal-client")]
    for name, sources, client in refusals:
        messages += refused(partial(create_sender_key, metering_uow(), keys, name, sources, ["*"], client))
    messages += refused(lambda: revoke_sender_key(metering_uow(), keys, "nokey"))
    _assert_translated(messages, "portal-client", "nokey")


# -- mutua metering --lang nl/fr ------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir holding the metering tests' small association (the demo meters, three members)."""
    folder = tmp_path_factory.mktemp("metering-i18n")
    engine = open_engine(Settings(data_dir=folder / "data"))
    build_association(engine, folder)
    engine.dispose()
    return folder / "data"


def mutua(data_dir: Path, lang: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        app, ["--data-dir", str(data_dir), "--lang", lang, "metering", *args], env={"COLUMNS": "400"}
    )
    return result.exit_code, result.output


def _file_of_bad_events(folder: Path) -> Path:
    good = event("ok-1")
    return write_jsonl(
        folder / "bad.jsonl",
        [
            good,
            event("ok-1"),  # a duplicate
            {**event("b1"), "time": "2026-11-02"},
            {**event("b2"), "subject": "0999999999"},
            {**event("b3"), "type": "be.mutua.unknown"},
            {k: v for k, v in event("b4").items() if k != "source"},
            event("b5", type="be.mutua.storage.used", data={"gb": "abc"}),
            event("b6", type="be.mutua.storage.used", data={"gb": -3}),
            {**event("b7"), "specversion": "0.3"},
        ],
    )


def _said(output: str) -> list[str]:
    """The lines a command printed (its rejections indented), without the progress bar's."""
    return [ln.strip() for ln in output.splitlines() if ln.strip() and "━" not in ln]


def test_ingest_says_what_it_took_and_why_it_refused_each_event_in_the_language_chosen(
    data_dir: Path, tmp_path: Path
) -> None:
    file = _file_of_bad_events(tmp_path)
    code, english = mutua(data_dir, "en", "ingest", str(file))
    assert code == 2
    assert (
        f"{file}: 9 events read, 1 taken, 1 duplicate (already taken, nothing changed), 7 rejected, 0 late;" in english
    )
    assert f"{file}:3: time: not an RFC 3339 time with Z or an offset (2025-03-10T12:00:00Z): '2026-11-02'" in english
    code, french = mutua(data_dir, "fr", "ingest", str(file))
    assert code == 2
    lines = _said(french)
    summary = next(ln for ln in lines if ln.startswith(f"{file} : 9 "))
    assert summary.startswith(
        f"{file} : 9 événements lus, 0 retenu, 2 doublons (déjà retenus, rien n'a changé), 7 refusés, 0 tardif ;"
    )
    assert summary.endswith("événements/s")
    refused = [ln for ln in lines if ln.startswith(f"{file}:") and ln != summary]
    assert len(refused) == 7
    assert (
        f"{file}:3 : horodatage (time) : pas un horodatage RFC 3339 avec Z ou un décalage par rapport à UTC "
        "(2025-03-10T12:00:00Z) : '2026-11-02'"
    ) in refused
    assert f"{file}:4 : sujet (subject) : membre ou engagement inconnu '0999999999'" in refused
    assert f"{file}:6 : source : champ source manquant" in refused
    code, dutch = mutua(data_dir, "nl", "ingest", str(file))
    refused_nl = [ln for ln in _said(dutch) if ln.startswith(f"{file}:") and "gelezen" not in ln]
    assert f"{file}:4: onderwerp (subject): onbekend lid of engagement '0999999999'" in refused_nl
    assert f"{file}:7: data.gb: gb is geen getal in ASCII-cijfers (12, 12.5, 1.25e3): 'abc'" in refused_nl
    assert f"{file}:8: data.gb: gb is negatief: -3" in refused_nl
    for lang, output in (("fr", french), ("nl", dutch)):
        for line in _said(output):
            assert _english(line.replace(str(file), " "), "'be.mutua.unknown'", "'0.3'", "'abc'") == [], (lang, line)


def test_the_other_commands_and_their_refusals_speak_the_language_chosen(data_dir: Path, tmp_path: Path) -> None:
    said: dict[str, list[str]] = {"nl": [], "fr": []}
    for lang in ("nl", "fr"):
        for args, expected in (
            (("flush",), 0),
            (("materialise", "2025-02"), 0),
            (("materialise", "2025-13"), 2),
            (("materialise", "2025-02", "--engine", "hadoop"), 2),
            (("usage", "--period", "2024-01"), 0),
            (("usage", "--period", "2024-01", "--member", MEMBERS[0], "--meter", "api_calls"), 0),
            (("usage", "--period", "2024-01", "--member", "123"), 2),
            (("ingest", str(tmp_path / "nowhere.jsonl")), 1),
            (("keys", "create", " ", "--source", "*", "--type", "*"), 2),
            (("keys", "revoke", "nokey"), 1),
        ):
            code, output = mutua(data_dir, lang, *args)
            assert code == expected, (args, output)
            said[lang].extend(_said(output))
        code, output = mutua(data_dir, lang, "keys", "create", f"gateway-{lang}", "--source", "/gw/*", "--type", "*")
        assert code == 0, output
        key_id = re.search(r"\b([0-9a-f]{12})\b", output)
        assert key_id is not None
        said[lang].append(_said(output)[0])
        code, output = mutua(data_dir, lang, "keys", "list")
        said[lang].append(_said(output)[0])  # the table's title
        code, output = mutua(data_dir, lang, "keys", "revoke", key_id.group(1))
        assert code == 0, output
        said[lang].extend(_said(output))
    assert "0 gebeurtenissen overgebracht, 0 al opgeslagen" in said["nl"]
    # French takes the singular for 0 and 1
    assert "2025-02 : 0 ligne de consommation à partir de 0 événement (0 ajustement tardif)" in said["fr"]
    assert "0 événement transféré, 0 déjà enregistré" in said["fr"]
    assert any(ln.startswith("aucun événement de consommation mesuré pour 2024-01 : le magasin") for ln in said["fr"])
    assert any("geen verbruiksgebeurtenissen gemeten voor 2024-01 van lid" in ln for ln in said["nl"])
    assert any("'hadoop' n'est pas un moteur de calcul (duckdb, spark)" in ln for ln in said["fr"])
    assert any("de maand moet 1-12 zijn, niet 13" in ln for ln in said["nl"])
    assert "Afzendersleutels" in said["nl"] and "Clés d'expéditeur" in said["fr"]
    for lang, lines in said.items():
        leaks = [
            ln
            for ln in lines
            if _english(ln, str(tmp_path), "gateway-nl", "gateway-fr", "'hadoop'", "nokey", "'123'", "api_calls")
            and not ln.startswith(("Usage:", "Try ", "╭", "│", "╰"))  # Click's own frame of a bad option
        ]
        assert leaks == [], lang


def test_counts_take_the_plural_form_of_the_language_and_tables_are_headed_in_it(
    data_dir: Path, tmp_path: Path
) -> None:
    one = write_jsonl(tmp_path / "one.jsonl", [event("plural-1")])
    code, french = mutua(data_dir, "fr", "ingest", str(one))
    assert code == 0, french
    summary = next(ln for ln in _said(french) if ln.startswith(f"{one} : "))
    assert summary.startswith(
        f"{one} : 1 événement lu, 1 retenu, 0 doublon (déjà retenu, rien n'a changé), 0 refusé, 0 tardif ; "
    )
    assert summary.endswith(("événement/s", "événements/s"))
    two = write_jsonl(tmp_path / "two.jsonl", [event("plural-1"), event("plural-2"), event("plural-3")])
    code, dutch = mutua(data_dir, "nl", "ingest", str(two))
    assert code == 0, dutch
    assert any(
        ln.startswith(f"{two}: 3 gebeurtenissen gelezen, 2 opgenomen, 1 dubbel (al opgenomen, niets veranderd), ")
        for ln in _said(dutch)
    ), dutch
    code, english = mutua(data_dir, "en", "ingest", str(one))
    assert f"{one}: 1 event read, 0 taken, 1 duplicate (already taken, nothing changed), 0 rejected, 0 late;" in english
    code, usage = mutua(data_dir, "fr", "usage", "--period", "2025-03")
    assert code == 0, usage
    header = next(ln for ln in _said(usage) if "Compteur" in ln)
    headed = ("Membre", "Engagement", "Agrégation", "Mois de consommation", "Quantité")
    assert [w for w in headed if w not in header] == []
    row = next(ln for ln in _said(usage) if "api_calls" in ln)
    assert "Nombre" in row and "Count" not in row  # the aggregation named in French
    quantity = re.search(r"(\d+[.,]\d+)", row)
    assert quantity is not None and "," in quantity.group(1), row  # a decimal comma
    code, usage_nl = mutua(data_dir, "nl", "usage", "--period", "2025-03")
    assert any("Maand van verbruik" in ln and "Hoeveelheid" in ln for ln in _said(usage_nl)), usage_nl
    code, stats = mutua(data_dir, "nl", "stats")
    assert code == 0
    lines = _said(stats)
    stored = next(ln for ln in lines if ln.startswith("Opgeslagen gebeurtenissen: "))
    assert int(stored.split(": ")[1].replace(".", "")) >= 3
    assert any(ln.startswith("Maanden: ") and "2025-03" in ln for ln in lines), lines
    code, stats_fr = mutua(data_dir, "fr", "stats")
    assert any(ln.startswith("Clés réservées : ") for ln in _said(stats_fr)), stats_fr
    for lang, output in (("fr", french + usage + stats_fr), ("nl", dutch + usage_nl + stats)):
        for line in _said(output):
            assert _english(line.replace(str(tmp_path), " "), "api_calls", "requests") == [], (lang, line)


def test_the_commands_say_the_same_in_english_as_before(data_dir: Path) -> None:
    code, output = mutua(data_dir, "en", "usage", "--period", "2024-01", "--member", MEMBERS[0])
    assert code == 0
    assert (
        f"no usage events metered for 2024-01 of member {MEMBERS[0]}: the event store holds none for it (usage "
        "imported as CSV, `mutua import usage`, is charged by the close but not metered: see `mutua statement`)"
    ) in output
    code, output = mutua(data_dir, "en", "materialise", "2025-04")
    assert code == 0 and "2025-04: 0 usage rows from 0 events (0 late adjustments)" in output
    code, output = mutua(data_dir, "en", "flush")
    assert code == 0 and "0 events flushed, 0 already stored" in output
    code, output = mutua(data_dir, "en", "keys", "revoke", "nokey")
    assert code == 1 and "no sender key nokey" in output


# -- POST /events with Accept-Language ------------------------------------------------------------------


def test_the_http_answers_follow_accept_language_and_stay_english_without_it(data_dir: Path, tmp_path: Path) -> None:
    engine = open_engine(Settings(data_dir=data_dir))
    http = create_app(lambda: unit_of_work(engine, "http"), tmp_path)
    _, key = SenderKeys(tmp_path).create("gateway", ["/gateway/*"], ["*"])
    batch = [event("h1"), {**event("h2"), "time": "2026-11-02"}, event("h3", source="/elsewhere")]
    headers = {"authorization": f"Bearer {key}", "content-type": "application/cloudevents-batch+json"}
    one = {**headers, "content-type": "application/cloudevents+json"}

    async def scenario() -> dict[str, Any]:
        answers: dict[str, Any] = {}
        async with http.router.lifespan_context(http):
            transport = httpx.ASGITransport(app=http)
            async with httpx.AsyncClient(transport=transport, base_url="http://mutua") as client:
                for lang in ("fr", None):
                    asked = {"accept-language": "fr-BE,fr;q=0.9,en;q=0.5"} if lang else {}
                    answers[f"batch {lang}"] = await client.post(
                        "/events", headers={**headers, **asked}, content=orjson.dumps(batch)
                    )
                    answers[f"one {lang}"] = await client.post(
                        "/events", headers={**one, **asked}, content=orjson.dumps(event("h4", source="/other"))
                    )
                    answers[f"nobody {lang}"] = await client.post("/events", headers=asked, content=b"{}")
                    answers[f"not json {lang}"] = await client.post("/events", headers={**one, **asked}, content=b"{")
                    answers[f"media {lang}"] = await client.post(
                        "/events", headers={**one, **asked, "content-type": "text/plain"}, content=b"{}"
                    )
        return answers

    answers = asyncio.run(scenario())
    engine.dispose()
    french = answers["batch fr"]
    assert french.status_code == 207 and french.headers["content-language"] == "fr"
    reasons = {r["field"]: r["reason"] for r in french.json()["rejections"]}
    assert reasons["time"] == (
        "pas un horodatage RFC 3339 avec Z ou un décalage par rapport à UTC (2025-03-10T12:00:00Z) : '2026-11-02'"
    )
    assert reasons["sender"].startswith("la clé de cet expéditeur ne peut pas envoyer d'événements de source")
    assert {r.get("reason") for r in french.json()["results"]} >= set(reasons.values())
    refused = answers["one fr"].json()
    assert answers["one fr"].status_code == 403 and answers["one fr"].headers["content-language"] == "fr"
    assert refused["detail"] == refused["reason"] and refused["field"] == "sender"
    assert refused["title"] == "event refused"  # for programs, as the API's titles
    assert answers["nobody fr"].status_code == 401
    assert answers["nobody fr"].json()["detail"].startswith("envoyez une clé d'expéditeur : Authorization: Bearer")
    assert answers["not json fr"].json()["detail"] == "fin inattendue des données : ligne 1 colonne 2 (caractère 1)"
    assert answers["media fr"].status_code == 415
    details = [
        *reasons.values(),
        refused["detail"],
        answers["nobody fr"].json()["detail"],
        answers["not json fr"].json()["detail"],
        answers["media fr"].json()["detail"],
    ]
    leaks = [d for d in details if _english(d, "/elsewhere", "/other", "'be.mutua.api.call'", "text/plain")]
    assert leaks == []
    english = answers["batch None"]
    assert english.status_code == 207
    english_reasons = {r["field"]: r["reason"] for r in english.json()["rejections"]}
    assert english_reasons["time"] == ("not an RFC 3339 time with Z or an offset (2025-03-10T12:00:00Z): '2026-11-02'")
    assert answers["one None"].json()["detail"].startswith("this sender's key may not send events of source")
    assert answers["nobody None"].json()["detail"].startswith("send a sender key: Authorization: Bearer mts_...")
    assert answers["not json None"].json()["detail"] == "unexpected end of data: line 1 column 2 (char 1)"
    assert answers["media None"].json()["detail"].startswith("send application/cloudevents+json")
    assert answers["nobody None"].headers["content-language"] == "en"
