"""Unit tests of hub.pii: each kind on its own, the check digit, redaction and pseudonyms."""

import pytest

from hub import pii


def kinds_and_texts(text, **kwargs):
    return [(f.kind, f.text) for f in pii.find_pii(text, **kwargs)]


def test_id_card_needs_a_valid_check_character():
    assert pii.id_card_checksum_ok("31011820120721881X")
    assert pii.id_card_checksum_ok("310101201303136665")
    assert not pii.id_card_checksum_ok("310101201303136664")
    assert kinds_and_texts("证件310101201303136665。") == [(pii.ID_CARD, "310101201303136665")]
    # A wrong check digit is not an ID card, but the long number is still caught as an identifier.
    assert kinds_and_texts("证件310101201303136664。") == [(pii.STUDENT_NUMBER, "310101201303136664")]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("手机13812345678。", "13812345678"),
        ("手机138-1234-5678。", "138-1234-5678"),
        ("电话+86 137 2233 4455", "+86 137 2233 4455"),
        ("座机021-64123456。", "021-64123456"),
        ("电话(021)62345678", "(021)62345678"),
        ("电话：64123456", "64123456"),
    ],
)
def test_phone_formats(text, expected):
    assert kinds_and_texts(text) == [(pii.PHONE, expected)]


def test_mobile_prefix_must_be_13_to_19():
    assert kinds_and_texts("编码 12812345678 不是手机") != [(pii.PHONE, "12812345678")]


@pytest.mark.parametrize("text", ["2024年3月5日", "2024-03-05", "2024/3/5", "3月5日", "十一月五日", "12月20号"])
def test_exact_dates(text):
    assert kinds_and_texts(f"在{text}家访") == [(pii.EXACT_DATE, text)]


def test_month_or_year_alone_is_not_an_exact_date():
    assert pii.find_pii("2024年3月，学生进入初二下学期。") == []


def test_roster_names_and_given_names():
    found = kinds_and_texts("王小明今天来了，小明说想换座位。", names=["王小明"])
    assert found == [(pii.PERSON_NAME, "王小明"), (pii.PERSON_NAME, "小明")]


def test_pseudonyms_and_titles_are_not_names():
    assert pii.find_pii("张某的妈妈和王老师谈话，学生小A表示同意。") == []


def test_schools_from_patterns_and_list():
    found = kinds_and_texts("他从七宝二中转到东湖实验学校，又去了华松中学。", schools=["华松中学"])
    assert found == [
        (pii.SCHOOL, "七宝二中"),
        (pii.SCHOOL, "东湖实验学校"),
        (pii.SCHOOL, "华松中学"),
    ]


def test_generic_school_words_are_not_schools():
    assert pii.find_pii("这所学校的初中学生很多，小学阶段成绩不错，全区中小学都参加。") == []


def test_addresses_trim_the_lead_words():
    assert kinds_and_texts("家住在和平路5号。") == [(pii.ADDRESS, "和平路5号")]
    assert kinds_and_texts("住在金桥小区3号楼502室。") == [(pii.ADDRESS, "金桥小区3号楼502室")]


def test_findings_do_not_overlap_and_are_sorted():
    text = "学生王小明，学号20230512，2024年3月5日家访，电话13812345678。"
    findings = pii.find_pii(text, names=["王小明"])
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    for left, right in zip(findings, findings[1:], strict=False):
        assert left.end <= right.start
    assert all(text[f.start : f.end] == f.text for f in findings)


def test_redact_replaces_every_span_with_its_placeholder():
    text = "学生王小明的妈妈电话13812345678，3月5日家访。"
    redacted = pii.redact(text, pii.find_pii(text, names=["王小明"]))
    assert redacted == "学生【姓名】的妈妈电话【电话】，【日期】家访。"
    assert pii.find_pii(redacted) == []


def test_redact_merges_overlapping_findings():
    findings = [pii.PiiFinding(pii.PERSON_NAME, 0, 3, "王小明"), pii.PiiFinding(pii.PERSON_NAME, 1, 3, "小明")]
    assert pii.redact("王小明来了", findings) == "【姓名】来了"


def test_summarize_counts_kinds_in_chinese():
    text = "王小明，电话13812345678，李思远。"
    summary = pii.summarize(pii.find_pii(text, names=["王小明", "李思远"]))
    assert summary == "发现可识别个人身份的信息：电话号码 1 处、姓名 2 处"
    assert pii.summarize([]) == "未发现可识别个人身份的信息"


def test_non_text_is_refused():
    with pytest.raises(TypeError):
        pii.find_pii(None)


def test_finding_is_frozen():
    finding = pii.PiiFinding(pii.PHONE, 0, 11, "13812345678")
    with pytest.raises(AttributeError):
        finding.kind = pii.ID_CARD
    assert finding.to_dict() == {"kind": "phone", "start": 0, "end": 11, "text": "13812345678"}
