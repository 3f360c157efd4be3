"""posted_comment (the submission's check without building the form) must agree with CommentForm on every
kind of input: a comment the form would refuse must never be stored, and one it accepts must never be
refused."""
from __future__ import annotations

import itertools

import pytest
from werkzeug.datastructures import MultiDict

from portal import create_app
from portal.comments.forms import CommentForm, PostedComment, posted_comment
from portal.comments.proposals import PROPOSAL_MAX
from portal.comments.quotes import QUOTE_MAX

LIMIT = 20  # COMMENT_MAX_LENGTH in this test

BODIES = [None, "", "   ", "\n\t", "好", " 有空格的意见 ", "长" * LIMIT, " " + "长" * LIMIT + " ", "长" * (LIMIT + 1),
          "建议\r\n分两行", "\u200b\u200b", "\u0301\u0301", "\u200d", "\u200b好"]  # invisible only: blank
STANCES = [None, "", "support", "oppose", "suggest", "SUPPORT", "neutral", " suggest"]
NAMES = [None, "", "  ", "王大爷", "名" * 50, "名" * 51, " " * 60, "\u200b", "\u202e管理员", "\u2066王\u2069"]
CONTACTS = [None, "", "  ", "13812345678", "+86 13812345678", "010-12345678", "（010）12345678", "12345",
            "citizen@example.com", " citizen@example.com ", "not an address", "a@b", "x" * 95 + "@a.cn",
            "x" * 96 + "@ab.cn", " " * 120,
            # as people write them: grouped, full-width, with a label (all accepted, stored plain)
            "138 1234 5678", "138-1234-5678", "１３８１２３４５６７８", "电话：13812345678", "邮箱：citizen＠example.com",
            "(0557) 3255022", "电话：", "电话：12345"]
QUOTES = [None, "", "  ", "原文的一句话", " 原文\r\n\r\n 第二行 ", "引" * QUOTE_MAX, "引" * (QUOTE_MAX + 1), " " * (QUOTE_MAX + 10)]
ORGANISATIONS = [None, "", "  ", "\u200b", "\u202e某某协会", "某某协会", " 某某有限公司（盖章） ", "无", "单" * 100, "单" * 101, " " * 120]
KINDS = [None, "", "enterprise", "other", "bank", " enterprise"]
QUESTION_NUMBERS = [None, "", " ", "1", " 2 ", "10", "11", "0", "-1", "a", "１"]
PROPOSALS = [None, "", "  ", "原文的一句话", " 原文 的一句话 ", "改成这样\r\n\r\n 两行", "改" * PROPOSAL_MAX,
             "改" * (PROPOSAL_MAX + 1), " " * (PROPOSAL_MAX + 10)]


def _cases():
    # every body and stance with a plain name and contact, then every name and contact with a valid comment:
    # the fields are checked independently, so this covers each rule and the combinations that matter
    for body, stance in itertools.product(BODIES, STANCES):
        yield body, stance, "王大爷", ""
    for name, contact in itertools.product(NAMES, CONTACTS):
        yield "好", "support", name, contact
    for body, contact in itertools.product(BODIES, CONTACTS):
        yield body, None, None, contact
    for body, quote in itertools.product(BODIES, QUOTES):  # the quotation's own check (its place in the draft:
        yield body, "oppose", None, None, quote          # the view's, tests/comments/test_quotes.py)
    for quote, proposal in itertools.product(QUOTES, PROPOSALS):  # a proposal repeating the quotation is none
        yield "好", "suggest", None, None, quote, proposal
    for organisation, kind in itertools.product(ORGANISATIONS, KINDS):  # the kind told from the name when not chosen
        yield "好", "support", "王大爷", None, None, None, organisation, kind
    for body, question in itertools.product(BODIES, QUESTION_NUMBERS):  # the number's own check (whether the
        yield body, "oppose", None, None, None, None, None, None, question  # consultation asked it: the view's)


@pytest.fixture(scope="module")
def form_app():
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "COMMENT_MAX_LENGTH": LIMIT, "TESTING": True})


def _formdata(body, stance, name, contact, quote=None, proposal=None, organisation=None, kind=None,
              question=None) -> MultiDict:
    fields = {"body": body, "stance": stance, "author_name": name, "author_contact": contact, "quote": quote,
              "proposal": proposal, "organisation": organisation, "organisation_kind": kind, "question": question,
              "section_id": "3",
              "parent_id": "", "website": ""}
    return MultiDict({key: value for key, value in fields.items() if value is not None})


def test_posted_comment_agrees_with_the_form_on_every_input(form_app):
    disagreements = []
    accepted = refused = 0
    for case in _cases():
        data = _formdata(*case)
        with form_app.test_request_context("/", method="POST", data=data):
            form = CommentForm()
            form_accepts = form.validate()
            quick = posted_comment(data)
        if form_accepts != (quick is not None):
            disagreements.append((case, form_accepts, dict(form.errors)))
        elif quick is not None:
            accepted += 1
            if quick != PostedComment.of_form(form):
                disagreements.append((case, "data differs", quick, PostedComment.of_form(form)))
        else:
            refused += 1
    assert disagreements == []
    assert accepted > 20 and refused > 20  # both outcomes were exercised


def test_posted_comment_reads_the_fields_as_posted(form_app):
    with form_app.app_context():
        comment = posted_comment(MultiDict({"body": " 意见 ", "stance": "oppose", "author_name": "李阿姨",
                                            "author_contact": "13812345678"}))
        assert comment == PostedComment(" 意见 ", "oppose", "李阿姨", "13812345678")
        # no stance posted: the form's default
        assert posted_comment(MultiDict({"body": "意见"})).stance == "suggest"
        assert posted_comment(MultiDict({"body": "意见", "author_contact": "不是电话"})) is None
        # the quotation tidied: white space of each line, empty lines; a blank one is no quotation
        assert posted_comment(MultiDict({"body": "意见", "quote": " 第一句 \r\n\r\n 第二句"})).quote == "第一句\n第二句"
        assert posted_comment(MultiDict({"body": "意见", "quote": " \n "})).quote is None
        # the proposal tidied as a quotation is; one repeating the quotation is none
        assert posted_comment(MultiDict({"body": "意见", "proposal": " 改为 \r\n 两行"})).proposal == "改为\n两行"
        assert posted_comment(MultiDict({"body": "意见", "quote": "原文，一句", "proposal": "原文, 一句"})).proposal is None
