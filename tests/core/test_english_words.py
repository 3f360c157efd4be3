"""The English pages name things as the project glossary does and as they are: a stance
shown as a value, several responsible units, the feed, the unit directory's own name field."""
import re

import pytest

from tests.helpers import post_comment, receipt_from
from tests.security.conftest import IsolatedClient


@pytest.fixture
def client(app):
    """Each request in an app context of its own, so that each is in the language it asks for."""
    return IsolatedClient(app, app.response_class, use_cookies=True)


def test_a_suggestion_is_shown_as_a_suggestion_and_asked_as_suggest(app, client, open_003):
    url = f"/consultations/{open_003.id}"
    number = receipt_from(post_comment(client, open_003, url, body="建议增加社区食堂。", stance="suggest"))
    receipt = client.get(f"/receipts/{number}?lang=en").get_data(as_text=True)
    assert "<dt>Stance</dt><dd>Suggestion</dd>" in receipt
    form = client.get(f"{url}?lang=en").get_data(as_text=True)
    assert re.search(r'value="suggest"> Suggest</label>', form)


def test_several_responsible_units_are_units(app, client, clock, import_seed):
    from tests.helpers import shanghai

    clock.set(shanghai(2024, 5, 10, 9, 0))
    consultation = import_seed("000", deadline=shanghai(2024, 6, 10, 23, 59))
    page = client.get(f"/consultations/{consultation.id}?lang=en").get_data(as_text=True)
    assert "Responsible units: </span>市民政局、市发展改革局" in page
    assert "Responsible unit: </span>市人力社保局" in page


def test_the_feed_is_named_latest_consultations(client):
    page = client.get("/consultations/?lang=en").get_data(as_text=True)
    assert 'type="application/atom+xml" title="Latest consultations"' in page


def test_the_unit_directory_asks_for_the_name_of_the_unit(app, client, make_user):
    from tests.helpers import csrf_token

    make_user("admin")
    token = csrf_token(client, "/login")
    client.post("/login", data={"csrf_token": token, "email": "admin@example.gov.cn", "password": "correct horse 1"})
    page = client.get("/admin/units/new?lang=en").get_data(as_text=True)
    assert "Name of the unit" in page and "Name of the organisation" not in page
