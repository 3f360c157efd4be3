"""A PDF draft's text as laid out on its pages (pypdf's layout mode: each line where it stands, indentation and the
gaps between a table's cells kept as spaces) turned into the text the parser reads: the page numbers left out, each
paragraph on one line, a table's rows as "a | b | c" (as a Word table is read). Pure.
"""
from __future__ import annotations

import re
from collections import Counter

from portal.core.textwidth import display_width


def laid_out_text(pages: list[str]) -> str:
    """The text of the pages (each as laid out), in order."""
    return _joined_lines(_table_rows(
        "\n".join(_without_page_number(page, number) for number, page in enumerate(pages, start=1))))


# a page's number, printed in its footer (or header) and read with its text: — 3 — and - 3 - (as government documents
# print it), or 3, 第3页, 第 3 页 共 20 页, 3/20, which are taken for one only when they give about the page's place in
# the file (a cover or a table of contents may go unnumbered): a table's last cell may be a number too
_DASHED_NUMBER = re.compile(r"^\s*[-－—–~·]+\s*\d{1,4}\s*[-－—–~·]+\s*$")
_PAGE_NUMBER = re.compile(r"^\s*(?:第\s*)?(\d{1,4})\s*(?:页)?(?:\s*[,，/]?\s*(?:共\s*)?\d{1,4}\s*(?:页)?)?\s*$")
_UNNUMBERED_PAGES = 3


_CELL_GAP = re.compile(r"\S[ \t]{2,}\S")  # two words apart on a line as laid out: cells of a table


def _is_row(line: str) -> bool:
    """A table's row: as laid out (cells two spaces or more apart), or as ``_table_rows`` wrote it."""
    return bool(_CELL_GAP.search(line)) or " | " in line


def _joined_lines(text: str) -> str:
    """Lines as laid out on the pages (``pdf_pages(layout=True)``), each paragraph on one line: a line that fills the
    page's width, followed by one that is not indented (a paragraph's first line is: 公文 indent each by two
    characters), is continued by it; headings (一、 （一） 1. …) and table rows (cells set apart by spaces) stay lines of
    their own. What fills the width is told by the most common width of the lines, indented and not, less a
    character and a half (a line of ASCII digits and punctuation holds more characters)."""
    from portal.drafts.parser import match_label

    lines = [line.rstrip() for line in text.split("\n")]
    widths: dict[bool, Counter] = {True: Counter(), False: Counter()}
    for line in lines:
        if len(line.strip()) > 10:
            widths[line[:1].isspace()][display_width(line.strip())] += 1
    full = {indented: (counted.most_common(1)[0][0] - 3 if counted else None) for indented, counted in widths.items()}
    joined: list[str] = []
    filled = False  # the line before fills the width
    for line in lines:
        words, indented = line.strip(), line[:1].isspace()
        if (filled and words and not indented and not _is_row(words) and not _is_row(joined[-1])
                and match_label(words) is None):
            joined[-1] += words
        else:
            joined.append(words)
        limit = full[indented]
        filled = bool(words) and limit is not None and display_width(words) >= limit
    return "\n".join(joined)


_FRAGMENT = re.compile(r"\S+(?: \S+)*")  # words on a line as laid out, two spaces or more apart from the next


def _fragments(line: str) -> list[tuple[int, str]]:
    return [(found.start(), found.group()) for found in _FRAGMENT.finditer(line)]


def _table_rows(text: str) -> str:
    """A table as laid out written as the parser reads a table, cells apart by " | " (as a Word table is read).

    A table starts at a line of three cells or more (words set apart by two spaces or more: two alone are often a name
    set to the width of three characters, 王  宇, in a list of members); their starts are its columns. It goes on over
    blank lines and over lines whose words each start where a column does (a cell's text wrapped onto the next line,
    in that column) or, after a blank line, of two cells or more (the next row). Each
    row's cells are the words of its column, joined. Rows are told apart by the blank lines between them where the
    table has any, else by a line filling every column. A line of cells alone is no table: left as it is."""
    lines = text.split("\n")
    out: list[str] = []
    index = 0
    while index < len(lines):
        first = _fragments(lines[index])
        if len(first) < 3:
            out.append(lines[index])
            index += 1
            continue
        starts = [start for start, _words in first]
        block: list[list[tuple[int, str]] | None] = [first]
        end = index + 1
        while end < len(lines):
            fragments = _fragments(lines[end])
            if not fragments:
                block.append(None)
            elif (block[-1] is None and len(fragments) < 2) or not all(
                    _column(starts, start) is not None for start, _words in fragments):
                break
            else:
                block.append(fragments)
            end += 1
        while block[-1] is None:  # blank lines after the table are not its own
            block.pop()
            end -= 1
        rows = _rows(block, starts)
        if len(rows) < 2:
            out.append(lines[index])
            index += 1
            continue
        out.extend(" | ".join(cells) for cells in rows)
        index = end
    return "\n".join(out)


def _column(starts: list[int], start: int) -> int | None:
    """The column whose words start at ``start`` (a character either way), or None."""
    return next((number for number, column in enumerate(starts) if abs(column - start) <= 1), None)


def _rows(block: list, starts: list[int]) -> list[list[str]]:
    separated = None in block
    rows: list[list[str]] = []
    current: list[str] | None = None
    for fragments in block:
        if fragments is None:
            current = None
            continue
        if current is None or (not separated and len(fragments) == len(starts)):
            current = [""] * len(starts)
            rows.append(current)
        for start, words in fragments:
            current[_column(starts, start)] += words
    return rows


def _without_page_number(page: str, number: int) -> str:
    """The text of the ``number``-th page of the file without the page number in its footer (its last line) or
    header (its first)."""
    lines = page.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for end in (-1, 0):  # the footer, then the header: each the first line with words from its end
        while lines and not lines[end].strip():
            lines.pop(end)
        if lines and _is_page_number(lines[end], number):
            lines.pop(end)
    return "\n".join(lines).strip("\n")


def _is_page_number(line: str, number: int) -> bool:
    if _DASHED_NUMBER.match(line):
        return True
    found = _PAGE_NUMBER.match(line)
    return found is not None and number - _UNNUMBERED_PAGES <= int(found.group(1)) <= number
