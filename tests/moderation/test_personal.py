"""Finding and masking the personal information commenters write into their text (portal/moderation/personal.py)."""
import pytest

from portal.moderation.personal import has_personal, mask_personal, personal_spans


@pytest.mark.parametrize("text, masked", [
    ("我的电话13800138000，欢迎联系。", "我的电话138****8000，欢迎联系。"),
    ("手机 138 0013 8000", "手机 138 **** 8000"),
    ("电话：+86-139-1234-5678", "电话：+86-139-****-5678"),
    ("座机0523-86880000转12", "座机0523-8688****转12"),
    ("（0571）87654321", "（0571）8765****"),
    ("身份证号11010519491231002X。", "身份证号110105********002X。"),
    # a check digit mistyped: the writer calls it an identity card number, and 17 of its digits are right
    ("我是张三，身份证号340123195001011234，住银河小区", "我是张三，身份证号340123********1234，住银河小区"),
    ("身份证：110105194912310021", "身份证：110105********0021"),
    ("邮箱 zhang.san@example.cn 谢谢", "邮箱 z***@example.cn 谢谢"),
])
def test_personal_information_is_masked_keeping_enough_to_recognise_it(text, masked):
    assert mask_personal(text)[0] == masked
    assert has_personal(text)


@pytest.mark.parametrize("text", [
    "2025年建成康养联合体6家，2023年建设3家。",  # years and counts
    "全市户籍老年人约12345678人。",  # eight digits: a count, not a landline without its area code
    "补贴标准由每月200元提高到13800000元总额。",  # eight digits after a word
    "编号110105194912310021。",  # 18 digits whose check digit is wrong: not an identity card number
    "第138001380001号文件",  # 12 digits: no mobile number inside a longer number
    "请访问 www.example.gov.cn 了解。",
])
def test_years_amounts_counts_and_wrong_numbers_are_left_alone(text):
    assert personal_spans(text) == [] and mask_personal(text) == (text, [])


def test_every_piece_is_named_by_its_kind_in_order():
    text = "张三，13800138000，11010519491231002X，zs@example.cn，010-12345678"
    assert [kind for _start, _end, kind in personal_spans(text)] == ["mobile", "id_card", "email", "landline"]
    masked, pieces = mask_personal(text)
    assert pieces == [("mobile", "13800138000"), ("id_card", "11010519491231002X"), ("email", "zs@example.cn"),
                      ("landline", "010-12345678")]
    assert "13800138000" not in masked and "zs@" not in masked and "1234" not in masked.split("，")[-1][-4:]


@pytest.mark.parametrize("text", [
    "我的电话13800138000", "手机 138 0013 8000。", "（0571）87654321", "座机0523-86880000转12", "a@b.cn",
    "身份证11010519491231002X", "编号110105194912310021。", "身份证号码：110105194912310021", "2025年建成6家", "第138001380001号", "", "电话：",
    "共12345678人", "+86 139 1234 5678",
])
def test_the_quick_check_of_each_new_comment_agrees_with_the_full_search(text):
    assert has_personal(text) == bool(personal_spans(text))
