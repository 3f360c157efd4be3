"""What a message looks like on the wire: Flask-Mail's Message, with two corrections.

- **Long lines.** Flask-Mail sends UTF-8 text as 8bit, as it is. A comment written as one paragraph is one line,
  and 400 Chinese characters are 1,200 octets: more than the 998 that SMTP allows on a line (RFC 5321
  4.5.3.1.6). Servers refuse such a message ("500 Line too long") or break the line, and the responsible unit
  would never get the comment. A part with a line that long is sent in base64 instead (nothing in the text is
  changed); shorter text stays 8bit, readable as it is.
- **Headers as written.** Flask-Mail flattens the message with ``email.policy.SMTP``, which re-encodes every
  header longer than 78 characters as RFC 2047 encoded words, structured or not. A ``List-Unsubscribe:
  <https://…/mail/unsubscribe/…>`` becomes ``=?utf-8?q?=3Chttps=3A//…?=``, which no mail client reads as a link,
  so one-click unsubscribing (RFC 8058) silently stops working. The portal's message is flattened with the
  compat32 policy, CRLF line ends and folding only past the 998 limit instead: Flask-Mail has already encoded
  (and folded) what needs encoding, the subject and the display names; the other headers are ASCII and travel
  as written, a long URL whole. It is also about twice as fast, which counts for the mail worker after a burst.
"""
from __future__ import annotations

from email import charset as email_charset
from email.mime.text import MIMEText
from email.policy import compat32

from flask_mail import Message

LINE_LIMIT = 998  # octets on a line, CRLF not counted (RFC 5321 4.5.3.1.6)
SMTP_COMPAT32 = compat32.clone(linesep="\r\n", max_line_length=LINE_LIMIT)


def _base64_utf8() -> email_charset.Charset:
    charset = email_charset.Charset("utf-8")
    charset.body_encoding = email_charset.BASE64  # Flask-Mail registers UTF-8 bodies as 8bit for everyone
    return charset


class PortalMessage(Message):
    def _mimetext(self, text: str | None, subtype: str = "plain") -> MIMEText:
        text = text or ""
        if (self.charset or "utf-8").lower() == "utf-8" and has_long_line(text):
            return MIMEText(text, _subtype=subtype, _charset=_base64_utf8())
        return super()._mimetext(text, subtype)

    def _message(self):
        message = super()._message()
        message.policy = SMTP_COMPAT32
        return message


def has_long_line(text: str) -> bool:
    """True if a line of ``text`` is longer than SMTP allows, in UTF-8 octets."""
    if len(text) <= LINE_LIMIT // 4:  # short enough whatever its characters
        return False
    return any(len(line.encode("utf-8")) > LINE_LIMIT for line in text.splitlines())
