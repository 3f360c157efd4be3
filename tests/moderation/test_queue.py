"""The moderation queue through HTTP: listing, filters, each action alone, in bulk and on a group,
two moderators on one comment, the audit entries, and what the public then sees."""
import re

from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.extensions import db
from tests.moderation.conftest import act, queue_items

LETTER = "尊敬的领导：社区的老年食堂数量太少，建议增加投入。因为独居老人越来越多，希望延长服务时间，把助餐点办好。"


def status_of(comment) -> str:
    db.session.expire_all()
    return db.session.get(Comment, comment.id).status


def audit(action=None):
    query = select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return db.session.scalars(query).all()


def test_queue_lists_pending_comments_with_contact_details(client, open_003, moderator, add_comment):
    section = open_003.current_draft.sections[2]
    add_comment("请增加社区食堂。", section=section, author_name="王大爷", author_contact="13800138000")
    add_comment("整体赞成。", stance="support")
    page = client.get("/moderation").get_data(as_text=True)
    assert "请增加社区食堂。" in page and "整体赞成。" in page
    assert "13800138000" in page and "王大爷" in page and section.title in page
    assert len(queue_items(page)) == 2
    assert page.index("整体赞成。") < page.index("请增加社区食堂。")  # newest first
    oldest = client.get("/moderation?order=oldest").get_data(as_text=True)
    assert oldest.index("请增加社区食堂。") < oldest.index("整体赞成。")


def test_filters_by_consultation_section_stance_flag_and_text(client, open_003, moderator, add_comment, import_seed):
    other = import_seed("001", deadline=open_003.deadline)
    section = open_003.current_draft.sections[1]
    add_comment("关于食堂的意见。", section=section)
    add_comment("反对收费。", stance="oppose")
    add_comment("看看 https://spam.example.com 吧")
    add_comment("另一个征求意见的意见。", consultation=other)

    def shown(query):
        page = client.get(f"/moderation?{query}").get_data(as_text=True)
        return {text for text in ("关于食堂的意见。", "反对收费。", "spam.example.com", "另一个征求意见的意见。") if text in page}

    assert shown(f"consultation={other.id}") == {"另一个征求意见的意见。"}
    assert shown(f"consultation={open_003.id}&section={section.id}") == {"关于食堂的意见。"}
    assert shown(f"consultation={open_003.id}&section=whole") == {"反对收费。", "spam.example.com"}
    everything = {"关于食堂的意见。", "反对收费。", "spam.example.com", "另一个征求意见的意见。"}
    for unknown in ("²", "2147483648", str(2**63), "-1"):  # no section filter, never a server error
        assert shown(f"section={unknown}") == everything
    assert shown("stance=oppose") == {"反对收费。"}
    assert shown("flag=link") == {"spam.example.com"}
    assert shown("q=食堂") == {"关于食堂的意见。"}


def test_the_consultation_filter_says_how_many_comments_wait_in_each(client, open_003, moderator, add_comment,
                                                                     import_seed):
    other = import_seed("001", deadline=open_003.deadline)
    quiet = import_seed("002", deadline=open_003.deadline)
    first, _second, _third = (add_comment(f"意见{n}。") for n in range(3))
    add_comment("另一个征求意见的意见。", consultation=other)

    def options():
        page = client.get("/moderation").get_data(as_text=True)
        found = dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', page))
        return {int(k): v for k, v in found.items() if int(k) in (open_003.id, other.id, quiet.id)}

    shown = options()
    assert shown[open_003.id].endswith("（3 条待审核）") and shown[other.id].endswith("（1 条待审核）")
    assert "待审核" not in shown[quiet.id]
    assert all(f" #{cid}" in shown[cid] for cid in shown)  # two rounds of one draft keep its title: the number tells
    act(client, [f"c-{first.id}-{first.moderation_version}"], action="approve")
    assert options()[open_003.id].endswith("（2 条待审核）")  # what was handled no longer counts


def test_queue_is_paginated(app, client, open_003, moderator, add_comment):
    app.config["MODERATION_PAGE_SIZE"] = 2
    for n in range(5):
        add_comment(f"第{n}条意见。")
    first = client.get("/moderation").get_data(as_text=True)
    assert len(queue_items(first)) == 2 and "第 1 页，共 3 页" in first
    last = client.get("/moderation?page=3").get_data(as_text=True)
    assert len(queue_items(last)) == 1 and "第0条意见。" in last


def test_approve_one_comment_publishes_it_and_is_audited(client, open_003, moderator, add_comment):
    comment = add_comment("请增加社区食堂。")
    (item,) = queue_items(client.get("/moderation").get_data(as_text=True))
    response = act(client, [], row=f"approve:{item}")
    assert response.status_code == 303
    assert status_of(comment) == "approved"
    assert "已通过 1 条意见" in client.get("/moderation").get_data(as_text=True)
    assert "请增加社区食堂。" in client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    (entry,) = audit("approve")
    assert (entry.actor_id, entry.target_type, entry.target_id, entry.consultation_id) == (
        moderator.id, "comment", comment.id, open_003.id)
    assert entry.before["status"] == "pending" and entry.after["status"] == "approved"
    assert entry.at is not None


def test_hide_needs_a_reason_then_records_it(client, open_003, moderator, add_comment):
    comment = add_comment("你们都是骗子！")
    (item,) = queue_items(client.get("/moderation").get_data(as_text=True))
    refused = act(client, [item], action="hide")
    assert refused.status_code == 422 and "请选择隐藏理由" in refused.get_data(as_text=True)
    assert status_of(comment) == "pending" and audit() == []
    other_without_note = act(client, [item], action="hide", reason="other")
    assert other_without_note.status_code == 422 and status_of(comment) == "pending"
    act(client, [item], action="hide", reason="abuse", note="人身攻击")
    assert status_of(comment) == "hidden"
    (entry,) = audit("hide")
    assert entry.after["hidden_reason"] == "abuse" and entry.reason == "含有辱骂或人身攻击内容；人身攻击"


def test_spam_then_restore(client, open_003, moderator, add_comment):
    comment = add_comment("加微信加微信加微信加微信 领红包")
    (item,) = queue_items(client.get("/moderation").get_data(as_text=True))
    act(client, [item], action="spam")
    assert status_of(comment) == "spam"
    assert queue_items(client.get("/moderation").get_data(as_text=True)) == []
    (spam_item,) = queue_items(client.get("/moderation?view=spam").get_data(as_text=True))
    act(client, [spam_item], action="restore", query="view=spam")
    assert status_of(comment) == "approved"
    assert [e.action for e in audit()] == ["spam", "restore"]
    assert audit("restore")[0].before["status"] == "spam"


def test_bulk_approve(client, open_003, moderator, add_comment):
    texts = ["社区食堂太少，建议增加。", "停车位不够用，希望规划。", "养老补贴标准偏低，请提高。"]
    comments = [add_comment(text) for text in texts]
    items = queue_items(client.get("/moderation").get_data(as_text=True))
    act(client, items[:2], action="approve")
    assert sorted(status_of(c) for c in comments) == ["approved", "approved", "pending"]
    assert len(audit("approve")) == 2


def test_the_ticked_comments_are_changed_in_the_order_of_their_ids_whatever_the_pages(client, open_003, moderator,
                                                                                      add_comment):
    """Each change locks its row until the commit: two moderators taking the same rows in opposite orders (one page
    newest first, the other oldest first) deadlocked on PostgreSQL, and one got a server error."""
    comments = [add_comment(text) for text in ("第一条意见。", "第二条意见。", "第三条意见。")]
    items = queue_items(client.get("/moderation").get_data(as_text=True))  # newest first
    assert act(client, items, action="approve").status_code in (302, 303)
    assert [entry.target_id for entry in audit("approve")] == sorted(c.id for c in comments)


def test_form_letters_are_one_row_and_a_group_action_covers_them_all(client, open_003, moderator, add_comment):
    copies = [
        add_comment(LETTER),
        add_comment("您好！" + LETTER.replace("建议", "希望") + "谢谢！"),
        add_comment(LETTER.replace("尊敬的领导：", "") + "王先生"),
    ]
    single = add_comment("小区的电梯加装申请手续复杂，恳请简化申请流程，很多老人不会用手机。")
    page = client.get("/moderation").get_data(as_text=True)
    items = queue_items(page)
    assert len(items) == 2 and "同文意见 3 条" in page
    group_item = next(i for i in items if i.startswith("g-"))
    act(client, [], row=f"hide:{group_item}", reason="duplicate")
    assert [status_of(c) for c in copies] == ["hidden"] * 3 and status_of(single) == "pending"
    entries = audit("hide")
    assert sorted(e.target_id for e in entries) == sorted(c.id for c in copies)
    assert all(e.after["form_letter"] == copies[0].id for e in entries)


def test_approving_a_form_letter_leaves_the_copies_holding_a_number_for_review(client, open_003, moderator,
                                                                               add_comment):
    """The group's row shows its first copy: a number in another copy was published in full with the rest."""
    plain = [add_comment(LETTER), add_comment("您好！" + LETTER + "谢谢！")]
    phoned = add_comment(LETTER + "联系我：13912345678")
    (group_item,) = [i for i in queue_items(client.get("/moderation").get_data(as_text=True)) if i.startswith("g-")]
    response = act(client, [], row=f"approve:{group_item}")
    flashed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 份同文意见含有电话、身份证号或邮箱，没有一起通过" in flashed
    assert [status_of(c) for c in plain] == ["approved", "approved"] and status_of(phoned) == "pending"
    assert "13912345678" not in client.get(f"/consultations/{open_003.id}").get_data(as_text=True)


def test_restoring_a_comment_holding_a_number_puts_it_back_in_the_queue(client, open_003, moderator, add_comment):
    comment = add_comment("家里电话13600001111，欢迎来电。")
    (item,) = queue_items(client.get("/moderation").get_data(as_text=True))
    act(client, [item], action="spam")
    (spam_item,) = queue_items(client.get("/moderation?view=spam").get_data(as_text=True))
    act(client, [spam_item], action="restore", query="view=spam")
    assert status_of(comment) == "pending"  # not public with the number in full: masked (or approved) from the queue
    assert "13600001111" not in client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    assert audit("restore")[0].after["status"] == "pending"


def test_a_copy_arriving_after_the_page_was_shown_is_left_for_review(client, open_003, moderator, add_comment):
    add_comment(LETTER)
    add_comment("您好！" + LETTER)
    (item,) = queue_items(client.get("/moderation").get_data(as_text=True))
    late = add_comment(LETTER + "此致敬礼！")
    act(client, [item], action="approve")
    assert status_of(late) == "pending"
    assert queue_items(client.get("/moderation").get_data(as_text=True)) == [f"c-{late.id}-0"]  # a plain row now


def test_second_moderator_sees_the_comment_was_already_handled(client, open_003, make_user, login, add_comment):
    comment = add_comment("请增加社区食堂。")
    make_user("moderator", email="a@example.gov.cn")
    make_user("moderator", email="b@example.gov.cn")
    login("a@example.gov.cn")
    (seen_by_a,) = queue_items(client.get("/moderation").get_data(as_text=True))
    login("b@example.gov.cn")
    (seen_by_b,) = queue_items(client.get("/moderation").get_data(as_text=True))
    assert seen_by_a == seen_by_b
    act(client, [seen_by_b], action="approve")  # B first
    login("a@example.gov.cn")
    response = act(client, [seen_by_a], action="hide", reason="abuse")  # A acts on what A saw
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 条意见已由其他审核员处理" in page
    assert status_of(comment) == "approved"
    assert [(e.action, e.actor.email) for e in audit()] == [("approve", "b@example.gov.cn")]


def test_second_moderator_on_a_group(client, open_003, moderator, add_comment):
    add_comment(LETTER)
    add_comment("您好！" + LETTER)
    (item,) = queue_items(client.get("/moderation").get_data(as_text=True))
    act(client, [item], action="approve")
    response = act(client, [item], action="spam")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 条意见已由其他审核员处理" in page
    assert [e.action for e in audit()] == ["approve", "approve"]


def test_version_check_is_an_atomic_conditional_update(app, open_003, add_comment, make_user):
    """Two sessions read the same version; only the first write counts."""
    from portal.moderation.services import CommentSelection, moderate

    comment = add_comment("请增加社区食堂。")
    user = make_user("moderator")
    selection = CommentSelection(comment.id, comment.moderation_version)
    assert moderate(user, "approve", [selection], "queue").done == 1
    db.session.commit()
    outcome = moderate(user, "spam", [selection], "queue")
    assert (outcome.done, outcome.stale) == (0, 1)


def test_hidden_reply_keeps_the_thread_whole(client, open_003, moderator, add_comment):
    parent = add_comment("第一条意见。")
    for item in queue_items(client.get("/moderation").get_data(as_text=True)):
        act(client, [item], action="approve")
    db.session.expire_all()
    reply = add_comment("楼上说得不对，你是个骗子。", parent=db.session.get(Comment, parent.id))
    (item,) = queue_items(client.get("/moderation").get_data(as_text=True))
    act(client, [item], action="approve")
    db.session.expire_all()
    add_comment("同意第一条。", parent=db.session.get(Comment, reply.id))
    (item,) = queue_items(client.get("/moderation").get_data(as_text=True))
    act(client, [item], action="approve")
    # now hide the middle one: its child stays, under a notice
    (item,) = [i for i in queue_items(client.get("/moderation?view=approved").get_data(as_text=True))
               if i.startswith(f"c-{reply.id}-")]
    act(client, [item], action="hide", reason="abuse", query="view=approved")
    page = client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    assert "你是个骗子" not in page
    assert "该意见因含有辱骂或人身攻击内容未予公开。" in page
    assert page.index("第一条意见。") < page.index("未予公开") < page.index("同意第一条。")
    # a hidden comment without public replies simply disappears
    db.session.expire_all()
    top = add_comment("没有回复的意见。")
    (item,) = [i for i in queue_items(client.get("/moderation").get_data(as_text=True)) if i.startswith(f"c-{top.id}-")]
    act(client, [item], action="hide", reason="off_topic")
    page = client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    assert "没有回复的意见" not in page and page.count("未予公开") == 1


def test_hidden_top_level_comment_with_replies_stays_as_a_notice(client, open_003, moderator, add_comment):
    parent = add_comment("顶层意见，含他人电话13900000000。")
    act(client, queue_items(client.get("/moderation").get_data(as_text=True)), action="approve")
    db.session.expire_all()
    add_comment("回复顶层。", parent=db.session.get(Comment, parent.id))
    act(client, queue_items(client.get("/moderation").get_data(as_text=True)), action="approve")
    (item,) = [i for i in queue_items(client.get("/moderation?view=approved").get_data(as_text=True))
               if i.startswith(f"c-{parent.id}-")]
    act(client, [item], action="hide", reason="privacy", query="view=approved")
    page = client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    assert "13900000000" not in page and "该意见因含有他人个人信息未予公开。" in page and "回复顶层。" in page


def test_cli_approve_still_works_and_bumps_the_version(app, open_003, add_comment):
    comment = add_comment("命令行通过。")
    result = app.test_cli_runner().invoke(args=["comments", "approve", comment.receipt_number])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    stored = db.session.get(Comment, comment.id)
    assert (stored.status, stored.moderation_version) == ("approved", 1)
    assert audit("approve")[0].actor_label == "cli"


def test_cli_approve_masks_personal_information_before_it_is_shown(app, client, open_003, add_comment):
    """The command publishes without a moderator's eyes: a number in the text or the name is masked first, as
    遮盖个人信息并通过 does (it was published in full: pages, API, search)."""
    phoned = add_comment("我家电话13812345678，请联系。", author_name="李13900139000")
    add_comment("没有号码的意见。")
    result = app.test_cli_runner().invoke(args=["comments", "approve", "--all-pending"])
    assert result.exit_code == 0, result.output
    assert "已审核通过 2 条意见（其中 1 条遮盖了个人信息）。" in result.output
    db.session.expire_all()
    stored = db.session.get(Comment, phoned.id)
    assert stored.status == "approved" and stored.body == "我家电话138****5678，请联系。"
    assert "13812345678" not in stored.author_name and "personal" not in stored.flag_list
    assert stored.author_contact == "13812345678"  # kept for the office, never shown
    page = client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    assert "138****5678" in page and "13812345678" not in page and "没有号码的意见。" in page
    assert [entry.action for entry in audit("mask")] == ["mask"] and len(audit("approve")) == 1


def test_mask_published_masks_numbers_already_shown(app, client, open_003, add_comment):
    """An installation upgraded from before `comments approve` masked: comments it published in full (approved with
    the number and the flag still in them, as it left them) are masked by `comments mask-published`, after a dry run
    that changes nothing; comments without a number stay as they are."""
    from sqlalchemy import update

    phoned = add_comment("我家电话13812345678，请联系。", author_name="李13900139000")
    plain = add_comment("没有号码的意见。")
    db.session.execute(update(Comment).where(Comment.id.in_([phoned.id, plain.id])).values(status="approved"))
    db.session.commit()
    page = client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    assert "13812345678" in page  # as the old command left it
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["comments", "mask-published", "--dry-run"])
    assert listed.exit_code == 0 and phoned.receipt_number in listed.output and plain.receipt_number not in listed.output
    assert "共 1 条公开的意见含有个人信息" in listed.output
    db.session.expire_all()
    assert db.session.get(Comment, phoned.id).body == "我家电话13812345678，请联系。"
    result = runner.invoke(args=["comments", "mask-published"])
    assert result.exit_code == 0 and "已遮盖 1 条公开意见中的个人信息。" in result.output, result.output
    db.session.expire_all()
    stored = db.session.get(Comment, phoned.id)
    assert stored.status == "approved" and stored.body == "我家电话138****5678，请联系。"
    assert "13900139000" not in stored.author_name and "personal" not in stored.flag_list
    assert db.session.get(Comment, plain.id).body == "没有号码的意见。"
    page = client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    assert "138****5678" in page and "13812345678" not in page and "13900139000" not in page
    assert [entry.actor_label for entry in audit("mask")] == ["cli"]
    assert "已遮盖 0 条" in runner.invoke(args=["comments", "mask-published"]).output  # nothing left


def test_contact_details_never_reach_the_public_thread(client, open_003, moderator, add_comment):
    add_comment("公开的意见。", author_contact="someone@example.com")
    act(client, queue_items(client.get("/moderation").get_data(as_text=True)), action="approve")
    client.post("/logout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"',
                client.get("/consultations/").get_data(as_text=True)).group(1)})
    page = client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    assert "公开的意见。" in page and "someone@example.com" not in page


def test_search_follows_the_moderators_decisions(app, client, open_003, moderator, add_comment):
    """A pending comment is not searchable and has no search work; the moderator's approval queues it and the
    worker then indexes it; hiding it takes it out of the index again."""
    from portal.search.backend import get_backend
    from portal.search.analysis import parse_query
    from portal.search.models import SearchQueueItem

    def queued(comment) -> int:
        return db.session.scalar(select(func.count()).select_from(SearchQueueItem)
                                 .where(SearchQueueItem.kind == "comment", SearchQueueItem.target_id == comment.id))

    def indexed() -> list[int]:
        assert app.test_cli_runner().invoke(args=["search", "work"]).exit_code == 0
        hits = get_backend().search(parse_query("夜间托管"), [open_003.id], ("comment",), 20, 0).hits
        return [hit.target_id for hit in hits]

    comment = add_comment("建议增设夜间托管服务。")
    assert queued(comment) == 0 and indexed() == []
    (item,) = queue_items(client.get("/moderation").get_data(as_text=True))
    assert act(client, [], row=f"approve:{item}").status_code == 303
    assert queued(comment) == 1
    assert indexed() == [comment.id]
    (item,) = queue_items(client.get("/moderation?view=approved").get_data(as_text=True))
    assert act(client, [], row=f"hide:{item}", reason="off_topic").status_code == 303
    assert status_of(comment) == "hidden"
    assert indexed() == []


def test_a_comment_marked_spam_before_its_mails_are_planned_is_mailed_to_nobody_until_restored(
        client, open_003, moderator, add_comment):
    from portal.mail.models import OutboxMessage
    from tests.helpers import route_new_comments

    section = next(s for s in open_003.current_draft.sections if s.responsible_units)
    comment = add_comment("买药请加微信。", section=section, author_contact="spammer@example.com")
    (item,) = queue_items(client.get("/moderation").get_data(as_text=True))
    act(client, [item], action="spam")
    assert route_new_comments() == 1  # taken from the queue, and skipped
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0  # not even a confirmation

    (item,) = queue_items(client.get("/moderation?view=spam").get_data(as_text=True))
    act(client, [item], action="restore", query="view=spam")
    route_new_comments()
    mails = db.session.scalars(select(OutboxMessage.dedup_key)).all()
    assert any(key.startswith(f"comment:{comment.id}:") for key in mails), mails
