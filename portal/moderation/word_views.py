"""The sensitive-word list (/admin/sensitive-words): add, import from a text file, remove. Administrators only."""
from flask import Blueprint, abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from portal.accounts.access import role_required
from portal.core.flash import chinese_part, flash_message
from portal.extensions import db
from portal.moderation.forms import SensitiveWordFileForm, SensitiveWordsForm
from portal.moderation.models import SensitiveWord
from portal.moderation.services import add_sensitive_words, remove_sensitive_word
from portal.moderation.signs import clean_words, decode_word_file

bp = Blueprint("sensitive_words", __name__, url_prefix="/admin/sensitive-words")


def _render(words_form=None, file_form=None, status=200):
    entries = db.session.scalars(select(SensitiveWord).order_by(SensitiveWord.word)).all()
    return render_template(
        "moderation/sensitive_words.html", entries=entries,
        words_form=words_form or SensitiveWordsForm(), file_form=file_form or SensitiveWordFileForm(),
    ), status


@bp.get("/")
@role_required("admin")
def index():
    return _render()


@bp.post("/")
@role_required("admin")
def add():
    form = SensitiveWordsForm()
    return _add_words(form, "words_form", form.words, lambda: clean_words(form.words.data.splitlines()),
                      _("没有找到可以添加的词。"), lambda n: _l("已添加 %(n)s 个敏感词（已有的不重复添加）。", n=n))


@bp.post("/import")
@role_required("admin")
def import_file():
    form = SensitiveWordFileForm()
    return _add_words(form, "file_form", form.file, lambda: _file_words(form.file.data.read()),
                      _("这个文件里没有读到敏感词。请上传纯文本文件（.txt），每行一个词。"),
                      lambda n: _l("已从文件导入 %(n)s 个敏感词（已有的不重复添加）。", n=n))


def _add_words(form, name: str, field, words, none_found, said):
    """Add the ``words()`` of a valid ``form`` (those on the list already are not added twice), then back to the list,
    saying ``said(n)`` of the number added; else the page again with the form (``name``: _render's), ``field`` saying
    ``none_found`` when it holds no word."""
    if not form.validate():
        return _render(**{name: form}, status=422)
    if not (found := words()):
        field.errors.append(none_found)
        return _render(**{name: form}, status=422)
    added = add_sensitive_words(current_user, found)
    db.session.commit()
    flash_message(said(len(added)), "success")
    return redirect(url_for("sensitive_words.index"), code=303)


def _file_words(data: bytes) -> list[str]:
    """The words of an uploaded word list, one a line; none when it is not text."""
    try:
        text = decode_word_file(data)
    except ValueError:
        return []
    return clean_words(text.splitlines()) if text and "\x00" not in text else []


@bp.post("/<int:word_id>/delete")
@role_required("admin")
def delete(word_id: int):
    entry = db.session.get(SensitiveWord, word_id) or abort(404)
    remove_sensitive_word(current_user, entry)
    db.session.commit()
    flash_message(_l("已删除敏感词“%(word)s”。", word=chinese_part(entry.word)), "success")
    return redirect(url_for("sensitive_words.index"), code=303)
