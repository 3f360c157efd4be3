"""The portal's Flask class, whose URL rules write their URL builders when first asked to build a URL, not when the
app is made.

Werkzeug compiles two builder functions for every rule as it is added (it writes each as Python source, parses and
compiles it): for the portal's ~150 routes that is ~0.1 s of every ``create_app``, most of the time the app factory
takes, paid again by every worker and by every test's app, although a process builds URLs of a few endpoints
only. ``LazyRule`` keeps Werkzeug's builders as they are and only defers writing each until its first use; matching
(the regular expressions) is untouched.
"""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import Rule

from portal.core.i18n import JSONProvider
from portal.core.templating import SHARED_BYTECODE


class LazyRule(Rule):
    def _compile_builder(self, append_unknown: bool = True):
        compile_real = super()._compile_builder
        compiled = None

        def build(rule, *args, **kwargs):
            nonlocal compiled
            if compiled is None:  # two threads may both write it: the same function, no harm
                compiled = compile_real(append_unknown).__get__(rule, None)
            return compiled(*args, **kwargs)

        return build


class PortalFlask(Flask):
    """Flask with ``LazyRule`` for every route (the static files' included) and templates compiled once a process
    (portal/core/templating.py), and a lazily translated message written to JSON as its text (portal/core/i18n.py)."""

    url_rule_class = LazyRule
    json_provider_class = JSONProvider
    jinja_options = {**Flask.jinja_options, "bytecode_cache": SHARED_BYTECODE}
