"""URL rules whose builders are written on first use (portal/core/routing.py) build every URL exactly as Werkzeug's own."""
import pytest
from werkzeug.routing import IntegerConverter, Map, PathConverter, Rule

from portal import create_app
from portal.core.routing import LazyRule



def values_for(rule) -> dict:
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            values[name] = 7
        elif isinstance(converter, PathConverter):
            values[name] = "a/b c/甲.txt"
        else:
            values[name] = "甲 乙"
    return values


def test_every_route_builds_the_same_url_as_werkzeugs_eager_rules():
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    rules = list(app.url_map.iter_rules())
    assert len(rules) > 100 and all(isinstance(rule, LazyRule) for rule in rules)
    eager = Map([Rule(rule.rule, endpoint=rule.endpoint, defaults=rule.defaults, methods=rule.methods)
                 for rule in rules], converters=app.url_map.converters)
    lazy_adapter = app.url_map.bind("portal.example.cn", "/")
    eager_adapter = eager.bind("portal.example.cn", "/")
    built = 0
    for rule in rules:
        values = values_for(rule)
        method = next(iter(sorted(rule.methods - {"HEAD", "OPTIONS"})), "GET")
        for extra in ({}, {"page": 2, "q": "养老 & 服务"}):  # unknown values go into the query string
            expected = eager_adapter.build(rule.endpoint, {**values, **extra}, method=method)
            assert lazy_adapter.build(rule.endpoint, {**values, **extra}, method=method) == expected
            built += 1
    assert built == 2 * len(rules)


def test_a_builder_is_written_once_when_first_used(monkeypatch):
    written = []
    real = Rule._compile_builder

    def counting(self, append_unknown=True):
        written.append((self.rule, append_unknown))
        return real(self, append_unknown)

    monkeypatch.setattr(Rule, "_compile_builder", counting)
    rules = Map([LazyRule("/consultations/<int:consultation_id>", endpoint="show"),
                 LazyRule("/about", endpoint="about")]).bind("portal.example.cn", "/")
    # LazyRule's own _compile_builder ran (it returns a wrapper); Werkzeug's has written nothing yet
    assert written == []
    assert rules.build("show", {"consultation_id": 3}) == "/consultations/3"
    assert rules.build("show", {"consultation_id": 4, "page": 2}) == "/consultations/4?page=2"
    assert rules.build("show", {"consultation_id": 5}) == "/consultations/5"
    assert sorted(written) == [("/consultations/<int:consultation_id>", True)]
    with pytest.raises(Exception):
        rules.build("show", {"consultation_id": "not a number"})
