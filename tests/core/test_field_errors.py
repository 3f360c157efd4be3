"""A field with more than one error (WCAG 1.3.1, 3.3.1): every error is read with the field, and no id is given
twice (a second error used to repeat the first's id, and a screen reader read only the first)."""
from __future__ import annotations

import re

import pytest
from wtforms import Form, StringField, TextAreaField

from portal import create_app

ERRORS = ["不能为空。", "最多 50 字。"]


class _Form(Form):
    name = StringField("名字")
    body = TextAreaField("意见")


@pytest.fixture(scope="module")
def render():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})

    def render(template: str, macro: str, field_name: str, **options) -> str:
        form = _Form()
        getattr(form, field_name).errors = list(ERRORS)
        with app.test_request_context("/"):
            module = app.jinja_env.get_template(template).make_module({"_": lambda text, **k: text % k if k else text,
                                                                        "config": app.config})
            return str(getattr(module, macro)(getattr(form, field_name), **options))
    return render


def _described_by_all_errors(html: str, field_id: str) -> None:
    assert len(re.findall(r'id="([^"]+)"', html)) == len(set(re.findall(r'id="([^"]+)"', html)))  # ids unique
    described = re.search(rf'<(?:input|textarea)[^>]*id="{field_id}"[^>]*>', html).group(0)
    ids = re.search(r'aria-describedby="([^"]+)"', described).group(1).split()
    read = ""
    for element_id in ids:
        element = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
        assert element, element_id
        read += element.group(2)
    for error in ERRORS:
        assert error in read, (error, ids)


def test_the_office_forms_field_reads_every_error(render):
    _described_by_all_errors(render("office/_forms.html", "field", "name", hint="真实姓名"), "name")


def test_the_comment_forms_errors_are_one_element_read_with_the_field(render):
    errors = render("comments/_macros.html", "field_error", "body")
    assert errors.count('id="body-error"') == 1
    for error in ERRORS:
        assert error in errors
    assert re.fullmatch(r'<div id="body-error">(<p class="field-error">.*?</p>){2}</div>', errors, re.S)
