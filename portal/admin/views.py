"""Administration under /admin: staff accounts, the directory of units, its import, unmatched names."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from portal.accounts.models import User
from portal.accounts.access import role_required
from portal.admin import services
from portal.admin.directory_file import DirectoryFileError, read_directory
from portal.admin.forms import PUBLICATION_REVIEW_CODES, AliasForm, DirectoryImportForm, UnitForm, UserForm
from portal.core.flash import chinese_part, flash_message, refuse_at
from portal.extensions import db
from portal.office import publication_review
from portal.office.forms import split_emails
from portal.routing.services import text_addresses
from portal.units.models import Unit

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _unit_choices(none_label: str, exclude: Unit | None = None) -> list[tuple[int, str]]:
    units = db.session.scalars(select(Unit).order_by(Unit.name))
    return [SelectChoice(0, none_label)] + [SelectChoice(u.id, u.name) for u in units if u is not exclude]


def _add_error(form, field: str, message) -> None:
    refuse_at(getattr(form, field, None) or next(iter(form)), message)


@bp.get("/")
@role_required("admin")
def home():
    return redirect(url_for("admin.users"))


@bp.get("/users")
@role_required("admin")
def users():
    accounts = db.session.scalars(select(User).options(selectinload(User.unit)).order_by(User.role, User.email)).all()
    return render_template("admin/users.html", users=accounts)


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@role_required("admin")
def user(user_id: int | None = None):
    account = db.session.get(User, user_id) if user_id else None
    if user_id and account is None:
        abort(404)
    if request.method == "GET" and account is not None:
        form = UserForm(email=account.email, name=account.name, role=account.role, unit=account.unit_id or 0,
                        active=account.active)
    else:
        form = UserForm()
    form.unit.choices = _unit_choices(_("（无）"))
    if account is not None:
        del form.email
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit.data) if form.unit.data else None
        try:
            if account is None:
                if not form.password.data:
                    raise services.AdminError("password", _l("请为新账号设一个密码。"))
                services.add_staff(current_user, form.email.data, form.name.data, form.password.data,
                                   form.role.data, unit)
            else:
                services.update_staff(current_user, account, form.name.data, form.role.data, unit,
                                      form.active.data, form.password.data or "")
        except services.AdminError as error:
            db.session.rollback()
            _add_error(form, error.field, error.message)
        else:
            db.session.commit()
            if account is not None and account.id == current_user.id and form.password.data:
                login_user(account)  # their own new password: the other sessions end, this one goes on
            return redirect(url_for("admin.users"))
    status = 422 if form.errors else 200
    return render_template("admin/user.html", form=form, account=account), status


@bp.get("/units")
@role_required("admin")
def units():
    directory = db.session.scalars(select(Unit).options(selectinload(Unit.aliases), selectinload(Unit.parent))
                                   .order_by(Unit.name)).all()
    return render_template("admin/units.html", units=directory, unmatched=services.unmatched_unit_names(),
                           reviews={u.id: publication_review.review_source(u) for u in directory})


@bp.route("/units/new", methods=["GET", "POST"])
@bp.route("/units/<int:unit_id>", methods=["GET", "POST"])
@role_required("admin")
def unit(unit_id: int | None = None):
    record = db.session.get(Unit, unit_id) if unit_id else None
    if unit_id and record is None:
        abort(404)
    # 审核发布: the unit's choice, kept when a post leaves the field out
    review = next(code for code, value in PUBLICATION_REVIEW_CODES.items()
                  if value is (record.publication_review if record is not None else None))
    if request.method == "GET" and record is not None:
        form = UnitForm(name=record.name, emails="\n".join(text_addresses(record.emails)), parent=record.parent_id or 0,
                        aliases="\n".join(a.alias for a in record.aliases), publication_review=review)
    else:
        form = UnitForm(publication_review=review)
    form.parent.choices = _unit_choices(_("（没有上级单位）"), exclude=record)
    if form.validate_on_submit():
        parent = db.session.get(Unit, form.parent.data) if form.parent.data else None
        try:
            services.save_unit(current_user, record, form.name.data, split_emails(form.emails.data), parent,
                               [a for a in (form.aliases.data or "").replace("、", "\n").splitlines()],
                               PUBLICATION_REVIEW_CODES[form.publication_review.data])
        except services.AdminError as error:
            db.session.rollback()
            _add_error(form, error.field, error.message)
        else:
            db.session.commit()
            return redirect(url_for("admin.units"))
    status = 422 if form.errors else 200
    return render_template("admin/unit.html", form=form, unit=record,
                           site_review=publication_review.deployment_review(),
                           review=publication_review.review_source(record) if record is not None else None,
                           followers=publication_review.followers(record) if record is not None else []), status


@bp.route("/units/import", methods=["GET", "POST"])
@role_required("admin")
def import_units():
    form = DirectoryImportForm()
    result = None
    if form.validate_on_submit():
        try:
            rows = read_directory(form.file.data.read())
            result = services.import_directory(current_user, rows)
        except DirectoryFileError as error:
            db.session.rollback()
            form.file.errors = list(form.file.errors) + error.messages
        except services.AdminError as error:
            db.session.rollback()
            refuse_at(form.file, error.message)
        else:
            db.session.commit()
            flash_message(_l("导入完成：新增 %(created)d 个单位，更新 %(updated)d 个单位。", created=result[0], updated=result[1]))
            return redirect(url_for("admin.units"))
    status = 422 if form.errors else 200
    return render_template("admin/import.html", form=form), status


@bp.post("/units/aliases")
@role_required("admin")
def add_alias():
    form = AliasForm()
    form.unit.choices = _unit_choices("")
    if form.validate_on_submit() and form.unit.data:
        try:
            services.add_alias(current_user, db.session.get(Unit, form.unit.data), form.alias.data)
        except services.AdminError as error:
            db.session.rollback()
            flash_message(error.message, "error")
        else:
            db.session.commit()
            flash_message(_l("已把「%(name)s」记为单位的别名。", name=chinese_part(form.alias.data)))
    else:
        flash_message(_l("请选择这个名称对应的单位。"), "error")
    return redirect(url_for("admin.units") + "#unmatched")


@bp.post("/users/<int:user_id>/two-factor/reset")
@role_required("admin")
def reset_two_factor(user_id: int):
    """For a staff member who lost their phone and their recovery codes: two-step login off (they turn it on again),
    their sessions ended; audited."""
    from portal.accounts.two_factor import turn_off

    account = db.session.get(User, user_id)
    if account is None:
        abort(404)
    if account.id == current_user.id:  # a stolen session must not remove its own second factor without a code
        flash_message(_l("自己的两步验证请在“两步验证”页面用密码和验证码关闭；手机丢失时，请另一位管理员重置。"), "error")
        return redirect(url_for("admin.user", user_id=account.id))
    if account.two_factor_on:  # (the POST's CSRF token is checked before every view: portal/core/csrf.py)
        turn_off(account, current_user)
        db.session.commit()
        flash_message(_l("已重置 %(name)s 的两步验证。对方下次登录时只需要密码，然后可以重新开启。", name=chinese_part(account.name)), "success")
    return redirect(url_for("admin.user", user_id=account.id))
