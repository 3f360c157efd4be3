"""The portal: public consultations on draft policies, from the published draft to the closing report."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from portal.config import Config, from_environment
from portal.core import postgres, sqlite
from portal.core.routing import PortalFlask
from portal.core.secret import DEVELOPMENT_KEY, installation_key
from portal.extensions import babel, csrf, db, limiter, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = PortalFlask(
        __name__,
        instance_path=os.environ.get("PORTAL_INSTANCE_PATH") or str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    app.config.from_object(Config)
    app.config.update(from_environment())
    if test_config:
        app.config.update(test_config)
    if app.config.get("SECRET_KEY") in (None, "", DEVELOPMENT_KEY) and not app.config.get("TESTING"):
        app.config["SECRET_KEY"] = installation_key(app.instance_path)  # never the key written in the source
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'portal.db'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = _with_driver(app.config["SQLALCHEMY_DATABASE_URI"])
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = postgres.engine_options(
        uri, sqlite.engine_options(uri, app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}))
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(ROOT / "translations"))

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)

    from portal.core import i18n, web

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.install_template_gettext(app)
    i18n.compile_translations(app.config["BABEL_TRANSLATION_DIRECTORIES"])
    sqlite.register(app)
    postgres.register(app)
    web.register(app)

    from portal.mail import config as mail_config

    mail_config.init_app(app)

    from portal.accounts import models as _account_models  # noqa: F401  (register tables)
    from portal.citizens import models as _citizen_models  # noqa: F401
    from portal.audit import models as _audit_models  # noqa: F401
    from portal.comments import models as _comment_models  # noqa: F401
    from portal.moderation import models as _moderation_models  # noqa: F401
    from portal.units import models as _unit_models  # noqa: F401
    from portal.mail import models as _mail_models  # noqa: F401
    from portal.meetings import models as _meeting_models  # noqa: F401
    from portal.office import models as _office_models  # noqa: F401
    from portal.routing import models as _routing_models  # noqa: F401
    from portal.core import tokens as _token_models  # noqa: F401
    from portal.operations import models as _operation_models  # noqa: F401
    from portal.digests import models as _export_models  # noqa: F401
    from portal.operations.cli import jobs_cli
    from portal.operations.views import bp as operations_bp
    from portal.mail.cli import mail_cli
    from portal.mail.views import bp as mail_bp
    from portal.routing.views import bp as routing_bp
    from portal.responses import models as _response_models  # noqa: F401
    from portal.accounts.cli import users_cli
    from portal.accounts.views import bp as accounts_bp
    from portal.citizens.views import bp as citizens_bp
    from portal.comments.cli import comments_cli
    from portal.comments.views import bp as comments_bp
    from portal.consultations.cli import consultations_cli
    from portal.consultations.views import bp as consultations_bp
    from portal.drafts.cli import drafts_cli
    from portal.drafts import models as _draft_models  # noqa: F401
    from portal.drafts.views import bp as drafts_bp
    from portal.office.views import bp as office_bp
    from portal.admin.views import bp as admin_bp
    from portal.search import events as search_events
    from portal.search.cli import search_cli
    from portal.search.views import bp as search_bp
    from portal.backup.cli import backup_cli
    from portal.api.views import bp as api_bp
    from portal.consultations.sitemap import bp as sitemap_bp

    from portal.core.about_views import bp as about_bp
    from portal.core.settings_views import bp as settings_bp
    from portal.audit.views import bp as audit_bp
    from portal.moderation.cli import moderation_cli
    from portal.moderation.report_views import bp as comment_reports_bp
    from portal.comments.agreement_views import bp as agreements_bp
    from portal.moderation.views import bp as moderation_bp
    from portal.moderation.word_views import bp as sensitive_words_bp
    from portal.digests.cli import digests_cli
    from portal.digests.views import bp as digests_bp
    from portal.reports.views import bp as reports_bp
    from portal.reports.work_views import bp as work_report_bp
    from portal.responses.views import advice_bp
    from portal.responses.views import bp as responses_bp

    app.register_blueprint(settings_bp)
    app.register_blueprint(about_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(citizens_bp)
    app.register_blueprint(consultations_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(mail_bp)
    app.register_blueprint(routing_bp)
    app.register_blueprint(drafts_bp)
    app.register_blueprint(office_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(comment_reports_bp)
    app.register_blueprint(agreements_bp)
    app.register_blueprint(sensitive_words_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(responses_bp)
    app.register_blueprint(advice_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(work_report_bp)
    app.register_blueprint(digests_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(sitemap_bp)
    app.register_blueprint(operations_bp)
    from portal.meetings.views import bp as meetings_bp

    app.register_blueprint(meetings_bp)
    search_events.register(db.session)
    from portal.comments import page_cache

    page_cache.register(db.session)
    app.cli.add_command(drafts_cli)
    app.cli.add_command(consultations_cli)
    app.cli.add_command(comments_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(moderation_cli)
    app.cli.add_command(digests_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(jobs_cli)
    from portal.meetings.cli import meetings_cli

    app.cli.add_command(meetings_cli)

    from portal.citizens.services import current_citizen, is_following

    app.jinja_env.globals["current_citizen"] = current_citizen
    app.jinja_env.globals["is_following"] = is_following
    from portal.moderation.labels import CHANNEL_LABELS

    # how a comment reached the office, in the reader's language
    app.jinja_env.globals["channel_labels"] = CHANNEL_LABELS
    from portal.meetings.labels import KIND_LABELS as MEETING_KIND_LABELS, REGISTRATION_LABELS, SIGNUP_LABELS

    # meetings (座谈会、听证会): their kinds, the states of a sign-up and of the sign-up itself
    app.jinja_env.globals.update(meeting_kinds=MEETING_KIND_LABELS, registration_labels=REGISTRATION_LABELS,
                                 signup_labels=SIGNUP_LABELS)
    from portal.meetings.services import masked_phone

    app.add_template_filter(masked_phone, "mask_phone")
    from portal.meetings.summary import held_meetings, meetings_sentence

    app.jinja_env.globals.update(held_meetings=held_meetings, meetings_sentence=meetings_sentence)
    from portal.consultations.choices import choice_questions, choices_sentences

    # the key questions that offer choices (选择题), and the feedback report's sentences on the answers
    app.jinja_env.globals.update(choice_questions=choice_questions, choices_sentences=choices_sentences)
    from portal.comments.attachments import ACCEPT, megabytes, size_label

    app.add_template_filter(size_label, "filesize")
    app.add_template_filter(megabytes)  # a limit in bytes as the MB its hint states: 5
    app.jinja_env.globals["attachment_kinds"] = ACCEPT
    from flask_babel import ngettext

    from portal.comments.quotes import QUOTE_MAX, marked_line, text_fragment

    app.jinja_env.globals["quote_max"] = QUOTE_MAX  # the longest quotation of the draft a comment may carry
    from portal.comments.proposals import PROPOSAL_MAX, wording_change

    app.jinja_env.globals["proposal_max"] = PROPOSAL_MAX  # the longest wording a comment may propose
    app.add_template_global(wording_change)  # the quoted words and the proposal with their changes marked
    from portal.comments.organisations import KIND_LABELS, KIND_NAMES, KIND_NAMES_EN, ORGANISATION_MAX

    app.jinja_env.globals["organisation_max"] = ORGANISATION_MAX  # the longest organisation's name (以单位名义)
    app.jinja_env.globals["organisation_kinds"] = KIND_LABELS  # an organisation's kind, by its code
    app.jinja_env.globals["kind_names"] = KIND_NAMES  # the same in Chinese whatever the language (mails in Chinese)
    app.jinja_env.globals["kind_names_en"] = KIND_NAMES_EN  # and in the English mails

    def quoted_line(line, quoted):
        """A paragraph of the draft, the sentences public comments quote marked with their number."""
        return marked_line(line, quoted, lambda n: ngettext("%(num)d 条意见引用", "%(num)d 条意见引用", n))

    app.jinja_env.globals["marked_line"] = quoted_line
    app.jinja_env.globals["text_fragment"] = text_fragment  # a link that scrolls to a sentence and marks it

    @login_manager.user_loader
    def load_user(user_id: str):
        """The staff member a session names (``id.epoch``), unless their password changed since: then nobody."""
        from portal.accounts.models import User

        return User.of_session(user_id)

    return app


def _with_driver(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs that name no driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url
