"""A section page of a consultation holding 10,000 approved comments, over HTTP (gunicorn + wrk, 16 connections).

The consultation (seed 003) gets 10,000 approved comments: 4,000 on the measured section (3,000 threads,
1,000 replies, some two levels deep), the rest spread over the other sections and the whole draft. wrk
reads the section page: 60 % the first page, 20 % newest first, 20 % a random page. The limit measured in
the same run is a minimal Flask endpoint served the same way.

Target (issue 9): >= 300 pages/s, p50 < 30 ms.
With --api, the same reads through the open data API as well (/api/v1/consultations/ID/comments?section=…: the
section's approved comments, 20 a page, with their published responses), against the same target.
Run: .venv/bin/python bench/section_page.py [--database sqlite|postgresql|both] [--seconds 20] [--workers 3] [--api]
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, gunicorn, open_consultation, portal_database, wait_until_idle, wrk  # noqa: E402

COMMENTS = 10_000
ON_SECTION = 4_000
REPLIES = 1_000
PHRASES = ["建议增加社区食堂的数量。", "希望提高护理人员的待遇。", "上门服务要公开收费标准。", "赞成这一条。",
           "农村互助养老需要资金保障。", "请明确各部门的职责。", "老年大学名额太少。", "无障碍改造要加快。"]


def fill(url: str) -> tuple[str, int]:
    """Store the comments (a bulk insert: approved, as after moderation). Returns the page path and its pages."""
    from sqlalchemy import insert, select

    from portal import create_app
    from portal.comments.models import Comment
    from portal.core.time import now
    from portal.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    random.seed(9)
    with app.app_context():
        consultation = open_consultation(app)
        sections = consultation.current_draft.sections
        target = sections[3]
        start = now() - timedelta(days=20)

        def row(n: int, section_id, parent_id=None):
            return {
                "consultation_id": consultation.id, "draft_id": consultation.current_draft.id,
                "section_id": section_id, "parent_id": parent_id, "receipt_number": f"20230101-{n:06d}",
                "body": "".join(random.sample(PHRASES, 3)) + f"（第{n}条）", "stance": random.choice(("support", "oppose", "suggest")),
                "author_name": random.choice((None, "王大爷", "李阿姨", "居民")), "language": "zh_CN",
                "status": "approved", "created_at": start + timedelta(seconds=n * 60), "moderation_version": 1, "flags": "",
            }

        threads = ON_SECTION - REPLIES
        db.session.execute(insert(Comment), [row(n, target.id) for n in range(threads)])
        thread_ids = db.session.scalars(select(Comment.id).where(Comment.section_id == target.id)).all()
        first_replies = [row(threads + n, target.id, random.choice(thread_ids)) for n in range(REPLIES // 2)]
        db.session.execute(insert(Comment), first_replies)
        reply_ids = db.session.scalars(
            select(Comment.id).where(Comment.section_id == target.id, Comment.parent_id.is_not(None))).all()
        db.session.execute(insert(Comment), [
            row(threads + REPLIES // 2 + n, target.id, random.choice(reply_ids)) for n in range(REPLIES - REPLIES // 2)])
        others = [s.id for s in sections if s.id != target.id] + [None]
        db.session.execute(insert(Comment), [
            row(ON_SECTION + n, random.choice(others)) for n in range(COMMENTS - ON_SECTION)])
        db.session.commit()
        path = f"/consultations/{consultation.id}/sections/{target.anchor}"
        api_path = f"/api/v1/consultations/{consultation.id}/comments?section={target.anchor}"
        db.session.remove()
        db.engine.dispose()
    return path, -(-threads // 20), api_path, -(-ON_SECTION // 20)


def run(kind: str, seconds: int, workers: int, limit: float, api: bool) -> None:
    with portal_database(kind) as url, tempfile.TemporaryDirectory() as instance:
        path, pages, api_path, api_pages = fill(url)
        if kind == "postgresql":
            import sqlalchemy as sa

            engine = sa.create_engine(url)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(sa.text("ANALYZE"))
            engine.dispose()
        env = {"PORTAL_DATABASE_URL": url, "PORTAL_SECRET_KEY": "bench-secret", "PORTAL_INSTANCE_PATH": instance,
               "PORTAL_API_RATE_LIMIT": "1000000/minute"}
        print(f"\n{kind}: {COMMENTS:,} approved comments, {ON_SECTION:,} on the section ({pages} pages of 20 threads)")
        measured = [("section page", path, pages, "pages/s")]
        if api:
            measured.append(("API comments", api_path, api_pages, "answers/s"))
        with gunicorn("wsgi:app", env, workers=workers) as (base, _process):
            for name, target, count, unit in measured:
                script_env = {"BENCH_PAGE": target, "BENCH_PAGES": str(count)}
                wrk(base + target, ROOT / "bench/section_page.lua", seconds=3, env=script_env)
                result = wrk(base + target, ROOT / "bench/section_page.lua", seconds=seconds, env=script_env)
                met = result.rate >= 300 and result.p50_ms < 30
                print(f"  {name}: {result.line(unit)} (targets >= 300/s, p50 < 30 ms); "
                      f"{result.rate / limit:.2f} x the limit; errors: {result.errors}; {'met' if met else 'MISSED'}")
        print(f"  load average now {os.getloadavg()[0]:.2f}")


def measure_limit(seconds: int, workers: int) -> float:
    with gunicorn("bench.minimal_app:app", {}, workers=workers) as (base, _process):
        wrk(base + "/", seconds=2)
        result = wrk(base + "/", seconds=seconds)
    print(f"limit (minimal Flask GET): {result.line()}; errors: {result.errors}")
    return result.rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--api", action="store_true", help="also read the section's comments through the open data API")
    args = parser.parse_args()
    wait_until_idle()
    print(f"gunicorn: {args.workers} sync workers; wrk: 2 threads, 16 connections")
    limit = measure_limit(args.seconds, args.workers)
    for kind in ("sqlite", "postgresql") if args.database == "both" else (args.database,):
        run(kind, args.seconds, args.workers, limit, args.api)


if __name__ == "__main__":
    main()
