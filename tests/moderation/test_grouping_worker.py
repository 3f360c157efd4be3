"""Form letters are grouped after the commit (portal/moderation/grouping.py): by `flask moderation group`, by
two groupers at once without doing anything twice, and before the queue is shown where no worker runs."""
import threading

import sqlalchemy as sa

from portal.comments.models import Comment
from portal.consultations.models import Consultation
from portal.extensions import db
from portal.moderation.grouping import group_new_comments, ungrouped_count
from portal.moderation.models import CommentFingerprint, FormLetterBand
from tests.helpers import shanghai

LETTER = ("我们坚决支持在每个社区建设老年食堂，方便行动不便的老人就近吃上热饭热菜，"
          "希望政府把食堂建设纳入民生实事项目，并给予运营补贴，保证价格实惠、卫生安全。")
OTHER = "第十二条的护理补贴标准偏低，建议按失能等级分档，并每年根据物价调整一次，让家庭照护者得到实际帮助。"


def copies(n):
    return [f"{['张', '王', '李', '赵', '刘', '陈'][i % 6]}先生：{LETTER}" for i in range(n)]


def test_the_cli_groups_new_comments_once(app, add_comment):
    ids = [add_comment(text).id for text in copies(4) + [OTHER]]
    assert ungrouped_count() == 5
    result = app.test_cli_runner().invoke(args=["moderation", "group"])
    assert result.exit_code == 0 and "已比对 5 条新意见" in result.output
    db.session.expire_all()
    groups = dict(db.session.execute(sa.select(Comment.id, Comment.form_letter_id)).all())
    assert {groups[i] for i in ids[1:4]} == {ids[0]} and groups[ids[4]] is None
    assert ungrouped_count() == 0
    again = app.test_cli_runner().invoke(args=["moderation", "group"])
    assert "已比对 0 条新意见" in again.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CommentFingerprint)) == 5


def two_groupers_at_once(app, batch: int) -> tuple[list, list]:
    """Two grouping workers run at once, each in its own thread and session, in batches of ``batch``: the errors
    they raised and how many comments each grouped."""
    errors, done = [], []

    def grouper():
        try:
            with app.app_context():
                done.append(group_new_comments(batch=batch))
                db.session.remove()
        except Exception as error:  # noqa: BLE001 (reported by the caller)
            errors.append(error)

    threads = [threading.Thread(target=grouper) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors, done


def test_two_groupers_at_once_group_each_comment_once(app, add_comment):
    ids = [add_comment(text).id for text in copies(30)]
    errors, done = two_groupers_at_once(app, batch=7)
    assert errors == [] and sum(done) == 30
    db.session.expire_all()
    fingerprints = db.session.scalars(sa.select(CommentFingerprint.comment_id)).all()
    assert sorted(fingerprints) == sorted(ids)  # each comment's signature stored once
    keys = db.session.execute(sa.select(FormLetterBand.comment_id, sa.func.count()).group_by(FormLetterBand.comment_id)).all()
    assert {count for _id, count in keys} == {32}  # 32 band keys each, none twice
    groups = set(db.session.scalars(sa.select(Comment.form_letter_id).where(Comment.id != ids[0])))
    assert groups == {ids[0]}


def grouping(consultation_id):
    """The consultation's grouping count and its two tokens, as stored."""
    db.session.expire_all()
    columns = (Consultation.grouping_version, Consultation.content_token, Consultation.comments_token)
    return tuple(db.session.execute(sa.select(*columns).where(Consultation.id == consultation_id)).one())


def test_each_grouping_that_puts_comments_in_a_group_counts_one_up_on_their_consultation_only(
        app, add_comment, import_seed, open_003):
    """The feedback report's plan is kept under grouping_version: a batch that put comments in a group counts one up
    on their consultation (in its transaction), a batch that grouped none counts nothing, another consultation's count
    stays; neither token changes (the public pages do not show the grouping, migration 0063)."""
    other = import_seed("000", deadline=shanghai(2023, 5, 12, 23, 59))
    add_comment(copies(1)[0])
    add_comment(OTHER, consultation=other)
    before, other_before = grouping(open_003.id), grouping(other.id)
    assert before[0] == 0 and other_before[0] == 0
    assert group_new_comments() == 2  # the first copy and another letter: alone, no group
    assert grouping(open_003.id) == before and grouping(other.id) == other_before

    for text in copies(4)[1:]:
        add_comment(text)
    before = grouping(open_003.id)
    assert group_new_comments() == 3  # one batch: three copies join the first
    assert grouping(open_003.id) == (1, *before[1:]) and grouping(other.id) == other_before

    for text in copies(7)[4:]:
        add_comment(text)
    before = grouping(open_003.id)
    assert group_new_comments(batch=1) == 3  # three batches, each grouping one
    assert grouping(open_003.id) == (4, *before[1:])


def test_two_groupers_at_once_count_every_grouping(app, add_comment, open_003):
    """Each grouper adds to the count in the database (grouping_version + 1), not a value it read: two at once lose
    none. A batch of one comment a time: each copy after the first is a grouping of its own."""
    for text in copies(20):
        add_comment(text)
    errors, done = two_groupers_at_once(app, batch=1)
    assert errors == [] and sum(done) == 20
    assert grouping(open_003.id)[0] == 19


def test_the_queue_groups_what_no_worker_has_reached(client, moderator, add_comment):
    for text in copies(3):
        add_comment(text)
    assert ungrouped_count() == 3
    page = client.get("/moderation").get_data(as_text=True)
    assert "同文意见 3 条" in page and ungrouped_count() == 0
