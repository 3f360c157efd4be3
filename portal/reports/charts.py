"""Server-rendered SVG bar charts, accessible (title, desc, role="img"), no script and no inline style.

Pure: takes labels and numbers, returns markup (escaped), no app context.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Callable
from html import escape

from markupsafe import Markup

BAR_HEIGHT = 22
LABEL_HEIGHT = 24  # each label stands above its bar: the chart stays narrow enough to read on a phone
GAP = 12
CHART_WIDTH = 400  # shown at most 480 px wide (portal.css): ~14 px letters on a 360 px phone, ~19 px on a desktop
VALUE_WIDTH = 56


def _width(character: str) -> float:
    """A character's width in ems, roughly: Chinese and full-width ones 1, the rest (Latin letters, digits) 0.6."""
    return 1.0 if unicodedata.east_asian_width(character) in ("W", "F") else 0.6


def _shorten(label: str, limit: float = 24) -> str:
    """The label as it fits above its bar: at most ``limit`` ems (24 Chinese characters, or 40 Latin letters: an
    English label was cut after 24 letters, "Comments on the draft a…", with room for the whole of it)."""
    if sum(_width(c) for c in label) <= limit:
        return label
    used, kept = _width("…"), []
    for character in label:
        used += _width(character)
        if used > limit:
            break
        kept.append(character)
    return "".join(kept) + "…"


def horizontal_bar_chart(
    chart_id: str, title: str, description: str | Markup, items: list[tuple[str, int]], separator: str = "：",
    label_lang: Callable[[str], str | None] | None = None,
) -> str:
    """One bar per (label, value), each label above its bar; the figures are written beside the bars, the full
    labels in <title>s ("label：value", or with the reader's ``separator``). ``label_lang(label)``, when given, is
    the language of a label (the draft's section headings are Chinese on an English page too): its text and
    <title> carry it, for a screen reader and for the font's Chinese glyphs. A ``description`` given as Markup is
    written as it is (a Chinese label in it marked with a <span lang>: <desc> holds HTML in an HTML page)."""
    largest = max((value for _, value in items), default=0) or 1
    bar_space = CHART_WIDTH - VALUE_WIDTH
    row = LABEL_HEIGHT + BAR_HEIGHT + GAP
    height = max(len(items), 1) * row
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" role="img" '
        f'viewBox="0 0 {CHART_WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{description if isinstance(description, Markup) else escape(description)}'
        '</desc>',
    ]
    for index, (label, value) in enumerate(items):
        top = index * row
        y = top + LABEL_HEIGHT
        width = round(bar_space * value / largest, 1)
        middle = y + BAR_HEIGHT / 2
        lang = label_lang(label) if label_lang else None
        marked = f' lang="{escape(lang)}"' if lang else ""
        parts.append(
            f'<g class="chart-row"><title{marked}>{escape(label)}{escape(separator)}{value}</title>'
            f'<text class="chart-label" x="0" y="{top + LABEL_HEIGHT / 2}"{marked} '
            f'dominant-baseline="middle">{escape(_shorten(label))}</text>'
            f'<rect class="chart-bar" x="0" y="{y}" width="{width}" height="{BAR_HEIGHT}"/>'
            f'<text class="chart-value" x="{width + 6}" y="{middle}" '
            f'dominant-baseline="middle">{value}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)
