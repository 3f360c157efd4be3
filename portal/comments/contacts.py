"""A contact (telephone number or e-mail address) as people type it into the comment form."""
import re
import unicodedata

_CONTACT_LABEL = re.compile(r"(?:联系)?(?:电话|手机号码|手机号|手机|座机|电子邮箱|邮箱|e-?mail)\s*[:：]?\s*", re.IGNORECASE)
PHONE_SEPARATORS = re.compile(r"[\s\-－—–().·]")


def plain_characters(text: str) -> str:
    """Text holding contacts as the portal reads it, wherever they are written (a comment's contact, a draft's notice,
    the office's notice form): full-width characters (１３８…, ＠) as ASCII and invisible characters (a zero-width
    space) left out."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) != "Cf")


def clean_contact(contact: str) -> str:
    """A contact as people type it, made plain (``plain_characters``), without a label before it (电话：, 邮箱：) or
    spaces around it."""
    value = plain_characters(contact).strip()
    label = _CONTACT_LABEL.match(value)
    return value[label.end():].strip() if label else value
