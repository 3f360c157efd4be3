"""Every user-visible string has an English translation, and none is left outside the catalogue.

The strings are extracted with Babel's own API, from the same babel.cfg that ``pybabel extract`` uses,
over the whole ``portal/`` and ``templates/`` trees (so strings added by any area are caught), and
compared with ``translations/en/LC_MESSAGES/messages.po``.
"""
from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from jinja2 import nodes

from portal import create_app
from portal.core.i18n import compile_translations

ROOT = Path(__file__).resolve().parents[2]
PO_PATH = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2),
            "lazy_pgettext": ((1, "c"), 2)}
GETTEXT_CALLS = {"_", "_l", "gettext", "lazy_gettext", "ngettext", "lazy_ngettext", "pgettext", "lazy_pgettext",
                 "npgettext"}
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CJK_RUN = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")
# Shown in its own language on purpose, marked with lang="zh-CN": the language switch on English pages.
AUTONYMS = {"中文"}

# Python modules whose Chinese is not page text: the draft's own language (parser, readers, the closing
# summary written in the register of a government notice, the feedback form's columns and the words readers
# write in it, the words of Chinese mail), records kept in Chinese whatever the reader's language (the archive's
# file names and manifest, as the digest's columns), and operator messages on the command line.
NOT_PAGE_TEXT = {"cli.py", "parser.py", "readers.py", "summary.py", "feedback_form.py", "emailed.py", "archive.py",
                 "organisations.py", "questions.py"}


def extracted_messages() -> dict[str | tuple, list[str]]:
    """msgid → where it occurs, as ``pybabel extract -F babel.cfg -k _l …`` would find them; a message with a
    context (pgettext) as (context, msgid)."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config, filename="babel.cfg")
    found: dict[str | tuple, list[str]] = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        key = message if isinstance(message, str) else tuple(message)
        if context:
            key = (context, key)
        found.setdefault(key, []).append(f"{filename}:{lineno}")
    return found


def english_catalogue():
    with open(PO_PATH, "rb") as po_file:
        return read_po(po_file, locale="en")


def test_extraction_finds_the_strings_of_templates_forms_and_views():
    found = extracted_messages()
    # one from a template, one from a form (lazy), one from a view/error handler, one plural
    assert "跳到正文" in found and any("templates/base.html" in where for where in found["跳到正文"])
    assert any("portal/comments/forms.py" in where for where in found["请填写您的意见。"])
    assert "页面不存在" in found
    assert ("%(num)d 条意见", "%(num)d 条意见") in found
    assert ("change", "修改") in found  # a message with its context


def test_every_user_visible_string_has_an_english_translation():
    catalogue = english_catalogue()
    problems = []
    for msgid, where in sorted(extracted_messages().items(), key=str):
        context = None
        if isinstance(msgid, tuple) and not HAN.search(msgid[0]):
            context, msgid = msgid  # (context, message): a context is an English word, a plural's first is Chinese
        entry = catalogue.get(msgid if isinstance(msgid, str) else msgid[0], context)
        if entry is None:
            problems.append(f"not in the catalogue: {msgid!r} ({where[0]})")
        elif entry.fuzzy:
            problems.append(f"fuzzy: {msgid!r} ({where[0]})")
        elif not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
            problems.append(f"no English: {msgid!r} ({where[0]})")
    assert not problems, "run pybabel extract/update (README, Translations) and translate:\n" + "\n".join(problems)


def test_catalogue_is_clean():
    catalogue = english_catalogue()
    fuzzy = [m.id for m in catalogue if m.id and m.fuzzy]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"
    errors = [(m.id, [str(e) for e in errs]) for m, errs in catalogue.check()]
    assert not errors, f"placeholders differ between Chinese and English: {errors}"
    han_in_english = [m.id for m in catalogue if m.id and HAN.search(str(m.string))]
    assert not han_in_english, f"Chinese left in English translations: {han_in_english}"


def _template_names() -> list[str]:
    """Templates translated through the catalogue (all but the per-language ones, named NAME.zh_CN.EXT)."""
    names = []
    for path in sorted((ROOT / "templates").rglob("*")):
        if path.suffix in (".html", ".txt", ".xml") and ".zh_CN." not in path.name:
            names.append(path.relative_to(ROOT / "templates").as_posix())
    return names


def _per_language_templates() -> list[str]:
    return sorted(p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*.zh_CN.*"))


@pytest.mark.parametrize("name", _per_language_templates())
def test_per_language_template_has_an_english_twin(jinja_environment, name):
    """Long texts such as mails may be written once per language: then the English one must exist and be English."""
    english = ROOT / "templates" / name.replace(".zh_CN.", ".en.")
    assert english.is_file(), f"{name} has no English version {english.name}"
    assert _untranslated_in_template(jinja_environment, english.read_text(encoding="utf-8")) == []


def _untranslated_in_template(environment, source: str) -> list[str]:
    """Chinese text in a template that is neither in a gettext call nor in a Jinja comment."""
    found = []

    def visit(node, translated: bool):
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Name) and node.node.name in GETTEXT_CALLS:
            translated = True
        if isinstance(node, nodes.TemplateData):
            found.extend(run for run in CJK_RUN.findall(node.data) if HAN.search(run) and run not in AUTONYMS)
        if isinstance(node, nodes.Const) and isinstance(node.value, str) and HAN.search(node.value) and not translated:
            found.append(node.value)
        for child in node.iter_child_nodes():
            visit(child, translated)

    visit(environment.parse(source), False)
    return found


@pytest.fixture(scope="module")
def jinja_environment():
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}).jinja_env


@pytest.mark.parametrize("name", _template_names())
def test_template_has_no_chinese_outside_the_catalogue(jinja_environment, name):
    source = (ROOT / "templates" / name).read_text(encoding="utf-8")
    assert _untranslated_in_template(jinja_environment, source) == []


def test_the_template_check_catches_bare_chinese(jinja_environment):
    source = '{# 注释 #}<p>{{ _("已翻译") }}</p><p>没有翻译</p>{{ x or "也没有" }}'
    assert _untranslated_in_template(jinja_environment, source) == ["没有翻译", "也没有"]


def _python_modules() -> list[Path]:
    """Modules with page text: forms, views, and any module that uses Flask-Babel."""
    modules = []
    for path in sorted((ROOT / "portal").rglob("*.py")):
        if path.name in NOT_PAGE_TEXT:
            continue
        text = path.read_text(encoding="utf-8")
        if path.name in ("forms.py", "views.py") or "flask_babel" in text:
            modules.append(path)
    return modules


def _untranslated_in_python(source: str) -> list[str]:
    tree = ast.parse(source)
    allowed: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            allowed.add(id(node.value))  # docstrings
        if isinstance(node, ast.JoinedStr):
            allowed.update(id(v) for v in node.values)  # reported once, as the whole f-string
        if isinstance(node, ast.Call):
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if name in GETTEXT_CALLS:
                allowed.update(id(arg) for arg in node.args)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr) and any(
            isinstance(v, ast.Constant) and HAN.search(str(v.value)) for v in node.values
        ):
            found.append(ast.unparse(node))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and HAN.search(node.value):
            if id(node) not in allowed:
                found.append(node.value)
    return list(dict.fromkeys(found))


@pytest.mark.parametrize("path", _python_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_python_page_text_is_in_gettext_calls(path):
    assert _untranslated_in_python(path.read_text(encoding="utf-8")) == []


def test_the_python_check_catches_bare_chinese():
    source = '"""说明。"""\nA = _l("好")\nB = "不好"\nC = f"也不好{A}"\n'
    assert _untranslated_in_python(source) == ["不好", "f'也不好{A}'"]


def test_compile_translations_writes_missing_and_stale_catalogues_only(tmp_path):
    messages = tmp_path / "en" / "LC_MESSAGES"
    messages.mkdir(parents=True)
    po = messages / "messages.po"
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\nmsgid "你好"\nmsgstr "Hello"\n',
                  encoding="utf-8")
    mo = messages / "messages.mo"
    assert compile_translations(str(tmp_path)) == [mo]
    assert b"Hello" in mo.read_bytes()
    assert compile_translations(str(tmp_path)) == []  # fresh: left alone
    os.utime(po, (mo.stat().st_mtime + 10, mo.stat().st_mtime + 10))
    assert compile_translations(str(tmp_path)) == [mo]  # the .po changed: compiled again


def test_the_templates_translations_follow_the_locale_within_one_request(app, client):
    """The templates' _() keeps the request's translations once looked up (portal/core/i18n.py: _translations), and
    still follows the language: a mail rendered in English inside a Chinese page's request (force_locale), then the
    Chinese again."""
    from flask import render_template_string
    from flask_babel import force_locale

    page = "{{ _('答复意见') }}|{{ ngettext('（%(num)d 条）', '（%(num)d 条）', 2) }}|{{ pgettext('stance', '建议') }}"
    with app.test_request_context("/"):
        assert render_template_string(page) == "答复意见|（2 条）|建议"
        with force_locale("en"):
            assert render_template_string(page).startswith("Respond to comments|")
        assert render_template_string(page) == "答复意见|（2 条）|建议"
    english = client.get("/consultations/?lang=en").get_data(as_text=True)  # the next request: its own language
    assert "Open data API" in english and "开放数据接口" not in english
