"""The office's answering list (答复意见: /office/consultations/ID/responses) at 20,000 comments.

A consultation (seed 003, 54 sections, three key questions) with N received comments: spread over the sections and
the whole draft, each stance, a third answered (half of those published), 40 form letters of 50-150 copies, some
quoting the draft or proposing wording, some on behalf of an organisation, some answering a key question, some
agreed with, some advised on by a responsible unit, a few with a file; and 300 waiting for moderation. In-process,
through the portal's own page (Flask's test client, logged in as the office): each variant of the list is asked
REPEAT times and the median printed: its time, the CPU time of this process (the portal's Python and, on SQLite, the
database's work: steadier than the time on a busy machine), the SQL statements it ran and their time (on SQLite without
reading their rows). With ``--slowest``, the slowest statements of the unfiltered list.
Run: .venv/bin/python bench/answering_list.py [--comments 20000] [--database sqlite|postgresql|both] [--repeat 5]
"""
from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import machine, open_consultation, portal_database, timed_statements  # noqa: E402

PHRASES = ["建议增加社区食堂的数量。", "希望提高护理人员的待遇。", "上门服务要公开收费标准。", "赞成这一条。",
           "农村互助养老需要资金保障。", "请明确各部门的职责。", "老年大学名额太少。", "无障碍改造要加快。",
           "反对提高收费。", "养老机构的消防安全要加强检查。", "希望简化补贴申请的手续。", "志愿服务时间可以存起来。"]
LETTERS = 40
PASSWORD = "bench password 1"
ORGANISATIONS = [("某某养老服务协会", "association"), ("某某律师事务所", "enterprise"), ("某某街道居委会", "community")]


def fill(app, comments: int) -> dict:
    """The consultation and its comments; returns what the variants need (ids)."""
    from sqlalchemy import insert, select, update

    from portal.accounts.services import create_user
    from portal.comments.models import Comment, CommentAttachment, STANCES
    from portal.comments.organisations import ORGANISATION_KINDS
    from portal.core.time import now
    from portal.extensions import db
    from portal.responses.models import Response, UnitAdvice
    from portal.units.models import Unit

    random.seed(5)
    consultation = open_consultation(app)
    consultation.questions = ["补贴标准是否合适？", "服务网点怎样布局？", "资金从哪里来？"]
    unit = db.session.scalar(select(Unit).limit(1))
    consultation.owner_unit_id = unit.id
    create_user("office@bench.example.gov.cn", "起草处", PASSWORD, "office", unit=unit)
    draft = consultation.current_draft
    sections = [s for s in draft.sections if s.text]
    section_ids = [s.id for s in draft.sections] + [None] * 6
    start = now() - timedelta(days=20)
    kinds = [kind for _name, kind in ORGANISATIONS if kind in ORGANISATION_KINDS] or [None]
    letters = [f"我们强烈要求第{n}号意见：" + "".join(random.sample(PHRASES, 6)) for n in range(LETTERS)]
    copies = [random.randint(50, 150) for _ in range(LETTERS)]
    letter_of = []  # each comment's letter (index) or None
    for index, count in enumerate(copies):
        letter_of += [index] * count
    letter_of += [None] * max(comments - len(letter_of), 0)
    letter_of = letter_of[:comments]
    random.shuffle(letter_of)

    def row(n: int, letter: int | None):
        section_id = random.choice(section_ids)
        quote = proposal = organisation = kind = None
        if n % 7 == 0 and sections:
            section = random.choice(sections)
            section_id = section.id
            at = random.randrange(max(len(section.text) - 20, 1))
            quote = section.text[at:at + 12] or None
        if n % 11 == 0:
            proposal = "建议修改为：" + random.choice(PHRASES)
        if n % 9 == 0:
            organisation, _kind = random.choice(ORGANISATIONS)
            kind = _kind if _kind in ORGANISATION_KINDS else kinds[0]
        body = (f"{letters[letter]}（{n}号楼居民）" if letter is not None
                else "".join(random.sample(PHRASES, 3)) + f"（第{n}条）")
        return {"consultation_id": consultation.id, "draft_id": draft.id, "section_id": section_id,
                "receipt_number": f"20230101-{n:06d}", "body": body, "stance": random.choice(STANCES),
                "author_name": random.choice(["张三", "李四", "王五", None]), "language": "zh_CN",
                "status": "pending" if n % 67 == 0 else "approved", "moderation_version": 1, "flags": "",
                "created_at": start + timedelta(seconds=n * 30), "grouped_at": now(), "quote": quote,
                "proposal": proposal, "organisation": organisation, "organisation_kind": kind,
                "question": random.choice([1, 2, 3]) if n % 5 == 0 else None,
                "agreement_count": random.choice([1, 2, 5, 12]) if n % 13 == 0 else 0, "channel": "web"}

    for chunk in range(0, comments, 5_000):
        db.session.execute(insert(Comment), [row(n, letter_of[n]) for n in range(chunk, min(chunk + 5_000, comments))])
    ids = dict(db.session.execute(select(Comment.receipt_number, Comment.id)
                                  .where(Comment.consultation_id == consultation.id)).all())
    firsts = {}
    for n, letter in enumerate(letter_of):
        if letter is not None and letter not in firsts:
            firsts[letter] = ids[f"20230101-{n:06d}"]
    for n, letter in enumerate(letter_of):
        if letter is not None and ids[f"20230101-{n:06d}"] != firsts[letter]:
            db.session.execute(update(Comment).where(Comment.id == ids[f"20230101-{n:06d}"])
                               .values(form_letter_id=firsts[letter]))
    ordered = [ids[f"20230101-{n:06d}"] for n in range(comments)]
    db.session.execute(insert(Response), [
        {"comment_id": cid, "consultation_id": consultation.id, "outcome": random.choice(["adopted", "not_adopted"]),
         "reason": random.choice(["已采纳。", "现行规定已有。", "将在实施细则中研究。"]), "created_at": now(),
         "updated_at": now(), "published_at": now() if n % 6 == 0 else None}
        for n, cid in enumerate(ordered) if n % 3 == 0])
    db.session.execute(insert(UnitAdvice), [
        {"comment_id": cid, "consultation_id": consultation.id, "recipient": "unit0@units.example.gov.cn",
         "unit_names": [], "outcome": "adopted", "reason": "建议采纳。", "author_name": "", "created_at": now(),
         "updated_at": now()}
        for n, cid in enumerate(ordered) if n % 17 == 0])
    db.session.execute(insert(CommentAttachment), [
        {"comment_id": cid, "position": 0, "filename": "意见.txt", "content_type": "text/plain", "size": 12,
         "sha256": "0" * 64, "data": "附件里的意见。".encode(), "created_at": now(), "text": "附件里的意见。", "text_read_at": now()}
        for n, cid in enumerate(ordered) if n % 101 == 0])
    db.session.commit()
    return {"consultation": consultation.id, "section": str(sections[3].id), "letter": firsts[0]}


def variants(found: dict) -> list[tuple[str, str]]:
    return [
        ("the whole list", ""),
        ("page 100", "page=100"),
        ("one section", f"section={found['section']}"),
        ("unanswered", "answer=unanswered"),
        ("stance oppose", "stance=oppose"),
        ("one form letter", f"letter={found['letter']}"),
        ("words", "q=食堂"),
        ("section + unanswered", f"section={found['section']}&answer=unanswered"),
        ("organisations", "commenter=organisation"),
        ("question 2", "question=2"),
    ]


def run(kind: str, comments: int, repeat: int, slowest: bool) -> None:
    from portal import create_app

    with portal_database(kind) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            began = time.perf_counter()
            found = fill(app, comments)
            from portal.extensions import db

            filled = time.perf_counter() - began
            engine = db.engine
            db.session.remove()
        statements = timed_statements(engine)

        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"csrf_token": token, "email": "office@bench.example.gov.cn",
                                    "password": PASSWORD})
        base = f"/office/consultations/{found['consultation']}/responses"
        print(f"{kind}: {comments:,} comments (filled in {filled:.1f} s); median of {repeat} requests each")
        print(f"  {'variant':<22} {'ms':>7} {'CPU ms':>7} {'statements':>10} {'SQL ms':>7}")
        for name, query in variants(found):
            times, cpu, counts, sql = [], [], [], []
            for _ in range(repeat):
                statements.clear()
                began, began_cpu = time.perf_counter(), time.process_time()
                response = client.get(f"{base}?{query}" if query else base)
                times.append(time.perf_counter() - began)
                cpu.append(time.process_time() - began_cpu)
                assert response.status_code == 200, (name, response.status_code)
                counts.append(len(statements))
                sql.append(sum(t for _s, t in statements))
            print(f"  {name:<22} {statistics.median(times) * 1000:7.0f} {statistics.median(cpu) * 1000:7.0f} "
                  f"{statistics.median(counts):10.0f} "
                  f"{statistics.median(sql) * 1000:7.0f}")
        if slowest:
            statements.clear()
            client.get(base)
            print("  slowest statements of the whole list:")
            for statement, took in sorted(statements, key=lambda s: -s[1])[:12]:
                print(f"    {took * 1000:7.1f} ms  {' '.join(statement.split())[:150]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--comments", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--slowest", action="store_true", help="print the slowest statements of the whole list")
    args = parser.parse_args()
    print(machine())
    for kind in (("sqlite", "postgresql") if args.database == "both" else (args.database,)):
        run(kind, args.comments, args.repeat, args.slowest)


if __name__ == "__main__":
    main()
