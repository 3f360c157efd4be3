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


def _added(words: list[str], said):
    """Add ``words`` (those on the list already are not added twice), then back to the list, saying ``said(n)`` of the
    number added."""
    added = add_sensitive_words(current_user, words)
    db.session.commit()
    flash_message(said(len(added)), "success")
    return redirect(url_for("sensitive_words.index"), code=303)


@bp.get("/")
@role_required("admin")
def index():
    return _render()


@bp.post("/")
@role_required("admin")
def add():
    form = SensitiveWordsForm()
    if not form.validate():
        return _render(words_form=form, status=422)
    words = clean_words(form.words.data.splitlines())
    if not words:
        form.words.errors.append(_("没有找到可以添加的词。"))
        return _render(words_form=form, status=422)
    return _added(words, lambda n: _l("已添加 %(n)s 个敏感词（已有的不重复添加）。", n=n))


@bp.post("/import")
@role_required("admin")
def import_file():
    form = SensitiveWordFileForm()
    if not form.validate():
        return _render(file_form=form, status=422)
    try:
        text = decode_word_file(form.file.data.read())
    except ValueError:
        text = None
    words = clean_words(text.splitlines()) if text and "\x00" not in text else []
    if not words:
        form.file.errors.append(_("这个文件里没有读到敏感词。请上传纯文本文件（.txt），每行一个词。"))
        return _render(file_form=form, status=422)
    return _added(words, lambda n: _l("已从文件导入 %(n)s 个敏感词（已有的不重复添加）。", n=n))


@bp.post("/<int:word_id>/delete")
@role_required("admin")
def delete(word_id: int):
    entry = db.session.get(SensitiveWord, word_id) or abort(404)
    remove_sensitive_word(current_user, entry)
    db.session.commit()
    flash_message(_l("已删除敏感词“%(word)s”。", word=chinese_part(entry.word)), "success")
    return redirect(url_for("sensitive_words.index"), code=303)
