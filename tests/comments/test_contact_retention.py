"""Commenters' contact details are kept for PORTAL_CONTACT_RETENTION_DAYS after a consultation ends, then erased;
the opinions, their signatures and the office's responses stay."""
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.extensions import db
from tests.helpers import shanghai


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=["comments", "erase-contacts", *args])
    assert result.exit_code == 0, result.output
    return result.output


def contacts(consultation_id):
    db.session.expire_all()
    return {c.body: (c.author_contact, c.client_hash, c.author_name) for c in db.session.scalars(
        select(Comment).where(Comment.consultation_id == consultation_id))}


def test_contacts_are_erased_a_period_after_the_end_and_nothing_else(app, clock, office_consultation, import_seed):
    consultation, comments = office_consultation
    comments["goals"].client_hash = "a" * 64
    clock.set(shanghai(2023, 5, 13, 9, 0))
    assert app.test_cli_runner().invoke(args=["consultations", "close-due"]).exit_code == 0  # ended 2023-05-13
    later = import_seed("002", opens=shanghai(2023, 5, 13, 9, 0), deadline=shanghai(2024, 6, 30, 17, 0))
    from portal.comments.services import submit_comment

    submit_comment(later, "仍在征求意见。", "suggest", None, author_contact="13900001111")  # still open: kept
    db.session.commit()
    before = contacts(consultation.id)
    assert before["建议明确养老服务中心的建设标准。"] == ("138 0013 8000", "a" * 64, "王大爷")

    clock.set(shanghai(2024, 5, 1, 9, 0))  # 354 days after the end
    assert cli(app) == "保留期限为 0：不清除任何联系方式。\n"  # the default keeps everything
    app.config["CONTACT_RETENTION_DAYS"] = 365
    assert "已清除 0 项征求意见中 0 条意见" in cli(app)
    assert contacts(consultation.id) == before

    clock.set(shanghai(2024, 5, 14, 9, 0))  # 367 days
    assert cli(app) == "已清除 1 项征求意见中 3 条意见的联系方式（结束超过 365 天）。\n"
    after = contacts(consultation.id)
    assert set(after) == set(before)  # every opinion is still there
    assert all(contact is None and client_hash is None for contact, client_hash, _name in after.values())
    assert after["建议明确养老服务中心的建设标准。"][2] == "王大爷"  # the signature is public: it stays
    assert contacts(later.id)["仍在征求意见。"][0] == "13900001111"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "erase_contacts"))
    assert (entry.actor_label, entry.consultation_id, entry.after) == ("cli", consultation.id, {"comments": 3, "days": 365})
    assert "已清除 0 项" in cli(app, "--days", "365")  # twice is safe
    assert cli(app, "--days", "0").startswith("保留期限为 0")


def test_a_summary_written_again_after_the_erasure_counts_the_same_people(app, clock, import_seed):
    """Three comments from one telephone number are one person (1人提出); once the contacts were erased, a summary
    written again (an answer published, a comment marked spam) counted them as three."""
    from portal.comments.services import submit_comment
    from portal.consultations.models import Consultation
    from portal.consultations.services import rewrite_closing_summary

    clock.set(shanghai(2023, 4, 20, 9, 0))
    consultation = import_seed("003")
    for body in ("第一条。", "第二条。", "第三条。"):
        submit_comment(consultation, body, "suggest", None, author_contact="13900001111")
    submit_comment(consultation, "另一位。", "suggest", None, author_contact="13900002222")
    db.session.commit()
    clock.set(shanghai(2023, 5, 13, 9, 0))
    cli(app, "--days", "0")
    app.test_cli_runner().invoke(args=["consultations", "close-due"])
    db.session.expire_all()
    assert "（2人提出）" in db.session.get(Consultation, consultation.id).closing_summary

    clock.set(shanghai(2024, 6, 1, 9, 0))
    assert "4 条意见的联系方式" in cli(app, "--days", "365")
    assert "4 条意见的联系方式" not in cli(app, "--days", "365")  # twice is safe
    db.session.expire_all()
    stored = db.session.get(Consultation, consultation.id)
    kept = db.session.scalars(select(Comment).where(Comment.consultation_id == consultation.id)).all()
    assert sorted(c.commenter_no for c in kept) == [1, 1, 1, 2] and all(c.author_contact is None for c in kept)
    stored.closing_summary = None  # written again from the comments as they are now
    rewrite_closing_summary(stored)
    assert "（2人提出）" in stored.closing_summary


def test_a_commenters_address_goes_with_the_last_contact_that_holds_it(app, clock, import_seed):
    """commenter_addresses keeps each address a commenter left (asked to confirm, or confirmed): once the contacts of
    the consultations it was left on are erased, the address goes too; one another comment, or an account, still
    holds stays, and so does one that unsubscribed (never to be mailed again)."""
    from portal.citizens.models import Citizen
    from portal.comments.services import submit_comment
    from portal.mail.models import CommenterAddress
    from tests.helpers import route_new_comments

    def addresses():
        db.session.expire_all()
        return {row.email: row.unsubscribed_at is not None for row in db.session.scalars(select(CommenterAddress))}

    clock.set(shanghai(2023, 4, 20, 9, 0))
    ended = import_seed("003")
    later = import_seed("002", opens=shanghai(2023, 4, 20, 9, 0), deadline=shanghai(2024, 12, 31, 17, 0))
    for contact in ("Alice@Example.com", "bob@example.com", "carol@example.com", "dora@example.com"):
        submit_comment(ended, "意见。", "suggest", None, author_contact=contact)
    submit_comment(later, "仍在征求意见。", "suggest", None, author_contact="bob@example.com")
    db.session.add(Citizen(email="dora@example.com"))
    db.session.commit()
    route_new_comments()
    db.session.commit()
    db.session.execute(CommenterAddress.__table__.update().where(CommenterAddress.email == "carol@example.com")
                       .values(unsubscribed_at=shanghai(2023, 4, 21, 9, 0)))
    db.session.commit()
    assert addresses() == {"alice@example.com": False, "bob@example.com": False, "carol@example.com": True,
                           "dora@example.com": False}
    clock.set(shanghai(2023, 5, 13, 9, 0))
    app.test_cli_runner().invoke(args=["consultations", "close-due"])
    clock.set(shanghai(2024, 6, 1, 9, 0))
    assert "4 条意见的联系方式" in cli(app, "--days", "365")
    # alice's only contact is gone; bob's comment on the open consultation, dora's account still hold theirs
    assert addresses() == {"bob@example.com": False, "carol@example.com": True, "dora@example.com": False}
