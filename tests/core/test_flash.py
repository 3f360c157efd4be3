"""Flashed messages are stored as msgids with their parameters and translated on the page that shows them
(portal/core/flash.py); a plain string flashed before (an old session) is shown as it was."""
import json
import re

import pytest
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext, refresh
from markupsafe import Markup

from portal.core.flash import chinese_part, date_part, moment_part, number_part, shown, shown_now, stored


@pytest.fixture
def page(app):
    """Enter a request in ``lang`` (its own locale, not the one an earlier request of the test cached)."""
    contexts = []

    def enter(lang: str):
        context = app.test_request_context(f"/?lang={lang}")
        context.push()
        contexts.append(context)
        refresh()

    yield enter
    for context in reversed(contexts):
        context.pop()
    refresh()


def test_a_message_is_stored_as_its_msgid_and_translated_when_shown(app, page):
    page("zh_CN")
    message = stored(_l("已删除敏感词“%(word)s”。", word=chinese_part("<b>广告</b>")))
    assert message == {"msgid": "已删除敏感词“%(word)s”。", "params": {"word": {"chinese": "<b>广告</b>"}}}
    assert json.loads(json.dumps(message)) == message  # what a session cookie can hold
    assert shown(message) == "已删除敏感词“&lt;b&gt;广告&lt;/b&gt;”。"  # escaped; a Chinese page marks nothing
    page("en")
    english = shown(message)
    assert isinstance(english, Markup)
    assert english == 'Sensitive word “<span lang="zh-CN">&lt;b&gt;广告&lt;/b&gt;</span>” deleted.'


def test_plural_messages_and_translated_parameters(app, page):
    page("en")
    message = stored(lazy_ngettext("已%(action)s %(n)s 条意见。", "已%(action)s %(n)s 条意见。", 3,
                                   action=_l("通过"), n=3))
    assert message["plural"] == "已%(action)s %(n)s 条意见。" and message["num"] == 3
    assert message["params"]["action"] == {"msgid": "通过", "params": {}}
    assert shown(message) == "Approve: done for 3 comments."
    one = stored(lazy_ngettext("已保存 %(num)d 条答复。", "已保存 %(num)d 条答复。", 1))
    assert shown(one) == "1 response saved."
    page("zh_CN")
    assert shown(message) == "已通过 3 条意见。" and shown(one) == "已保存 1 条答复。"


def test_plain_text_parameters_are_escaped_and_english_text_is_not_marked(app, page):
    page("en")
    message = stored(_l("已把「%(name)s」记为单位的别名。", name="<script>x</script>"))
    assert shown(message) == "“&lt;script&gt;x&lt;/script&gt;” is now recorded as another name of the unit."
    marked = stored(_l("已把「%(name)s」记为单位的别名。", name=chinese_part("Health Commission")))
    assert shown(marked) == "“Health Commission” is now recorded as another name of the unit."


def test_dates_moments_and_numbers_are_written_in_the_language_of_the_page_that_shows_them(app, page):
    """A refusal raised on a Chinese page names a day "2023年5月12日"; flashed and read on an English page, the day
    reads "12 May 2023" (format_date at the raise had kept the Chinese one)."""
    from datetime import date, datetime, timezone

    page("zh_CN")
    refusal = _l("印发日期不能早于征求意见截止的日期（%(day)s）。", day=date_part(date(2023, 5, 12)))
    assert str(refusal) == "印发日期不能早于征求意见截止的日期（2023年5月12日）。"  # read at once: this language's
    message = stored(refusal)
    assert message["params"] == {"day": {"date": "2023-05-12"}}
    assert json.loads(json.dumps(message)) == message
    page("en")
    assert shown(message) == "The date of issue cannot be before the day the consultation closed (12 May 2023)."
    assert shown_now(refusal) == "The date of issue cannot be before the day the consultation closed (12 May 2023)."
    moment = stored(_l("%(start)s—%(end)s", start=moment_part(datetime(2023, 5, 12, 1, 30, tzinfo=timezone.utc)),
                       end=number_part(1000)))
    assert moment["params"]["start"] == {"moment": "2023-05-12T01:30:00+00:00"}
    assert shown(moment) == "12 May 2023, 09:30 – 1,000"  # the moment in Asia/Shanghai
    page("zh_CN")
    assert shown(moment) == "2023年5月12日 09:30—1,000"


def test_old_sessions_plain_strings_are_shown_as_they_were(app, page):
    page("en")
    assert shown("答复已保存。") == "答复已保存。"  # flashed before the deploy, in Chinese: kept, not lost
    assert stored("已保存。") == "已保存。"  # a message already translated
    kept = Markup('<span lang="zh-CN">市民政局</span>')
    assert stored(kept) is kept and shown(kept) is kept


def test_no_view_flashes_a_message_translated_at_flash_time():
    """Every message goes through flash_message (Flask's flash kept the language of the request that flashed it)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "portal"
    direct = [f"{path.relative_to(root)}:{number}" for path in sorted(root.rglob("*.py")) if path.name != "flash.py"
              for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
              if re.search(r"(?<![\w.])flash\(", line)]
    assert direct == []
    templates = Path(__file__).resolve().parents[2] / "templates"
    assert [p.name for p in templates.rglob("*.html") if "get_flashed_messages" in p.read_text(encoding="utf-8")] == []


EAGER_REFUSAL = re.compile(
    r"raise (?:[\w.]+\.)?(?:AdminError|OfficeError|AccountError|ChoiceRefused|RoundError|MeetingError|MailboxError"
    r"|ConsultationError|DraftReadError)\(\s*(?:(?:[\w.]+|\"[^\"]*\")\s*,\s*)?_\("
    r"|raise (?:PeriodError|ImportRefused)\(\[\s*(?:\(\"[^\"]*\",\s*)?_\("  # [(field, _(…))], [_(…)]
    r"|problems\.append\(\((?:\"[^\"]*\"|[\w.]+),\s*_\(|return \[\(\"[^\"]*\",\s*_\(")  # the period's, an import's rows


def test_no_service_refuses_in_the_language_of_the_request_that_raised_it():
    """A service's refusal is lazy (``_l``): a view flashes it as it is, and the page that shows it translates it
    (``raise OfficeError("file", _("……"))`` kept the language of the request that raised it)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "portal"
    found = [f"{path.relative_to(root)}:{text.count(chr(10), 0, match.start()) + 1}"
             for path in sorted(root.rglob("*.py")) for text in [path.read_text(encoding="utf-8")]
             for match in EAGER_REFUSAL.finditer(text)]
    assert found == []


@pytest.mark.parametrize("line", [
    'raise OfficeError("file", _("文件太大。"))',
    'raise services.MeetingError("end_time", _("结束时间要晚于开始时间。"))',
    'raise MailboxError("port", _("端口要在 1 到 65535 之间。"))',
    'raise ConsultationError("no_deadline", _(\n "没有截止时间。"))',
    'raise DraftReadError("empty", _("文件是空的。"))',
    'raise ImportRefused([_("这项征求意见还没有发布。")])',
    'raise PeriodError([("deadline_date", _("请填写截止日期。"))])',
    'problems.append(("reason", _("请说明延长的理由。")))',
    'problems.append((row.line, _("第%(line)d行：%(problem)s", line=row.line, problem=error.message)))',
    'return [("deadline_date", _("只有正在征求意见的才能延长。"))]',
])
def test_the_check_finds_a_refusal_translated_when_raised(line):
    assert EAGER_REFUSAL.search(line)
    assert not EAGER_REFUSAL.search(line.replace("_(", "_l("))
