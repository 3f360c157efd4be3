"""A contact (telephone number or e-mail address) as people type it into the comment form."""
import re
import unicodedata

_AT = re.compile(r"\s*@\s*")  # no address has a space beside its @: one typed there (or a non-breaking one) is left out
_CONTACT_LABEL = re.compile(r"(?:联系)?(?:电话|手机号码|手机号|手机|座机|电子邮箱|邮箱|e-?mail)\s*[:：]?\s*", re.IGNORECASE)
PHONE_SEPARATORS = re.compile(r"[\s\-－—–().·]")


def plain_characters(text: str) -> str:
    """Text holding contacts as the portal reads it, wherever they are written (a comment's contact, a draft's notice,
    the office's notice form): full-width characters (１３８…, ＠) as ASCII and invisible characters (a zero-width
    space) left out."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) != "Cf")


def join_at(text: str) -> str:
    """``text`` made plain (``plain_characters``), with no space beside an @ (an address has none there)."""
    return _AT.sub("@", plain_characters(text))


def clean_contact(contact: str) -> str:
    """A contact as people type it, made plain (``plain_characters``), without a label before it (电话：, 邮箱：) or
    spaces around it or beside its @."""
    value = join_at(contact).strip()
    label = _CONTACT_LABEL.match(value)
    return value[label.end():].strip() if label else value
