"""Benchmark: write the digest of a consultation with 100,000 generated comments in each format.

Prints, per format, the time taken (wall clock, and the process's CPU time: on a machine shared with other work the
CPU time is the steadier figure), the peak of Python memory (tracemalloc, in a second run; ``--no-tracemalloc``
skips it) and the process's maximum resident size so far. No asserts: figures go to bench/README.md.

    .venv/bin/python bench/digests.py [--comments 100000] [--formats csv,xlsx,docx,annotated,feedback,archive]

``annotated``: the office's annotated copy of the draft (批注版), every comment a Word comment on the draft.
``feedback``: the public feedback report as a Word document (意见采纳情况反馈, /consultations/ID/feedback.docx).
``archive``: the consultation's archive (归档材料: every digest, the annotated draft when the comments are few enough,
the drafts, the result and the records in one ZIP).
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert  # noqa: E402

from portal import create_app  # noqa: E402
from portal.comments.models import Comment  # noqa: E402
from portal.consultations.services import publish_consultation  # noqa: E402
from portal.digests.annotated import annotated_document  # noqa: E402
from portal.digests.services import build_digest  # noqa: E402
from portal.drafts.services import import_draft, parse_file  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.responses.models import Response  # noqa: E402

OPINIONS = [
    "建议进一步明确社区养老服务中心的建设标准和运营补贴办法，确保服务质量。",
    "希望增加老年助餐点的覆盖范围，特别是农村地区。",
    "=HYPERLINK(\"http://example.invalid\")",
    "赞成。\n建议尽快出台实施细则。",
]
NAMES = ["王大爷", "李阿姨", "张先生", None, "刘女士"]
QUOTES = [None, None, None, "基本养老服务", "老年人"]  # one comment in about three quotes words the draft holds


def generate(consultation, count: int) -> None:
    sections = [s.id for s in consultation.current_draft.sections] + [None]
    start = consultation.opens_at
    rng = random.Random(6)
    batch = []
    for n in range(count):
        batch.append({
            "consultation_id": consultation.id, "draft_id": consultation.current_draft.id,
            "section_id": rng.choice(sections), "receipt_number": f"20230420-B{n:07d}",
            "body": rng.choice(OPINIONS) * rng.randint(1, 4), "quote": rng.choice(QUOTES), "stance": rng.choice(["support", "oppose", "suggest"]),
            "author_name": rng.choice(NAMES), "author_contact": f"138{n:08d}", "language": "zh_CN",
            "status": "approved", "created_at": start + timedelta(seconds=n * 20),
        })
        if len(batch) == 10_000:
            db.session.execute(insert(Comment), batch)
            batch = []
    if batch:
        db.session.execute(insert(Comment), batch)
    ids = db.session.scalars(db.select(Comment.id).where(Comment.id % 3 == 0)).all()
    now = datetime.now(UTC)
    db.session.execute(insert(Response), [
        {"comment_id": i, "consultation_id": consultation.id, "outcome": "adopted", "reason": "已采纳，在正式文本中体现。",
         "created_at": now, "updated_at": now} for i in ids
    ])
    db.session.commit()


def write(consultation, fmt: str, out) -> None:
    if fmt == "feedback":
        from portal.consultations.services import closing_summary
        from portal.core.time import now
        from portal.reports.document import WHOLE_DRAFT, feedback_document, report_facts
        from portal.reports.services import feedback_groups

        facts = report_facts(consultation, closing_summary(consultation) or "", now())
        out.write(feedback_document(facts, feedback_groups(consultation, WHOLE_DRAFT)))
    elif fmt == "archive":
        from portal.digests.archive import write_archive

        write_archive(consultation, out, "bench")
    elif fmt == "annotated":
        from portal.drafts.services import load_tree

        load_tree(consultation.current_draft)
        out.write(annotated_document(consultation))
    else:
        build_digest(consultation, fmt, out, "bench")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=100_000)
    parser.add_argument("--formats", default="csv,xlsx,docx,annotated")
    parser.add_argument("--no-tracemalloc", action="store_true", help="Skip the second run that measures memory.")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-digests-"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ.get("PORTAL_DATABASE_URL") or f"sqlite:///{workdir / 'bench.db'}"})
    with app.app_context(), app.test_request_context():
        upgrade()
        seed = next((ROOT / "samples").glob("003_*.txt"), None) or next((ROOT.parent / "shared" / "seeds").glob("003_*.txt"))
        text, parsed = parse_file(seed.read_bytes(), seed.name)
        consultation = import_draft(parsed.to_dict(), text, seed.name)
        publish_consultation(consultation, datetime(2023, 4, 12, tzinfo=UTC), datetime(2023, 5, 12, 15, 59, 59, tzinfo=UTC))
        db.session.commit()
        started = time.perf_counter()
        generate(consultation, args.comments)
        print(f"generated {args.comments} comments in {time.perf_counter() - started:.1f} s")
        print(f"{'format':9} {'seconds':>8} {'CPU s':>6} {'peak MiB (tracemalloc)':>23} {'max RSS MiB':>12}"
              f" {'file MiB':>9}")
        for fmt in args.formats.split(","):
            path = workdir / {"annotated": "annotated.docx", "archive": "archive.zip", "feedback": "feedback.docx"}.get(fmt, f"digest.{fmt}")
            started, cpu = time.perf_counter(), time.process_time()
            with path.open("wb") as out:
                write(consultation, fmt, out)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            db.session.rollback()
            peak = float("nan")
            if not args.no_tracemalloc:
                tracemalloc.start()
                with path.open("wb") as out:
                    write(consultation, fmt, out)
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                db.session.rollback()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            size = path.stat().st_size / 2**20
            print(f"{fmt:9} {seconds:8.1f} {cpu:6.1f} {peak / 2**20:23.1f} {rss:12.0f} {size:9.1f}", flush=True)


if __name__ == "__main__":
    main()
