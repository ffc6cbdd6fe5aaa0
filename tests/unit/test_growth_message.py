"""The 成长寄语 helper on a table of good and bad texts: it advises, and blocks only personal data."""

import pytest

from widgets.growth_message_model import LENGTH_RANGE, check_growth_message, count_chars

STUDENT = "林小雨"
OTHERS = ("陈一鸣", "王浩然")

GOOD = (
    "小雨，记得那次运动会你主动帮同学搬器材、递水，我看到了你的热心和担当。这学期你在课堂上也更敢举手了，"
    "每次发言都准备得很认真。希望你下学期把这份勇气带到英语口语里，相信你会越来越自信，老师一直为你加油！"
    "也愿你继续保持好奇心，多问一个为什么，多读一本喜欢的书，把每天的小进步都记在心里。"
)

TABLE = [
    # (case, text, strength, rank words, label words, blocking)
    ("good", GOOD, True, (), (), False),
    ("short and generic", "希望你继续努力，加油。", False, (), (), False),
    ("rank", "那次比赛你很坚持，这学期排名进步了，从倒数第五到全班第十。", True, ("排名", "倒数", "全班第"), (), False),
    ("comparison", "你要多向别人学习，你比不上陈同学细心，别人家的孩子都很自律。", False, ("比不上", "别人家的孩子"),
     (), False),
    ("label", "虽然大家说你是问题学生，其实你很善良，那天你主动扶起了摔倒的同学。", True, (), ("问题学生",), False),
    ("label and rank", "作为后进生，你的名次还要提高。", False, ("名次",), ("后进生",), False),
    ("phone", "小雨，有事可以让妈妈打13812345678联系我。你值日时很负责，记得那次把教室打扫得很干净。", True, (), (), True),
    ("id card", "小雨（身份证 310101201203150013）这学期很努力。", False, (), (), True),
    ("other student", "记得那次你和王浩然一起做实验，你很细心，希望你继续保持。", True, (), (), True),
    ("address", "那天我去你家幸福路12号家访，看到你认真整理书桌，希望你坚持。", True, (), (), True),
]  # fmt: skip


@pytest.mark.parametrize(("case", "text", "strength", "rank", "labels", "blocking"), TABLE, ids=[c[0] for c in TABLE])
def test_growth_message_checks(case, text, strength, rank, labels, blocking):
    check = check_growth_message(text, student_name=STUDENT, other_names=OTHERS)
    assert check.names_strength is strength
    assert check.rank_words == rank
    assert check.label_words == labels
    assert check.blocking is blocking
    levels = [level for level, _ in check.advice()]
    assert ("block" in levels) is blocking
    if rank or labels:
        assert "advice" in levels


def test_an_id_card_number_is_named_as_such():
    check = check_growth_message("小雨（身份证 310101201203150013）这学期很努力。", STUDENT, OTHERS)
    assert check.pii == ("身份证号“310101201203150013”",)


def test_the_students_own_name_is_not_personal_data():
    check = check_growth_message("林小雨，记得那次你主动帮助同学，小雨真棒！希望你继续。", STUDENT, OTHERS)
    assert check.pii == ()
    assert not check.blocking


def test_length_is_counted_without_white_space_and_judged_against_the_window():
    assert count_chars("你 好\n呀") == 3
    good = check_growth_message(GOOD, STUDENT, OTHERS)
    assert LENGTH_RANGE[0] <= good.length <= LENGTH_RANGE[1]
    assert good.length_ok and good.expectation
    short = check_growth_message("加油！", STUDENT)
    assert not short.length_ok
    assert short.advice()[0][0] == "advice"


def test_the_good_text_gets_no_warnings():
    levels = {level for level, _ in check_growth_message(GOOD, STUDENT, OTHERS).advice()}
    assert levels == {"ok"}
