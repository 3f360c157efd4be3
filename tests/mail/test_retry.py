"""Back-off and which SMTP errors are permanent: plain functions."""
import smtplib
from datetime import timedelta

from portal.mail.retry import describe, is_permanent, retry_delay


def test_retry_delay_doubles_and_is_capped():
    delays = [retry_delay(n, 60, 3600) for n in range(1, 9)]
    assert delays[:4] == [timedelta(seconds=s) for s in (60, 120, 240, 480)]
    assert delays[-1] == timedelta(hours=1)
    assert retry_delay(0, 60, 3600) == timedelta(seconds=60)
    assert retry_delay(500, 60, 3600) == timedelta(hours=1)


def test_permanent_errors_are_5xx_answers_about_the_message():
    assert is_permanent(smtplib.SMTPRecipientsRefused({"a@b.cn": (550, b"no such user")}))
    assert not is_permanent(smtplib.SMTPRecipientsRefused({"a@b.cn": (450, b"mailbox busy")}))
    assert is_permanent(smtplib.SMTPDataError(554, b"rejected"))
    assert not is_permanent(smtplib.SMTPDataError(451, b"try later"))
    assert not is_permanent(ConnectionRefusedError(111, "Connection refused"))
    assert not is_permanent(smtplib.SMTPServerDisconnected("gone"))


def test_describe_is_one_line():
    text = describe(ConnectionRefusedError(111, "Connection\nrefused"))
    assert text == "ConnectionRefusedError: [Errno 111] Connection refused"
