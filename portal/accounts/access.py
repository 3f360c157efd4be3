"""Who may do what: one decorator on the view, checked in one place."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required


def role_required(*roles: str):
    """Log in first (redirect to the login page); then 403 unless the user has one of ``roles``.

    Administrators may do everything.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role("admin", *roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def can_manage_consultation(user, consultation) -> bool:
    """Administrators manage all; office staff only their own unit's consultations."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.role == "admin":
        return True
    return user.role == "office" and user.unit_id is not None and user.unit_id == consultation.owner_unit_id


def get_managed_consultation(consultation_id: int):
    """The consultation the signed-in user may manage; 404 when it does not exist or is another unit's.

    Another unit's consultations answer 404, not 403, so that their existence (unpublished drafts
    included) is not revealed. Use under ``role_required("office")``, which turns other roles away.
    """
    from flask_login import current_user

    from portal.consultations.models import Consultation
    from portal.extensions import db

    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or not can_manage_consultation(current_user, consultation):
        abort(404)
    return consultation
