"""The public API against its own OpenAPI document, by Schemathesis: requests generated from the document (valid
ones; in the coverage phase values just outside each parameter's bounds, enum or type, and other methods; in the
stateful phase chains that follow the ids one answer gives to the next request) must get no server error and
only answers the document describes: their status, content type, headers and schema.

The portal holds what the API shows: an open consultation with approved comments, a reply and comments it must
not show (pending, spam); a closed one with its feedback (published responses); one whose comments are private;
an upcoming one; an unpublished draft."""
from __future__ import annotations

import os

import schemathesis
from schemathesis import engine
from schemathesis.config import CacheConfig, HealthCheck, SchemathesisConfig
from schemathesis.engine import Status, events

from portal.api.openapi import PATHS
from portal.comments.services import submit_comment
from portal.consultations.services import close_due_consultations
from portal.extensions import db
from portal.responses.services import publish_responses, respond_to_comments
from tests.helpers import shanghai

API = "/api/v1"
# requests generated per operation in the fuzzing phase (the other phases add their own); raise them, and change
# the seed, for a longer search by hand
EXAMPLES = int(os.environ.get("PORTAL_API_FUZZ_EXAMPLES", "25"))
SEED = int(os.environ.get("PORTAL_API_FUZZ_SEED", "1"))


def fill_portal(clock, import_seed) -> None:
    """Published consultations of every kind, with their comments and responses."""
    clock.set(shanghai(2023, 3, 1, 9, 0))
    closed = import_seed("001", deadline=shanghai(2023, 3, 31, 17, 0))
    sections = closed.current_draft.sections
    answered = [
        submit_comment(closed, "建议增加社区服务点。", "suggest", sections[0], author_name="王五"),
        submit_comment(closed, "反对这一条。", "oppose", sections[1]),
        submit_comment(closed, "整体支持。", "support", None, author_name="李四", author_contact="li@example.com"),
    ]
    for comment in answered:
        comment.status = "approved"
    submit_comment(closed, "待审核的意见。", "suggest", sections[0])
    db.session.commit()

    clock.set(shanghai(2023, 4, 20, 9, 0))
    opened = import_seed("003")
    private = import_seed("002", deadline=shanghai(2023, 5, 20, 17, 0))
    private.comment_visibility = "private"
    import_seed("004", opens=shanghai(2023, 6, 1, 9, 0), deadline=shanghai(2023, 7, 1, 17, 0))
    import_seed("000", publish=False)
    sections = opened.current_draft.sections
    goals = submit_comment(opened, "建议明确建设标准。", "suggest", sections[0], author_name="王大爷")
    goals.status = "approved"
    db.session.flush()
    reply = submit_comment(opened, "同意楼上。", "support", sections[0], parent=goals, author_name="赵六")
    reply.status = "approved"
    for body, status in (("整体赞成。\n希望尽快实施。", "approved"), ("广告广告", "spam"), ("社区食堂。", "pending")):
        submit_comment(opened, body, "support", None).status = status
    submit_comment(private, "不公开的意见。", "oppose", private.current_draft.sections[0]).status = "approved"
    close_due_consultations(notify=False)
    respond_to_comments(closed, answered[:2], "adopted", "已采纳。", "cli")
    respond_to_comments(closed, answered[2:], "explained", "情况说明。", "cli")
    publish_responses(closed, "cli")
    db.session.commit()


def test_the_api_answers_as_its_document_says(app, clock, import_seed):
    fill_portal(clock, import_seed)
    app.config["API_RATE_LIMIT"] = "100000/minute"  # a thousand requests in a few seconds, all from one address
    # Schemathesis' own engine, as its command line runs it (examples, coverage, fuzzing, stateful; every check),
    # not its pytest plugin, whose fixture loader does not run under pytest 9.2. Seeded and without its cache
    # or example database, it sends the same requests on every run.
    config = SchemathesisConfig(seed=SEED, cache=CacheConfig(enabled=False))
    config.projects.default.generation.update(max_examples=EXAMPLES, deterministic=True, database="none")
    config.projects.default.update(workers=1, suppress_health_check=[HealthCheck.all])
    api = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", app, config=config)
    problems, passed = [], {}
    for event in engine.from_schema(api).execute():
        if isinstance(event, events.ScenarioFinished):
            passed.setdefault(event.phase.value, []).extend([event.label] if event.status == Status.SUCCESS else [])
            if event.status in (Status.FAILURE, Status.ERROR):
                problems += [f"{event.label or event.phase.value}: {check.name}: {check.failure_info.failure.title}\n"
                             f"    {check.failure_info.code_sample}"
                             for checks in event.recorder.checks.values() for check in checks
                             if check.failure_info is not None] or [f"{event.label or event.phase.value}: {event.status}"]
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            problems.append(f"{type(event).__name__}: {getattr(event, 'info', None) or event.exception}")
    assert not problems, "\n".join(problems)
    # every operation was tried in each phase (an error in the engine's worker thread would leave some out)
    operations = {f"GET {path}" for path in PATHS}
    assert set(passed["coverage"]) == set(passed["fuzzing"]) == operations and passed["stateful"]
