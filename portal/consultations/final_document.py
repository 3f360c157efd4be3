"""The policy as finally issued (正式文件) compared with the draft consulted on.

Once a consultation has closed and its answers are out, citizens ask what became of the draft: the drafting office
publishes the policy as issued (its title, document number and date, a note on what the consultation changed) and
the portal shows, part by part, what changed from the draft consulted on (portal/drafts/matching.py, as between two
versions of a draft: the words dropped struck through, the words added underlined). The text is read from the
office's file as a draft's is (portal/drafts/readers.py, parser.py) and kept as its sections (``flat_sections``).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from itertools import zip_longest

from portal.drafts.matching import SectionKey, match_sections, text_changes

# what a draft's title says of its stage, left out of the title of the policy issued
_STAGE = re.compile(r"\s*[（(]\s*(?:征求意见稿|公开征求意见稿|草案|草案征求意见稿|送审稿|修订草案|试行草案|讨论稿)\s*[）)]\s*$")


def issued_title(title: str | None, draft_title: str) -> str:
    """The title of the policy issued: as its file gives it, else the draft's, without （征求意见稿） and the like."""
    chosen = (title or "").strip() or draft_title
    return _STAGE.sub("", chosen).strip() or chosen


def flat_sections(items: list[dict], path: tuple[str, ...] = (), level: int = 1, tables: list[dict] | None = None,
                  _at: tuple[int, ...] = ()) -> list[dict]:
    """The parsed sections (nested, portal/drafts/parser.py) in document order, each with the labels of its
    ancestors and its own (``path``): what comparing needs, and what the page shows; with ``tables`` (the parsed
    tables, each naming its section by ``section_path``), each section's own tables (``tables``: title, header, rows)
    — a document stored before tables were kept has no such key, and its tables are not compared."""
    flat: list[dict] = []
    for index, item in enumerate(items):
        label = item.get("label") or ""
        own, at = path + (label,), _at + (index,)
        part = {"path": list(own), "label": label, "heading": item.get("heading") or "",
                "text": item.get("text") or "", "level": item.get("level") or level}
        if tables is not None:
            part["tables"] = [{"title": t.get("title") or "", "header": list(t.get("header") or []),
                               "rows": [list(r) for r in t.get("rows") or []]}
                              for t in tables if tuple(t.get("section_path") or ()) == at]
        flat.append(part)
        flat.extend(flat_sections(item.get("children") or [], own, level + 1, tables, at))
    return flat


@dataclass(frozen=True)
class TableChange:
    """A table of a part compared with the draft's: ``new``, ``removed`` or ``changed``; its title, its header's
    cells and its rows, each row (``equal``, ``insert``, ``delete`` or ``changed``) with its cells as text_changes
    parts (rows matched as wholes, then a changed row's cells one by one)."""

    status: str
    title: str
    header: list[list[tuple[str, str]]]
    rows: list[tuple[str, list[list[tuple[str, str]]]]]

    def counts(self) -> dict[str, int]:
        """Rows added, taken out and changed (the comparison document's note)."""
        kinds = [kind for kind, _cells in self.rows]
        return {kind: kinds.count(kind) for kind in ("insert", "delete", "changed")}


def _cells(row: list[str], op: str) -> list[list[tuple[str, str]]]:
    return [[(op, cell)] for cell in row]


def _table_change(old: dict | None, new: dict | None) -> TableChange | None:
    if old is None:
        return TableChange("new", new["title"], _cells(new["header"], "insert"),
                           [("insert", _cells(row, "insert")) for row in new["rows"]])
    if new is None:
        return TableChange("removed", old["title"], _cells(old["header"], "delete"),
                           [("delete", _cells(row, "delete")) for row in old["rows"]])
    if (old["title"], old["header"], old["rows"]) == (new["title"], new["header"], new["rows"]):
        return None
    rows: list[tuple[str, list]] = []
    matcher = difflib.SequenceMatcher(None, [tuple(r) for r in old["rows"]], [tuple(r) for r in new["rows"]],
                                      autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            rows.extend(("equal", _cells(row, "equal")) for row in new["rows"][b1:b2])
            continue
        before, after = old["rows"][a1:a2], new["rows"][b1:b2]
        paired = min(len(before), len(after)) if op == "replace" else 0
        for was, now in zip(before[:paired], after[:paired]):
            rows.append(("changed", [text_changes(a, b) for a, b in zip_longest(was, now, fillvalue="")]))
        rows.extend(("delete", _cells(row, "delete")) for row in before[paired:])
        rows.extend(("insert", _cells(row, "insert")) for row in after[paired:])
    header = [text_changes(a, b) for a, b in zip_longest(old["header"], new["header"], fillvalue="")]
    return TableChange("changed", new["title"] or old["title"], header, rows)


def table_changes(old_tables: list[dict], new_tables: list[dict]) -> list[TableChange]:
    """A part's tables in the policy issued against the draft's, in order (the first with the first …)."""
    found = (_table_change(old, new) for old, new in zip_longest(old_tables, new_tables))
    return [change for change in found if change is not None]


def _draft_tables(section) -> list[dict]:
    return [{"title": t.title or "", "header": list(t.header or []), "rows": [list(r) for r in t.rows or []]}
            for t in sorted(section.tables, key=lambda t: t.position)]


@dataclass(frozen=True)
class FinalChange:
    """One part of the policy issued compared with the draft: ``new`` (not in the draft), ``removed`` (in the draft
    only), ``changed`` or ``unchanged``; its title, and its heading's and text's changes (text_changes parts)."""

    status: str
    title: str
    heading_parts: list[tuple[str, str]]
    text_parts: list[tuple[str, str]]
    anchor: str | None = None  # the draft's section, to read its comments: for parts not new
    tables: list[TableChange] = field(default_factory=list)  # its tables' changes (none when the same or not kept)
    # the text reads on from the heading ("……补贴力度" + "，特别是……") in the draft or the policy: shown after its
    # heading, never from a bare comma
    continues_heading: bool = False


def final_changes(draft_sections, final_sections: list[dict]) -> list[FinalChange]:
    """Part by part, the policy issued against the draft consulted on (``draft_sections``: its Section rows in
    order); the parts taken out come last."""
    from portal.drafts.models import reads_on
    from portal.drafts.revisions import section_key  # the key two versions of a draft are matched by

    old = list(draft_sections)
    old_keys = [section_key(s) for s in old]
    new_keys = [SectionKey(path=tuple(s["path"]), content=f"{s['heading']}\n{s['text']}") for s in final_sections]
    matches = match_sections(old_keys, new_keys)
    changes: list[FinalChange] = []
    kept: set[int] = set()
    compared = all("tables" in part for part in final_sections)  # tables kept (not by documents stored before)
    for index, part in enumerate(final_sections):
        title = f"{part['label']}{part['heading']}"
        if index not in matches:
            changes.append(FinalChange("new", title, [("insert", title)], [("insert", part["text"])],
                                       tables=table_changes([], part.get("tables") or []),
                                       continues_heading=reads_on(part["heading"], part["text"])))
            continue
        before = old[matches[index]]
        kept.add(matches[index])
        tables = table_changes(_draft_tables(before), part["tables"]) if compared else []
        same = (before.label, before.heading, before.text) == (part["label"], part["heading"], part["text"])
        changes.append(FinalChange("unchanged" if same and not tables else "changed", title,
                                   text_changes(f"{before.label}{before.heading}", title),
                                   text_changes(before.text, part["text"]), before.anchor, tables,
                                   before.continues_heading or reads_on(part["heading"], part["text"])))
    for position, before in enumerate(old):
        if position not in kept:
            title = f"{before.label}{before.heading}"
            changes.append(FinalChange("removed", title, [("delete", title)], [("delete", before.text)], before.anchor,
                                       table_changes(_draft_tables(before), []) if compared else [],
                                       before.continues_heading))
    return changes


def table_note(change: TableChange) -> str:
    """A table's changes in words, for the comparison document: 表格“……”：增加2行，删去1行，修改3行。"""
    name = f"表格“{change.title}”" if change.title else "表格"
    if change.status == "new":
        return f"（新增{name}，{len(change.rows)}行）"
    if change.status == "removed":
        return f"（删去{name}）"
    counts = change.counts()
    said = "，".join(f"{word}{counts[kind]}行" for kind, word in (("insert", "增加"), ("delete", "删去"),
                                                                   ("changed", "修改")) if counts[kind])
    return f"（{name}：{said or '表头修改'}）"


def comparison_document(title: str, issuer: str | None, note: str, changes: list[FinalChange], dated: str) -> bytes:
    """The comparison table (修改对照表) offices publish with a policy: the parts changed, added and taken out, the
    draft's words in one column (those dropped struck through), the policy's in the next (those added underlined),
    and what happened to the part."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    from portal.core.official_docx import (HEADING_FONT, centred_note, document_bytes, official_document,
                                           repeat_as_header, set_font, signature, title_paragraph)
    from portal.core.xmltext import xml_text

    document = official_document()
    title_paragraph(document, f"《{title}》修改对照表")
    centred_note(document, note)
    changed = [c for c in changes if c.status != "unchanged"]
    if not changed:
        centred_note(document, "正文和征求意见稿相同。")
    else:
        table = document.add_table(rows=1, cols=4)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        repeat_as_header(table.rows[0])
        for cell, (header, width) in zip(table.rows[0].cells, (("序号", 40), ("征求意见稿", 180), ("正式文件", 180),
                                                               ("说明", 42))):
            cell.width = Pt(width)
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(header)
            run.bold = True
            set_font(run.font, HEADING_FONT, 12)
        for number, change in enumerate(changed, start=1):
            cells = table.add_row().cells
            cells[0].paragraphs[0].add_run(str(number)).font.size = Pt(12)
            for cell, keep, mark in ((cells[1], "delete", "strike"), (cells[2], "insert", "underline")):
                if change.status == ("new" if keep == "delete" else "removed"):
                    continue  # a part added has no draft's words; one taken out no policy's
                paragraph = cell.paragraphs[-1] if not cell.paragraphs[-1].text else cell.add_paragraph()
                for parts in (change.heading_parts, change.text_parts):
                    if paragraph.text and not (parts is change.text_parts and change.continues_heading):
                        paragraph = cell.add_paragraph()  # the text apart from its heading, unless it reads on
                    for op, text in parts:
                        if op not in ("equal", keep):
                            continue
                        run = paragraph.add_run(xml_text(text))
                        run.font.size = Pt(12)
                        if op == keep:
                            setattr(run.font, mark, True)
                            run.bold = keep == "insert"
            what = {"new": "新增", "removed": "删去", "changed": "修改"}[change.status]
            cells[3].paragraphs[0].add_run(what).font.size = Pt(12)
            for table_change in change.tables:  # the tables' changes, said in words
                cells[2 if change.status != "removed" else 1].add_paragraph().add_run(
                    xml_text(table_note(table_change))).font.size = Pt(12)
    signature(document, issuer, dated)
    return document_bytes(document)


def comparison_download(consultation, final, draft, changes: list[FinalChange]) -> tuple[bytes, str]:
    """The comparison table of ``consultation``'s draft (its version ``draft``) and the policy issued (``final``):
    the document, and its file's name (in Chinese, as the office's documents are)."""
    from portal.core.time import chinese_date, now
    from portal.drafts.document import file_stem

    number = f"{final.document_number}，" if final.document_number else ""
    note = f"征求意见稿（第{draft.version}版）与正式文件（{number}{chinese_date(final.issued_on)}印发）对照"
    data = comparison_document(final.title, consultation.issuer, note, changes, chinese_date(now()))
    return data, f"{file_stem(consultation)}（修改对照表）.docx"
