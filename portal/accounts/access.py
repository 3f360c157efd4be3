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
