"""Acceptance tests: the outline that ``flask drafts parse`` finds in each seed text.

The expected outlines in ``tests/drafts/outlines/NNN.txt`` were written by hand from the
seed texts (see ``outlines/README.md`` for the format). Each test runs the real CLI on one
seed, renders the parsed section tree in the same format and compares it with the
expected outline, printing a unified diff on mismatch.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import SEEDS

OUTLINES_DIR = Path(__file__).resolve().parent / "outlines"
SEED_IDS = ["000", "001", "002", "003", "004"]
PREFIX_MAX = 8  # heading prefixes are at most this many characters
INDENT = "  "  # two spaces per level below the top


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class OutlineLine:
    level: int
    label: str
    heading: str  # expected: a prefix; parsed: the full heading, whitespace removed


def seeds_dir() -> Path:
    return SEEDS


def seed_path(seed_id: str) -> Path:
    directory = seeds_dir()
    matches = sorted(directory.glob(f"{seed_id}_*.txt")) or sorted(
        directory.glob(f"{seed_id}.txt")
    )
    if len(matches) != 1:
        pytest.fail(
            f"expected exactly one seed file {seed_id}_*.txt in {directory} "
            f"(set PORTAL_SEEDS_DIR to override), found {[p.name for p in matches]}"
        )
    return matches[0]


def squeeze(text: str | None) -> str:
    """Remove all whitespace (including NBSP and full-width spaces)."""
    return re.sub(r"\s+", "", text or "")


def is_stop_char(ch: str) -> bool:
    """Punctuation (and symbols such as ``+``/``%``) end a heading prefix."""
    return unicodedata.category(ch)[0] in "PS"


def heading_prefix(heading: str | None, limit: int = PREFIX_MAX) -> str:
    """The outline-format prefix: up to ``limit`` characters, stopping before punctuation."""
    out = []
    for ch in squeeze(heading):
        if len(out) >= limit or is_stop_char(ch):
            break
        out.append(ch)
    return "".join(out)


def parse_outline(text: str) -> list[OutlineLine]:
    """Parse an expected-outline file. Raises ValueError on malformed lines."""
    result = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        stripped = raw.lstrip(" ")
        indent = len(raw) - len(stripped)
        if indent % len(INDENT):
            raise ValueError(f"line {lineno}: indent of {indent} spaces is not a multiple of 2")
        label, _, heading = stripped.partition(" ")
        if not label or " " in heading or "\t" in raw:
            raise ValueError(f"line {lineno}: expected '<label> <heading prefix>': {raw!r}")
        result.append(OutlineLine(indent // len(INDENT) + 1, label, heading))
    return result


def render(line: OutlineLine) -> str:
    text = INDENT * (line.level - 1) + line.label
    return f"{text} {line.heading}" if line.heading else text


def flatten_sections(sections: list[dict], depth: int = 1) -> list[tuple[int, OutlineLine]]:
    """Walk the ``sections`` tree in document order.

    Returns ``(nesting_depth, OutlineLine(level, label, heading))`` pairs, where ``level`` is
    the section's own ``level`` field and ``label``/``heading`` have whitespace removed.
    """
    flat = []
    for section in sections:
        flat.append(
            (
                depth,
                OutlineLine(
                    int(section["level"]),
                    squeeze(section.get("label")),
                    squeeze(section.get("heading")),
                ),
            )
        )
        flat.extend(flatten_sections(section.get("children") or [], depth + 1))
    return flat


def render_parsed(parsed: list[OutlineLine], expected: list[OutlineLine]) -> list[str]:
    """Render parsed sections in the outline format for comparison with ``expected``.

    Where the parsed item lines up with an expected item of the same (level, label), its
    heading is truncated to the length of the expected prefix, so a line compares equal
    exactly when the parsed heading starts with the expected prefix. Otherwise the normal
    prefix rule is applied, which keeps the diff readable when items are missing or extra.
    """
    lines = []
    for i, item in enumerate(parsed):
        exp = expected[i] if i < len(expected) else None
        if exp is not None and (exp.level, exp.label) == (item.level, item.label):
            heading = item.heading[: len(exp.heading)]
        else:
            heading = heading_prefix(item.heading)
        lines.append(render(OutlineLine(item.level, item.label, heading)))
    return lines


def outline_diff(expected_lines: list[str], actual_lines: list[str], name: str) -> str:
    return "\n".join(
        difflib.unified_diff(
            expected_lines,
            actual_lines,
            fromfile=f"expected outlines/{name}.txt",
            tofile=f"parsed {name}",
            lineterm="",
            n=2,
        )
    )


def load_expected(seed_id: str) -> list[OutlineLine]:
    return parse_outline((OUTLINES_DIR / f"{seed_id}.txt").read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def cli_runner():
    from portal import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return app.test_cli_runner()


# --------------------------------------------------------------------------- acceptance


@pytest.mark.parametrize("seed_id", SEED_IDS, ids=SEED_IDS)
def test_parsed_outline_matches_expected(cli_runner, seed_id):
    path = seed_path(seed_id)
    result = cli_runner.invoke(args=["drafts", "parse", str(path)])
    assert result.exit_code == 0, (
        f"`flask drafts parse {path.name}` exited with {result.exit_code}\n"
        f"output:\n{result.output}\nexception: {result.exception!r}"
    )

    # The output must be UTF-8 JSON with Chinese written literally, not as \uXXXX escapes.
    raw = getattr(result, "stdout_bytes", None)
    if raw is not None:
        raw.decode("utf-8")  # raises if not valid UTF-8
    stdout = result.stdout
    cjk_escapes = re.findall(r"\\u(?:[34][0-9a-fA-F]{3}|[5-9][0-9a-fA-F]{3}|[fF][fF][0-9a-fA-F]{2})",
                             stdout)
    assert not cjk_escapes, f"Chinese text is \\u-escaped in the JSON output: {cjk_escapes[:5]}"
    expected = load_expected(seed_id)
    first_heading = expected[0].heading
    assert first_heading in stdout, (
        f"the first top-level heading {first_heading!r} does not appear literally in the output"
    )

    data = json.loads(stdout)
    assert isinstance(data, dict) and isinstance(data.get("sections"), list), (
        f"expected a JSON object with a 'sections' list, got: {str(data)[:300]}"
    )

    flat = flatten_sections(data["sections"])
    bad_levels = [
        f"{item.label} {item.heading[:PREFIX_MAX]}: level {item.level} at nesting depth {depth}"
        for depth, item in flat
        if item.level != depth
    ]
    assert not bad_levels, "section 'level' disagrees with nesting depth:\n" + "\n".join(
        bad_levels[:20]
    )

    parsed = [item for _, item in flat]
    expected_lines = [render(line) for line in expected]
    actual_lines = render_parsed(parsed, expected)
    if actual_lines != expected_lines:
        pytest.fail(
            f"outline of seed {seed_id} differs ({len(expected_lines)} expected sections, "
            f"{len(actual_lines)} parsed):\n"
            + outline_diff(expected_lines, actual_lines, seed_id),
            pytrace=False,
        )


# --------------------------------------------------------------------------- fixtures' sanity


@pytest.mark.parametrize("seed_id", SEED_IDS, ids=SEED_IDS)
def test_expected_outline_is_well_formed(seed_id):
    lines = load_expected(seed_id)
    assert lines, f"outlines/{seed_id}.txt is empty"
    assert lines[0].level == 1
    previous = 0
    for line in lines:
        assert line.level <= previous + 1, f"level jumps by more than one at {render(line)!r}"
        previous = line.level
        assert len(line.heading) <= PREFIX_MAX, render(line)
        assert not any(is_stop_char(ch) for ch in line.heading), render(line)
        assert not re.search(r"\s", line.label), render(line)


@pytest.mark.parametrize("seed_id", SEED_IDS, ids=SEED_IDS)
def test_expected_prefixes_occur_in_seed(seed_id):
    """Every expected 'label+heading' occurs in the seed text (whitespace removed)."""
    text = squeeze(seed_path(seed_id).read_text(encoding="utf-8"))
    for line in load_expected(seed_id):
        if line.label.startswith("附件"):
            assert line.label in text and line.heading in text, render(line)
        else:
            assert line.label + line.heading in text, render(line)


# --------------------------------------------------------------------------- helper unit tests


SAMPLE = {
    "sections": [
        {
            "label": "一、",
            "level": 1,
            "heading": "目标要求",
            "text": "……",
            "children": [],
        },
        {
            "label": "二、",
            "level": 1,
            "heading": "主要任务",
            "text": "",
            "children": [
                {
                    "label": "( 一 )",
                    "level": 2,
                    "heading": "老年友好社会创建提升行动",
                    "text": "",
                    "children": [
                        {
                            "label": "一是",
                            "level": 3,
                            "heading": "弘扬爱老助老社会风尚",
                            "text": "开展……",
                            "children": [],
                        }
                    ],
                }
            ],
        },
        {"label": "附件", "level": 1, "heading": "宿州市养老服务 提升行动主要目标",
         "text": "", "children": []},
    ]
}

SAMPLE_OUTLINE = """\
一、 目标要求
二、 主要任务
  (一) 老年友好社会创建
    一是 弘扬爱老助老社会
附件 宿州市养老服务提
"""


def test_helpers_flatten_and_render_match():
    flat = flatten_sections(SAMPLE["sections"])
    assert [depth for depth, _ in flat] == [1, 1, 2, 3, 1]
    parsed = [item for _, item in flat]
    assert parsed[2] == OutlineLine(2, "(一)", "老年友好社会创建提升行动")
    expected = parse_outline(SAMPLE_OUTLINE)
    assert render_parsed(parsed, expected) == [render(line) for line in expected]
    assert "\n".join(render(line) for line in expected) + "\n" == SAMPLE_OUTLINE


def test_helpers_report_readable_diff():
    expected = parse_outline(SAMPLE_OUTLINE)
    parsed = [item for _, item in flatten_sections(SAMPLE["sections"])]
    del parsed[3]  # the parser "missed" 一是
    parsed[1] = OutlineLine(1, "二、", "重点任务")  # and got a heading wrong
    actual = render_parsed(parsed, expected)
    diff = outline_diff([render(line) for line in expected], actual, "sample")
    assert "-    一是 弘扬爱老助老社会" in diff
    assert "-二、 主要任务" in diff and "+二、 重点任务" in diff
    assert "-附件 宿州市养老服务提" not in diff  # unchanged items are not reported


def test_helpers_heading_prefix_rule():
    assert heading_prefix("建立老年人公共服务清单。在建立") == "建立老年人公共服"
    assert heading_prefix("开展“银龄行动”志愿服务") == "开展"
    assert heading_prefix("实现康养联合体乡镇（街道）全覆盖") == "实现康养联合体乡"
    assert heading_prefix(" 产业发展 全面提速") == "产业发展全面提速"
    assert heading_prefix("老有所养。") == "老有所养"
    assert heading_prefix("“浙里康养”台州专班") == ""


def test_helpers_parse_outline_rejects_bad_indent():
    with pytest.raises(ValueError):
        parse_outline("一、 目标要求\n   (一) 三个空格\n")
