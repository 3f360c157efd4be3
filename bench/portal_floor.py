"""The portal's floor (issue 9): the portal's own app as ``wsgi.py`` makes it, with one more endpoint that does no
work of its own. A request to it passes through everything a comment submission passes through before and after
the view (the proxy fix, the session cookie, the CSRF check with the form's parsing, the locale, the other
``before_request`` hooks, the security headers, the session's save) and then only reads the comment's fields, as
the minimal endpoint reads its three, and answers 303, as the submission does. Served in place of ``wsgi:app`` by
``bench/submit_comments.py --floor``: its rate, set beside the limit, is what the portal's stack (much of it asked
for by issue 9's security section) leaves for the submission's own work (its checks, the rate-limit count, the
three rows and the commit) before that work starts.
"""
import gc

from flask import redirect, request

from portal import create_app
from portal.extensions import limiter

app = create_app()
FIELDS = ("section_id", "parent_id", "stance", "body", "author_name", "author_contact", "website")


@app.post("/consultations/<int:consultation_id>/floor")
def floor(consultation_id: int):
    length = sum(len(request.form.get(name, "")) for name in FIELDS)
    return redirect(f"/consultations/{consultation_id}?length={length}", code=303)


limiter.counts_own_limit("floor")  # as the submission: Flask-Limiter leaves it alone
gc.freeze()  # as wsgi.py does
