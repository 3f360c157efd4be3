"""A contact (telephone number or e-mail address) as people type it into the comment form."""
import re
import unicodedata

_CONTACT_LABEL = re.compile(r"(?:联系)?(?:电话|手机号码|手机号|手机|座机|电子邮箱|邮箱|e-?mail)\s*[:：]?\s*", re.IGNORECASE)
PHONE_SEPARATORS = re.compile(r"[\s\-－—–().·]")


def clean_contact(contact: str) -> str:
    """A contact as people type it, made plain: full-width characters (１３８…, ＠) as ASCII, a label before it
    (电话：, 邮箱：) and invisible characters (a zero-width space) left out."""
    value = "".join(c for c in unicodedata.normalize("NFKC", contact) if unicodedata.category(c) != "Cf").strip()
    label = _CONTACT_LABEL.match(value)
    return value[label.end():].strip() if label else value
