"""The office imports the opinions its mailbox received: a .zip of MESSAGES saved messages uploaded at once.

A consultation (seed 003) open now; generated messages as citizens send them (2–3 sentences, a third HTML only from
web mail in GB2312, one in ten with a PDF of 100 kB attached, some naming a section in the subject). In-process,
through the office's page (Flask's test client, logged in, CSRF on): the upload, then the same file again (every
message recorded before). A request must stay well inside a web worker's timeout (gunicorn's default: 30 s).
Run: .venv/bin/python bench/import_emails.py [--database sqlite|postgresql|both] [--messages 1000]
"""
from __future__ import annotations

import argparse
import base64
import io
import random
import re
import resource
import sys
import time
import zipfile
from datetime import timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.form_letters import sentence  # noqa: E402
from bench.harness import machine, open_consultation, portal_database  # noqa: E402

PASSWORD = "bench password 1"
PDF = b"%PDF-1.4\n" + b"0" * 100_000 + b"\n%%EOF\n"


def messages(count: int, headings: list[str], sent) -> bytes:
    """A .zip of ``count`` .eml files."""
    rng = random.Random(11)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for n in range(count):
            text = "".join(sentence(rng) for _ in range(rng.randint(2, 3)))
            subject = f"关于“{rng.choice(headings)}”的意见" if rng.random() < 0.3 else "对征求意见稿的意见"
            if n % 3 == 0:  # web mail: HTML only, GB2312 declared
                html = f"<div>{text}</div><div><br></div><div>居民 {n} 号</div>".encode("gb18030")
                raw = (f"From: =?GB2312?B?{base64.b64encode(f'居民{n}'.encode('gb18030')).decode()}?= "
                       f"<resident{n}@example.cn>\r\nSubject: =?GB2312?B?{base64.b64encode(subject.encode('gb18030')).decode()}?=\r\n"
                       f"Date: {format_datetime(sent)}\r\nMessage-ID: <{n}@bench.example.cn>\r\nMIME-Version: 1.0\r\n"
                       "Content-Type: text/html; charset=GB2312\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                       ).encode("ascii") + base64.encodebytes(html)
            else:
                message = EmailMessage()
                message["From"] = f"居民{n} <resident{n}@example.cn>"
                message["Subject"] = subject
                message["Date"] = format_datetime(sent)
                message["Message-ID"] = f"<{n}@bench.example.cn>"
                message.set_content(text)
                if n % 10 == 1:
                    message.add_attachment(PDF, maintype="application", subtype="pdf", filename=f"意见{n}.pdf")
                raw = message.as_bytes()
            z.writestr(f"收件箱/{n}.eml", raw)
    return archive.getvalue()


def run(kind: str, count: int) -> None:
    from portal import create_app

    with portal_database(kind) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "MAX_CONTENT_LENGTH": 200 * 1024 * 1024})
        with app.app_context():
            from sqlalchemy import select

            from portal.accounts.services import create_user
            from portal.core.time import now
            from portal.extensions import db
            from portal.units.models import Unit

            consultation = open_consultation(app)
            unit = db.session.scalar(select(Unit).limit(1))
            consultation.owner_unit_id = unit.id
            create_user("office@bench.example.gov.cn", "起草处", PASSWORD, "office", unit=unit)
            db.session.commit()
            consultation_id = consultation.id
            headings = [s.heading for s in consultation.current_draft.sections if len(s.heading or "") >= 6]
            data = messages(count, headings, now() - timedelta(seconds=30))
            db.session.remove()
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"csrf_token": token, "email": "office@bench.example.gov.cn", "password": PASSWORD})
        url_ = f"/office/consultations/{consultation_id}/comments/emails"
        for label in ("first upload", "the same again"):
            page = client.get(url_).get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
            began = time.perf_counter()
            response = client.post(url_, data={"csrf_token": token, "files": (io.BytesIO(data), "收件箱.zip")},
                                   content_type="multipart/form-data")
            took = time.perf_counter() - began
            text = response.get_data(as_text=True)
            assert response.status_code == 200, response.status_code
            recorded = re.search(r"已录入 (\d+) 封邮件中的意见", text).group(1)
            print(f"{kind}: {label}: {count:,} messages ({len(data) / 1e6:.1f} MB zipped), {recorded} recorded, "
                  f"{took:.2f} s ({count / took:,.0f} messages/s; 30 s is gunicorn's default timeout: {took / 30:.2f}×)")
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"  peak RSS of the process: {rss:,.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--messages", type=int, default=1_000)
    args = parser.parse_args()
    print(machine())
    for kind in (("sqlite", "postgresql") if args.database == "both" else (args.database,)):
        run(kind, args.messages)


if __name__ == "__main__":
    main()
