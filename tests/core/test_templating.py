"""Templates compiled once a process (portal/core/templating.py): shared between apps, never stale, never shared
between environments whose settings change what the compiled code does."""
import pytest
from jinja2 import DictLoader, Environment

from portal import create_app
from portal.core.templating import SharedBytecodeCache


@pytest.fixture
def compiled(monkeypatch):
    """The names of the templates Jinja compiles from their source during the test."""
    names = []
    real = Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        names.append(name)
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(Environment, "compile", counting)
    return names


def environment(cache, templates, **options):
    return Environment(loader=DictLoader(templates), bytecode_cache=cache, **options)


def test_a_second_environment_uses_the_compiled_code_and_an_edited_template_is_compiled_again(compiled):
    cache = SharedBytecodeCache()
    first = environment(cache, {"page.html": "第{{ n }}条"})
    assert first.get_template("page.html").render(n=3) == "第3条"
    assert environment(cache, {"page.html": "第{{ n }}条"}).get_template("page.html").render(n=4) == "第4条"
    assert compiled == ["page.html"]
    edited = environment(cache, {"page.html": "第{{ n }}款"})
    assert edited.get_template("page.html").render(n=5) == "第5款"
    assert compiled == ["page.html", "page.html"]


def test_environments_that_escape_differently_do_not_share_code():
    cache = SharedBytecodeCache()
    templates = {"t.html": "{{ text }}"}
    assert environment(cache, templates, autoescape=True).get_template("t.html").render(text="<b>") == "&lt;b&gt;"
    assert environment(cache, templates, autoescape=False).get_template("t.html").render(text="<b>") == "<b>"
    assert environment(cache, templates, autoescape=True).get_template("t.html").render(text="<b>") == "&lt;b&gt;"


def test_two_apps_render_the_same_page_from_one_compilation(app, database_url, compiled):
    pages = []
    for _ in range(2):
        other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test"})
        response = other.test_client().get("/accessibility")
        assert response.status_code == 200
        pages.append(response.get_data(as_text=True))
    assert "无障碍" in pages[0] and pages[0] == pages[1]
    assert compiled.count("about/accessibility.html") <= 1 and compiled.count("base.html") <= 1
