"""Text a comment form receives, checked for what a reader will see: a field of nothing but invisible characters
(zero-width spaces, joiners, combining marks alone) is blank, and a one-line field (a name, an organisation) may not
turn the text around it (the bidirectional overrides: "\u202e管理员" would read as another name)."""
import unicodedata

_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def has_visible(text: str) -> bool:
    """Whether ``text`` holds a letter, digit, punctuation mark or symbol (stops at the first: cheap)."""
    return any(unicodedata.category(character)[0] in "LNPS" for character in text)


def clean_line(text: str) -> str:
    """A name or an organisation as shown: without bidirectional controls; "" when nothing visible is left."""
    text = text.translate(_BIDI_CONTROLS)
    return text if has_visible(text) else ""
