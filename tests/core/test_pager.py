"""The one pager macro every paged list uses (templates/_pager.html)."""
import re

from flask import render_template_string

TEMPLATE = """{% from "_pager.html" import pager %}{% call(n) pager(page, pages, has_next, label) %}/list?page={{ n }}&amp;q=x{% endcall %}"""


def render(app, page, pages=None, has_next=None, label=None, language="zh_CN"):
    with app.test_request_context(f"/?lang={language}"):
        return render_template_string(TEMPLATE, page=page, pages=pages, has_next=has_next, label=label)


def links(html):
    return re.findall(r'<a rel="(prev|next)" href="([^"]+)">', html)


def test_first_middle_and_last_page(app):
    first = render(app, 1, 3)
    assert links(first) == [("next", "/list?page=2&amp;q=x")] and "第 1 页，共 3 页" in first
    assert 'aria-label="翻页"' in first
    middle = render(app, 2, 3)
    assert links(middle) == [("prev", "/list?page=1&amp;q=x"), ("next", "/list?page=3&amp;q=x")]
    assert links(render(app, 3, 3)) == [("prev", "/list?page=2&amp;q=x")]


def test_a_single_page_has_no_pager(app):
    assert "<nav" not in render(app, 1, 1)
    assert "<nav" not in render(app, 1, has_next=False)


def test_without_a_page_count_the_next_link_follows_has_next(app):
    html = render(app, 4, has_next=True, label="邮件分页")
    assert links(html) == [("prev", "/list?page=3&amp;q=x"), ("next", "/list?page=5&amp;q=x")]
    assert "共" not in html and 'aria-label="邮件分页"' in html


def test_english(app):
    html = render(app, 2, 3, language="en")
    assert "Page 2 of 3" in html and "Previous page" in html and "Next page" in html
