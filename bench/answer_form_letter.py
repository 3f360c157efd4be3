"""The office answers every copy of a form letter at once (the responses page's "answer all N that match").

A consultation (seed 003) with 10,000 received comments, COPIES of them copies of one form letter (grouped as
such). In-process, through the portal's own pages (Flask's test client, logged in as the office, CSRF on):
the responses page filtered to the form letter, then one POST answering every copy, then the page again.
A request must stay well inside a web worker's timeout (gunicorn's default: 30 s).
Run: .venv/bin/python bench/answer_form_letter.py [--database sqlite|postgresql|both] [--copies 5000]
"""
from __future__ import annotations

import argparse
import random
import re
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import machine, open_consultation, portal_database  # noqa: E402

COMMENTS = 10_000
PHRASES = ["建议增加社区食堂的数量。", "希望提高护理人员的待遇。", "上门服务要公开收费标准。", "赞成这一条。",
           "农村互助养老需要资金保障。", "请明确各部门的职责。", "老年大学名额太少。", "无障碍改造要加快。"]
LETTER = "我们强烈要求在本小区周边增设社区老年食堂，并对八十岁以上独居老人提供送餐上门服务，价格公开透明。"
PASSWORD = "bench password 1"


def fill(app, copies: int) -> tuple[int, int]:
    """The comments, the office account; returns the consultation's id and the form letter's key."""
    from sqlalchemy import insert, select, update

    from portal.accounts.services import create_user
    from portal.comments.models import Comment
    from portal.core.time import now
    from portal.extensions import db
    from portal.units.models import Unit

    random.seed(3)
    consultation = open_consultation(app)
    unit = db.session.scalar(select(Unit).limit(1))
    consultation.owner_unit_id = unit.id
    create_user("office@bench.example.gov.cn", "起草处", PASSWORD, "office", unit=unit)
    sections = [s.id for s in consultation.current_draft.sections] + [None]
    start = now() - timedelta(days=20)

    def row(n: int, body: str):
        return {"consultation_id": consultation.id, "draft_id": consultation.current_draft.id,
                "section_id": random.choice(sections), "receipt_number": f"20230101-{n:06d}", "body": body,
                "stance": "suggest", "language": "zh_CN", "status": "approved", "moderation_version": 1, "flags": "",
                "created_at": start + timedelta(seconds=n * 30), "grouped_at": now()}

    db.session.execute(insert(Comment), [
        row(n, f"{LETTER}（{n}号楼居民）" if n < copies else "".join(random.sample(PHRASES, 3)) + f"（第{n}条）")
        for n in range(COMMENTS)])
    first = db.session.scalar(select(Comment.id).where(Comment.receipt_number == "20230101-000000"))
    db.session.execute(update(Comment).where(Comment.body.startswith(LETTER), Comment.id != first)
                       .values(form_letter_id=first))
    db.session.commit()
    return consultation.id, first


def run(kind: str, copies: int) -> None:
    from portal import create_app

    with portal_database(kind) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            consultation_id, letter = fill(app, copies)
            from portal.extensions import db

            db.session.remove()
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"csrf_token": token, "email": "office@bench.example.gov.cn",
                                    "password": PASSWORD})
        url_ = f"/office/consultations/{consultation_id}/responses?letter={letter}"
        began = time.perf_counter()
        page = client.get(url_).get_data(as_text=True)
        shown = time.perf_counter() - began
        assert f'name="expected" value="{copies}"' in page, "the page did not count the copies"
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        began = time.perf_counter()
        response = client.post(url_, data={"csrf_token": token, "every": "y", "expected": str(copies),
                                           "outcome": "adopted", "reason": "已增设社区老年食堂。"})
        answered = time.perf_counter() - began
        assert response.status_code == 302, response.status_code
        began = time.perf_counter()
        page = client.get(url_.replace("letter=", "answer=published&letter=")).get_data(as_text=True)
        again = time.perf_counter() - began
        print(f"{kind}: {COMMENTS:,} comments, {copies:,} copies of one form letter")
        print(f"  the responses page filtered to the letter: {shown * 1000:.0f} ms")
        print(f"  answering every copy in one POST:          {answered:.2f} s "
              f"({answered / copies * 1000:.2f} ms a comment; 30 s is gunicorn's default timeout: "
              f"{answered / 30:.2f}×)")
        print(f"  the page again:                            {again * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--copies", type=int, default=5_000)
    args = parser.parse_args()
    print(machine())
    for kind in (("sqlite", "postgresql") if args.database == "both" else (args.database,)):
        run(kind, args.copies)


if __name__ == "__main__":
    main()
