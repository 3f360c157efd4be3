"""Personal information a commenter wrote into the text of a comment (个人信息): mobile and landline numbers, identity
card numbers, e-mail addresses. Found, a new comment waits for a moderator (flag "personal"); the moderator may mask
them (138****8000) before the comment is shown, so that what the public reads holds none of them.

Pure: text in, spans or masked text out. Found strictly, so that a year, an amount or a count is never taken for a
number: a mobile number is 11 digits starting 13–19 standing alone (spaces or hyphens between its groups allowed), a
landline an area code starting 0 then 7–8 digits, an identity card number 18 characters whose check digit is right
(or written after 身份证号: a digit mistyped).
"""
from __future__ import annotations

import re

_SEPARATOR = r"[ \-‐－—]?"
MOBILE = re.compile(rf"(?<![\d０-９])(?:\+?86{_SEPARATOR})?1[3-9]\d{_SEPARATOR}\d{{4}}{_SEPARATOR}\d{{4}}(?![\d０-９])")
LANDLINE = re.compile(r"(?<![\d０-９])(?:[(（]0\d{2,3}[)）][ \-‐－—]?|0\d{2,3}[ \-‐－—])\d{7,8}(?:[-转]\d{1,5})?"
                      r"(?![\d０-９])")
ID_CARD = re.compile(r"(?<![\d０-９A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
                     r"(?![\d０-９A-Za-z])")
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
KINDS = ("id_card", "mobile", "landline", "email")


def _valid_id_card(number: str) -> bool:
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _WEIGHTS))
    return _CHECK[total % 11] == number[17].upper()


_CALLED_ID_CARD = re.compile(r"身份证(?:号码|号)?\s*[:：]?\s*$")


def _id_card_at(text: str, match: re.Match) -> bool:
    """An identity card number: its check digit right, or its writer calling it one (身份证号…: a digit mistyped,
    the other 17 still name the person)."""
    return _valid_id_card(match.group()) or bool(_CALLED_ID_CARD.search(text, max(0, match.start() - 10),
                                                                          match.start()))


def personal_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each piece of personal information in ``text``, in order, none overlapping."""
    found: list[tuple[int, int, str]] = []
    for kind, pattern in (("id_card", ID_CARD), ("email", EMAIL), ("mobile", MOBILE), ("landline", LANDLINE)):
        for match in pattern.finditer(text):
            if kind == "id_card" and not _id_card_at(text, match):
                continue
            if any(start < match.end() and match.start() < end for start, end, _kind in found):
                continue  # a number inside one found already (an identity card number's digits)
            found.append((match.start(), match.end(), kind))
    return sorted(found)


_CANDIDATE = re.compile(r"[\d(（+][\d \-‐－—()（）转Xx+]{6,}")  # seven characters of a number or more


def has_personal(text: str) -> bool:
    """Whether ``text`` holds personal information (as ``personal_spans`` finds it). Run on every new comment, so the
    patterns are tried only where a number of seven characters or more stands (most comments hold none)."""
    if "@" in text and EMAIL.search(text):
        return True
    for candidate in _CANDIDATE.finditer(text):
        window = (max(0, candidate.start() - 1), min(len(text), candidate.end() + 1))
        if MOBILE.search(text, *window) or LANDLINE.search(text, *window):
            return True
        if any(_id_card_at(text, match) for match in ID_CARD.finditer(text, *window)):
            return True
    return False


def _masked(piece: str, kind: str) -> str:
    if kind == "email":
        name, _at, domain = piece.partition("@")
        return f"{name[:1]}***@{domain}"
    digits = [i for i, ch in enumerate(piece) if ch.isdigit() or ch in "Xx"]
    if kind == "id_card":  # the place of birth and the last four shown: 110105********002X
        hidden = digits[6:-4]
    elif kind == "mobile":  # the network and the last four shown (after a country code): 138****8000
        hidden = digits[-11:][3:7]
    else:  # a landline: its area code shown, the last four of the number hidden, an extension kept
        runs = [m.span() for m in re.finditer(r"\d+", piece)]
        start, end = runs[1] if len(runs) > 1 else runs[0]
        hidden = list(range(max(start, end - 4), end))
    hidden = set(hidden)
    return "".join("*" if i in hidden else ch for i, ch in enumerate(piece))


def mask_personal(text: str) -> tuple[str, list[tuple[str, str]]]:
    """``text`` with every piece of personal information masked (138****8000, 110101********1234, z***@example.cn,
    0523-8688****), and the pieces masked: (kind, the piece as written)."""
    out, at, pieces = [], 0, []
    for start, end, kind in personal_spans(text):
        out.append(text[at:start])
        out.append(_masked(text[start:end], kind))
        pieces.append((kind, text[start:end]))
        at = end
    out.append(text[at:])
    return "".join(out), pieces
