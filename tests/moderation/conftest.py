"""Shared set-up for the moderation tests: an open consultation, staff, comments, the queue's form."""
import re

import pytest

from portal.comments.services import submit_comment
from portal.extensions import db
from tests.helpers import csrf_token


@pytest.fixture
def moderator(make_user, login):
    user = make_user("moderator", email="mod@example.gov.cn")
    login("mod@example.gov.cn")
    return user


@pytest.fixture
def add_comment(open_003):
    """Store a comment through the service the comment form uses."""

    def add(body: str, consultation=None, **fields):
        comment = submit_comment(consultation or open_003, body, **fields)
        db.session.commit()
        return comment

    return add


def queue_items(page: str) -> list[str]:
    return re.findall(r'name="items" value="([^"]+)"', page)


def act(client, items, action=None, row=None, reason="", note="", query=""):
    """Submit the queue's form as a moderator would: tick ``items`` and press a button."""
    data = {"csrf_token": csrf_token(client, "/login"),  # same session token as the queue page
            "reason": reason, "note": note, "back": query,
            "view": dict(p.split("=") for p in query.split("&") if p).get("view", "queue")}
    if row:
        data["row"] = row
    else:
        data["action"] = action
        data["items"] = items
    return client.post("/moderation/actions", data=data)
