"""A mentor's record becomes a de-identified draft case that passes the PII check once completed."""

from pathlib import Path

from hub import pii
from hub.cases import library
from hub.cases.deidentify import PSEUDONYM, draft_from_record

SCHEMA = Path(__file__).resolve().parents[2] / "casestudies" / "cases.schema.json"

RECORD = {
    "id": 42,
    "kind": "home_visit",
    "student_name": "王小明",
    "school": "华松中学",
    "stage": "初中",
    "domains": ["生活指导", "不存在的领域"],
    "background": "王小明在华松中学读初二，家住长宁路1234弄5号，2024年3月5日家访。",
    "summary": "小明说晚上玩游戏到很晚，同桌李思远也这样。母亲电话13812345678。",
    "agreed_actions": "十点后手机放客厅；班主任张建国老师每周跟进。",
}


def test_draft_replaces_identifiers_and_keeps_the_story():
    draft = draft_from_record(RECORD, roster_names=["王小明", "李思远"])
    case = draft.case
    joined = " ".join(str(value) for value in case.values())
    for secret in ("王小明", "小明", "华松中学", "长宁路", "13812345678", "李思远", "张建国", "2024年3月5日"):
        assert secret not in joined
    assert case["background"].startswith(PSEUDONYM)
    assert "【地址】" in case["background"] and "【日期】" in case["background"]
    assert "【电话】" in case["problem"] and "【姓名】" in case["problem"]
    assert "手机放客厅" in case["process"]
    assert case["domains"] == ["生活指导"] and case["tags"] == ["家访"]
    kinds = {finding.kind for finding in draft.replacements}
    assert {pii.SCHOOL, pii.ADDRESS, pii.EXACT_DATE, pii.PHONE, pii.PERSON_NAME} <= kinds


def test_completed_draft_is_a_valid_shareable_case():
    case = draft_from_record(RECORD, roster_names=["王小明", "李思远"]).case
    case["outcome"] = "一个月后作息明显改善，上午迟到的次数减少，课堂状态也好了很多。"
    case["reflection"] = "家庭规则需要和孩子一起商定，单纯没收容易激化矛盾。"
    case["questions"] = ["如何与家长商定手机规则？"]
    case["process"] += "导师组织三方谈话，请学生和父母一起商定周末的游戏时间。"
    parsed = library.parse_case(case, library.load_schema(SCHEMA))
    assert library.check_pii(parsed) == []


def test_empty_record_gives_prompts():
    case = draft_from_record({}).case
    assert case["background"] == case["outcome"] == "（请导师补充）"
    assert case["stage"] == "初中"
