"""Charts: Vega-Lite specifications rendered to SVG on the server (vl-convert), and the allocation
drawn as a Sankey diagram in plain SVG. Pages work without JavaScript; every chart has a text
description (``aria-label``) and sits beside a table of the same numbers.

Rendering is cached by the specification's content, so a page whose data did not change costs a
dictionary lookup.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from decimal import Decimal
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any, Literal

# Distinct hues, each with a contrast of at least 3:1 on white (WCAG 2.1, 1.4.11 non-text contrast):
# darkened Okabe-Ito, so that colour-vision deficiencies still tell them apart.
PALETTE = ["#0072B2", "#B35900", "#007A5A", "#AA4488", "#8A6D00", "#5E4FA2", "#000000", "#882255", "#6B4226"]
# More categories than PALETTE has colours (a member's services in the stacked bars): twelve hues
# told apart by hue and lightness, the smallest categories grouped into "other" (OTHER_COLOUR).
WIDE_PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#6A3D9A",
    "#66A61E",
    "#882255",
    "#8A6D00",
    "#1F4E3D",
    "#FB9A99",
]
OTHER_COLOUR = "#8C8C8C"
_CONFIG: dict[str, Any] = {
    "font": "DejaVu Sans",  # the font the renderer measures with is the font the page shows
    "axis": {
        "labelLimit": 260,
        "labelFontSize": 12,
        "titleFontSize": 13,
        "labelColor": "#1a1a1a",
        "titleColor": "#1a1a1a",
    },
    "legend": {"labelFontSize": 12, "titleFontSize": 13, "labelColor": "#1a1a1a", "titleColor": "#1a1a1a"},
    "range": {"category": PALETTE},
    "view": {"stroke": None},
}
# Amounts go into the charts as exact decimal strings; Vega parses them for drawing only.
NUMBER = {"parse": {"v": "number"}}


_NUMBER_LOCALES: dict[str, Literal["nl-NL", "fr-FR", "en-GB"]] = {"nl": "nl-NL", "fr": "fr-FR", "en": "en-GB"}


_SHARED: list[Path] = []  # the folder where worker processes share their renderings (share_renderings)
_SHARED_KEPT = 4000  # renderings kept there (the oldest go when the app starts)


def share_renderings(folder: Path) -> None:
    """Keep renderings in ``folder`` too (the data directory's ``cache/charts``), named by the hash of
    their specification, so the worker processes of ``mutua serve --workers`` render a chart once
    between them: rendering costs 100-400 ms, reading the file well under one. Only the newest
    renderings are kept."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        files = sorted(folder.glob("*.svg"), key=lambda f: f.stat().st_mtime)
        for old in files[: max(0, len(files) - _SHARED_KEPT)]:
            old.unlink(missing_ok=True)
    except OSError:  # a read-only or vanished folder: each process renders for itself
        _SHARED.clear()
        return
    _SHARED[:] = [folder]


@lru_cache(maxsize=512)
def _svg(spec_json: str, lang: str) -> str:
    shared = None
    if _SHARED:
        digest = hashlib.sha256((lang + "\n" + spec_json).encode()).hexdigest()
        shared = _SHARED[0] / f"{digest}.svg"
        try:
            return shared.read_text(encoding="utf-8")
        except OSError:
            pass
    import vl_convert

    svg = str(
        vl_convert.vegalite_to_svg(spec_json, format_locale=_NUMBER_LOCALES.get(lang, "en-GB"), allowed_base_urls=[])
    )
    if shared is not None:
        try:  # written whole then renamed: another worker reads the old file or the new, never half
            partial = shared.with_name(f"{shared.stem}.{os.getpid()}.tmp")
            partial.write_text(svg, encoding="utf-8")
            partial.replace(shared)
        except OSError:
            pass
    return svg


def render(spec: dict[str, Any], lang: str = "en") -> str:
    """The SVG of a Vega-Lite specification (cached by content), as one image named by the
    specification's description (``role="img"``, ``aria-label``, ``<title>``); the numbers are in
    the table beside it."""
    svg = _svg(json.dumps(spec, sort_keys=True), lang)
    label = escape(str(spec.get("description", "")))
    head, sep, rest = svg.partition(">")
    opening = head.replace("<svg ", '<svg role="img" aria-label="' + label + '" ', 1)
    return f"{opening}{sep}<title>{label}</title>{rest}"


def spend_by_month(
    rows: list[dict[str, str]], title: str, month: str, amount: str, service: str, other: str | None = None
) -> dict[str, Any]:
    """Stacked bars: a member's spend per month, by service (``service`` in the rows: the name the
    legend shows). The services beyond the palette's twelve colours, the smallest, are grouped as
    ``other`` (grey), so that no two services share a colour."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        totals[r["service"]] += Decimal(r["amount"])
    ranked = sorted(totals, key=lambda s: (-totals[s], s))
    if len(ranked) > len(WIDE_PALETTE) and other is not None:
        kept = set(ranked[: len(WIDE_PALETTE) - 1])
        rows = [r if r["service"] in kept else {**r, "service": other} for r in rows]
        domain = [*ranked[: len(WIDE_PALETTE) - 1], other]
        colours = [*WIDE_PALETTE[: len(WIDE_PALETTE) - 1], OTHER_COLOUR]
    else:
        domain, colours = ranked, WIDE_PALETTE[: len(ranked)]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": title,
        "title": title,
        "width": 560,
        "height": 240,
        "config": _CONFIG,
        "data": {"values": [{"m": r["period"], "s": r["service"], "v": r["amount"]} for r in rows], "format": NUMBER},
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "m", "type": "ordinal", "title": month},
            "y": {"field": "v", "type": "quantitative", "aggregate": "sum", "title": amount},
            "color": {
                "field": "s",
                "type": "nominal",
                "title": service,
                "scale": {"domain": domain, "range": colours},
                "legend": {"labelLimit": 260},
            },
            "order": {"field": "s", "type": "nominal"},
        },
    }


def budget_bullets(rows: list[dict[str, str]], labels: dict[str, str]) -> dict[str, Any]:
    """A bullet chart per engagement (one row each): the budget as a light bar, spent to date as a
    dark bar inside it, the projection as a tick with its range as a thin rule. ``rows``: ``name``,
    ``budget``, ``spent``, ``projection``, ``low``, ``high`` (exact decimal strings)."""
    values = [
        {"e": r["name"], "b": r["budget"], "s": r["spent"], "p": r["projection"], "lo": r["low"], "hi": r["high"]}
        for r in rows
    ]
    parse = {"format": {"parse": dict.fromkeys(("b", "s", "p", "lo", "hi"), "number")}}
    y = {"field": "e", "type": "nominal", "title": None, "sort": None, "axis": {"labelLimit": 300}}
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": labels["title"],
        "title": labels["title"],
        "width": 520,
        "height": {"step": 22},
        "config": _CONFIG,
        "data": {"values": values, **parse},
        "encoding": {"y": y},
        "layer": [
            {
                "mark": {"type": "bar", "color": "#d9d9d9", "size": 18},
                "encoding": {
                    "x": {"field": "b", "type": "quantitative", "title": labels["amount"]},
                    "tooltip": [
                        {"field": "e", "title": labels["engagement"]},
                        {"field": "b", "title": labels["budget"]},
                    ],
                },
            },
            {
                "mark": {"type": "bar", "color": PALETTE[0], "size": 8},
                "encoding": {"x": {"field": "s", "type": "quantitative"}},
            },
            {
                "mark": {"type": "rule", "color": "#1a1a1a", "strokeWidth": 1.5},
                "encoding": {"x": {"field": "lo", "type": "quantitative"}, "x2": {"field": "hi"}},
            },
            {
                "mark": {"type": "tick", "color": PALETTE[1], "thickness": 3, "size": 18},
                "encoding": {"x": {"field": "p", "type": "quantitative"}},
            },
        ],
    }


def spend_by_service(rows: list[dict[str, str]], title: str, amount: str) -> dict[str, Any]:
    """Horizontal bars: a member's spend to date per service."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": title,
        "title": title,
        "width": 480,
        "config": _CONFIG,
        "data": {"values": [{"s": r["name"], "v": r["amount"]} for r in rows], "format": NUMBER},
        "mark": {"type": "bar", "color": PALETTE[0]},
        "encoding": {
            "y": {"field": "s", "type": "nominal", "sort": "-x", "title": None},
            "x": {"field": "v", "type": "quantitative", "title": amount},
        },
    }


# -- Sankey -------------------------------------------------------------------------------------


def sankey_svg(flows: dict[str, Any], title: str, columns: list[str], fmt: Any, width: int = 1100) -> str:
    """The allocation as a Sankey diagram: columns ledger, support centres, final centres, services,
    client groups; each band is an exact amount (``<title>`` gives it to pointer and screen reader).

    Flows between support centres (step-down) are listed in the table, not drawn.
    """
    nodes = flows["nodes"]
    if not nodes:
        return ""
    col_of = {n["id"]: n["column"] for n in nodes}
    name_of = {n["id"]: n["name"] for n in nodes}
    links = [
        (lk["source"], lk["target"], Decimal(lk["amount"]))
        for lk in flows["links"]
        if col_of[lk["target"]] > col_of[lk["source"]]
    ]
    inflow: dict[str, Decimal] = defaultdict(Decimal)
    outflow: dict[str, Decimal] = defaultdict(Decimal)
    for s, t, v in links:
        outflow[s] += v
        inflow[t] += v
    size = {n["id"]: max(inflow[n["id"]], outflow[n["id"]]) for n in nodes}
    height, top, pad, node_w = 720, 40, 6, 14
    by_col: dict[int, list[str]] = defaultdict(list)
    for n in nodes:
        if size[n["id"]] > 0:
            by_col[n["column"]].append(n["id"])
    ncols = 5
    scale = min(
        (Decimal(height - top - pad * (len(ids) - 1)) / sum((size[i] for i in ids), Decimal(0)))
        for ids in by_col.values()
    )
    x_of = {c: 10 + c * (width - 230) // (ncols - 1) for c in range(ncols)}
    y_of: dict[str, float] = {}
    for _c, ids in by_col.items():
        y = float(top)
        for i in ids:
            y_of[i] = y
            y += float(size[i] * scale) + pad
    out_off: dict[str, float] = defaultdict(float)
    in_off: dict[str, float] = defaultdict(float)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height + 10}" role="img" '
        f'aria-labelledby="sankey-title" class="sankey"><title id="sankey-title">{escape(title)}</title>'
    ]
    for c, label in enumerate(columns):
        parts.append(f'<text x="{x_of[c]}" y="20" class="col">{escape(label)}</text>')
    colour = {c: PALETTE[c % len(PALETTE)] for c in range(ncols)}
    for s, t, v in sorted(links, key=lambda lk: (col_of[lk[0]], y_of.get(lk[0], 0), y_of.get(lk[1], 0))):
        if s not in y_of or t not in y_of:
            continue
        w = float(v * scale)
        y0 = y_of[s] + out_off[s] + w / 2
        y1 = y_of[t] + in_off[t] + w / 2
        out_off[s] += w
        in_off[t] += w
        x0, x1 = x_of[col_of[s]] + node_w, x_of[col_of[t]]
        mid = (x0 + x1) / 2
        parts.append(
            f'<path d="M{x0},{y0:.1f} C{mid},{y0:.1f} {mid},{y1:.1f} {x1},{y1:.1f}" '
            f'stroke="{colour[col_of[s]]}" stroke-opacity="0.35" stroke-width="{max(w, 0.5):.1f}" fill="none">'
            f"<title>{escape(name_of[s])} → {escape(name_of[t])}: {escape(fmt(v))}</title></path>"
        )
    for n in nodes:
        i = n["id"]
        if i not in y_of:
            continue
        h = max(float(size[i] * scale), 1.0)
        x = x_of[n["column"]]
        parts.append(
            f'<rect x="{x}" y="{y_of[i]:.1f}" width="{node_w}" height="{h:.1f}" fill="{colour[n["column"]]}">'
            f"<title>{escape(n['name'])}: {escape(fmt(size[i]))}</title></rect>"
        )
        if h >= 9:
            label = n["name"] if len(n["name"]) <= 28 else n["name"][:27] + "…"
            parts.append(
                f'<text x="{x + node_w + 4}" y="{y_of[i] + h / 2 + 4:.1f}" class="node">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)


def fingerprint(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]
