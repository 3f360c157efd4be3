"""A commenter who writes a telephone or identity card number into the text: the comment waits for a moderator even
under post-moderation, who masks the numbers before it is shown (遮盖个人信息并通过), audited without the numbers."""
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.comments.models import Comment
from portal.extensions import db
from portal.moderation.services import set_moderation_mode
from tests.helpers import post_comment
from tests.moderation.conftest import act, queue_items

TEXT = "建议增加助餐点。我住在幸福小区，电话13800138000，身份证11010519491231002X，欢迎联系。"


def test_personal_information_holds_a_comment_back_and_is_masked_before_it_is_shown(client, open_003, moderator,
                                                                                      add_comment):
    set_moderation_mode("cli", open_003, "post")  # public at once, unless something needs a look
    db.session.commit()
    plain = add_comment("建议增加助餐点。")
    personal = add_comment(TEXT, author_name="王大爷")
    assert plain.status == "approved" and personal.status == "pending"
    assert personal.flag_list == ["personal"]

    page = client.get("/moderation").get_data(as_text=True)
    assert "含个人信息（电话、身份证号、邮箱）" in page
    assert '<mark class="personal">13800138000</mark>' in page
    assert '<mark class="personal">11010519491231002X</mark>' in page
    item = next(i for i in queue_items(page) if i.startswith(f"c-{personal.id}-"))
    assert f'value="mask:{item}"' in page

    response = act(client, [], row=f"mask:{item}")
    assert response.status_code == 303
    db.session.expire_all()
    masked = db.session.get(Comment, personal.id)
    assert masked.status == "approved" and masked.flag_list == []
    assert masked.body == "建议增加助餐点。我住在幸福小区，电话138****8000，身份证110105********002X，欢迎联系。"
    assert masked.author_contact == "13800138000"  # the office can still call back; never shown publicly
    public = client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    assert "138****8000" in public and "13800138000" not in public and "11010519491231002X" not in public

    (entry,) = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "mask")).all()
    assert entry.after["masked"] == ["mobile", "id_card"] and entry.after["status"] == "approved"
    assert "13800138000" not in str(entry.before) + str(entry.after) + str(entry.reason)
    assert "遮盖个人信息并通过 1 条意见" in client.get("/moderation?view=approved").get_data(as_text=True)


def test_a_citizens_own_contact_is_kept_and_nothing_else_is_touched(client, open_003, moderator, add_comment):
    comment = add_comment("我的邮箱 li.si@example.cn，请回复。", author_contact="13900001111")
    (item,) = queue_items(client.get("/moderation").get_data(as_text=True))
    act(client, [item], action="mask")
    db.session.expire_all()
    masked = db.session.get(Comment, comment.id)
    assert (masked.body, masked.author_contact) == ("我的邮箱 l***@example.cn，请回复。", "13900001111")


def test_the_flag_is_set_on_comments_sent_through_the_form(client, open_003):
    post_comment(client, open_003, f"/consultations/{open_003.id}", body="有事请打0523-86880000。")
    (comment,) = db.session.scalars(select(Comment)).all()
    assert "personal" in comment.flag_list


def test_a_number_typed_into_the_name_is_masked_too(client, open_003, moderator, add_comment):
    comment = add_comment("建议增加助餐点。", author_name="李阿姨13900001111")
    assert comment.flag_list == ["personal"]
    page = client.get("/moderation").get_data(as_text=True)
    assert '李阿姨<mark class="personal">13900001111</mark>' in page
    (item,) = queue_items(page)
    act(client, [], row=f"mask:{item}")
    db.session.expire_all()
    masked = db.session.get(Comment, comment.id)
    assert (masked.author_name, masked.body, masked.status) == ("李阿姨139****1111", "建议增加助餐点。", "approved")
    assert masked.author_contact == "13900001111"


def test_a_number_in_the_proposed_wording_holds_the_comment_and_is_masked_there_too(client, open_003, moderator,
                                                                                    add_comment):
    set_moderation_mode("cli", open_003, "post")
    db.session.commit()
    comment = add_comment("建议增加热线。", proposal="设立养老服务热线13800138000。")
    assert comment.status == "pending" and comment.flag_list == ["personal"]
    page = client.get("/moderation").get_data(as_text=True)
    (item,) = queue_items(page)
    assert f'value="mask:{item}"' in page  # offered for a number in the proposal alone
    assert '建议修改的文字中的个人信息：设立养老服务热线<mark class="personal">13800138000</mark>' in page  # and marked
    act(client, [], row=f"mask:{item}")
    db.session.expire_all()
    masked = db.session.get(Comment, comment.id)
    assert (masked.status, masked.proposal, masked.body) == ("approved", "设立养老服务热线138****8000。", "建议增加热线。")
    assert masked.author_contact == "13800138000"
    public = client.get(f"/consultations/{open_003.id}").get_data(as_text=True)
    assert "138****8000" in public and "13800138000" not in public


def test_a_number_typed_into_the_organisations_name_is_masked_too(client, open_003, moderator, add_comment):
    comment = add_comment("建议增加助餐点。", organisation="某某养老服务中心 电话13900001111")
    assert comment.flag_list == ["personal"] and comment.organisation_kind == "social"
    page = client.get("/moderation").get_data(as_text=True)
    assert '某某养老服务中心 电话<mark class="personal">13900001111</mark>（社会组织）' in page
    (item,) = queue_items(page)
    assert f'value="mask:{item}"' in page
    act(client, [], row=f"mask:{item}")
    db.session.expire_all()
    masked = db.session.get(Comment, comment.id)
    assert (masked.organisation, masked.status) == ("某某养老服务中心 电话139****1111", "approved")
    assert masked.author_contact == "13900001111"
