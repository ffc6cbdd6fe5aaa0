"""The matching panel, driven headless: set .value on uploads and inputs, click buttons."""

from __future__ import annotations

import base64
import datetime
import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from hub.matching import AdjustmentRefused, MatchingError
from widgets.matching_model import MatchingModel
from widgets.matching_panel import MatchingPanel

STUDENTS = (
    "student_id,class_id,needs_mentors,prefs\n"
    "s1,c1,,T1;T2\n"
    "s2,c1,,T1\n"
    "s3,c2,2,T2\n"
    "s4,c2,,T3\n"
    "<b>s5</b>,c2,,\n"
)
MENTORS = (
    "mentor_id,roles,capacity,classes,prefs\n"
    "T1,subject,1,c1,s2\n"
    "T2,head_teacher,,c2,\n"
    "T3,psychology,2,c1,\n"
)


def upload(name: str, content: bytes):
    return (
        {
            "name": name,
            "type": "text/csv",
            "size": len(content),
            "content": memoryview(content),
            "last_modified": datetime.datetime(2026, 9, 1),
        },
    )


def cells(html_table: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", html_table)
    return [re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row) for row in rows]


@pytest.fixture
def panel() -> MatchingPanel:
    panel = MatchingPanel()
    panel.upload_students.value = upload("students.csv", STUDENTS.encode())
    panel.upload_mentors.value = upload("mentors.csv", MENTORS.encode())
    return panel


def test_summary_run_and_results(panel):
    assert "学生 5 名" in panel.summary.value and "导师 3 位" in panel.summary.value
    assert "多位导师的 1 名" in panel.summary.value
    assert not panel.run_button.disabled
    panel.run_button.click()
    assert "匹配完成" in panel.message.value and "核验通过" in panel.message.value
    table = cells(panel.results.value)
    assert table[0] == ["学生编号", "姓名", "班级", "主导师", "志愿", "其他导师（多对一）"]
    by_student = {row[0]: row for row in table[1:]}
    assert by_student["s2"][3:5] == ["T1", "第1志愿"]
    assert by_student["s1"][3:5] == ["T2", "第2志愿"]
    assert by_student["s3"][4:] == ["志愿外", "T2"]
    # Listed by class, then student_id; nothing score-like.
    order = [(row[2], row[0]) for row in table[1:]]
    assert order == sorted(order)
    # Data from the tables is escaped.
    assert "&lt;b&gt;s5&lt;/b&gt;" in panel.results.value and "<b>s5" not in panel.results.value
    loads = {row[0]: row for row in cells(panel.loads.value)[1:]}
    assert loads["T1"] == ["T1", "", "学科教师", "1", "1"]

    panel.class_filter.value = "c1"
    assert {row[2] for row in cells(panel.results.value)[1:]} == {"c1"}


def test_bad_table_is_reported_with_file_row_and_column():
    panel = MatchingPanel()
    panel.upload_students.value = upload("students.csv", STUDENTS.replace("s2,c1,,T1", "s2,c1,,T9").encode())
    panel.upload_mentors.value = upload("mentors.csv", MENTORS.encode())
    assert "students.csv" in panel.message.value and "第 3 行" in panel.message.value
    assert "T9" in panel.message.value
    assert panel.run_button.disabled

    panel.upload_mentors.value = upload("mentors.csv", MENTORS.replace("T3,psychology,2", "T3,psychology,x").encode())
    assert "mentors.csv" in panel.message.value and "“capacity”列（容量）" in panel.message.value


def test_refused_reassignment_explains_and_changes_nothing(panel):
    panel.run_button.click()
    before = panel.model.assignment
    panel.student.value = "s4"
    panel.new_mentor.value = "T1"  # T1 is full (capacity 1)
    panel.reassign_button.click()
    assert "调整未执行" in panel.message.value and "超过其容量 1" in panel.message.value
    assert panel.model.assignment is before

    panel.student.value = "nobody"
    panel.reassign_button.click()
    assert "学生编号“nobody”不存在" in panel.message.value


def test_accepted_reassignment_and_swap_update_the_table(panel):
    panel.run_button.click()
    panel.student.value = "s4"
    panel.new_mentor.value = "T2"
    panel.reassign_button.click()
    assert "已调整" in panel.message.value and "“T3”改为“T2”" in panel.message.value
    # s4 listed T3 and T3 still has room: the edit creates a blocking pair, and the panel says so.
    assert "不再稳定" in panel.message.value
    rows = {row[0]: row for row in cells(panel.results.value)[1:]}
    assert rows["s4"][3:5] == ["T2", "志愿外"]

    panel.swap_first.value = "s1"
    panel.swap_second.value = "s2"
    panel.swap_button.click()
    assert "互换" in panel.message.value
    rows = {row[0]: row for row in cells(panel.results.value)[1:]}
    assert rows["s1"][3:5] == ["T1", "第1志愿"] and rows["s2"][3:5] == ["T2", "志愿外"]


def test_model_refuses_priority_role_loss():
    students = "student_id,class_id,needs_mentors,prefs\nx,c1,2,\n"
    mentors = "mentor_id,roles,capacity,classes,prefs\nH,head_teacher,,c1,\nA,subject,,,\nB,subject,,,\n"
    model = MatchingModel()
    model.load_students("s.csv", students.encode())
    model.load_mentors("m.csv", mentors.encode())
    model.run()
    x = model.instance.student_index["x"]
    assert model.instance.mentor_ids[model.assignment.additional[x][0]] == "H"
    with pytest.raises(AdjustmentRefused, match="班主任"):
        model.reassign("x", "B", "H")
    with pytest.raises(AdjustmentRefused, match="不存在"):
        model.reassign("nobody", "B")


def test_results_are_a_download_never_a_file_in_a_folder(panel, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    panel.result_button.click()
    assert "请先完成匹配" in panel.message.value
    panel.run_button.click()
    panel.result_button.click()
    link = panel.result_link.value
    assert 'download="结对结果-' in link and "data:application/vnd.openxmlformats" in link
    book = load_workbook(io.BytesIO(base64.b64decode(link.split("base64,")[1].split('"')[0])))
    rows = list(book["结对结果"].values)
    assert rows[0] == ("学生编号", "学生姓名", "班级", "导师编号", "导师姓名", "类型", "志愿", "结对方式")
    assert sum(r[5] == "主导师" for r in rows[1:]) == 5 and len(rows) == 7
    assert list(tmp_path.iterdir()) == []  # nothing written where other users' servers could read it
    panel.preview_button.click()
    assert "没有连接" in panel.message.value


class RecordsClientStandIn:
    """Stands in for widgets.client.RecordsClient (an HTTP client to the records service)."""

    def __init__(self):
        self.saved = []

    def students(self):
        return [
            {"student_id": "s1", "class_id": "c1", "needs_mentors": None, "prefs": ["T1"], "display_name": "王一"},
            {"student_id": "s2", "class_id": "c1", "needs_mentors": 1, "preferred_mentor_choices": "T1;T2"},
        ]

    def staff(self):
        return [
            {"staff_id": "T1", "roles": ["班主任"], "max_mentees": 1, "classes": ["c1"], "prefs": [], "name": "李老师"},
            {"staff_id": "T2", "roles": "subject", "max_mentees": None},
        ]

    def me(self):
        return {"term_id": "2026-2027-1"}

    def preview_assignments(self, term, rows):
        return {"term_id": term, "basis": "b1", "students": 2, "unchanged": 1, "added": [], "removed": [],
                "additional": [], "moved": [{"student_id": "s2", "name": "", "class_id": "c1", "records": 3,
                                             "from": {"staff_id": "T1", "name": "李老师"},
                                             "to": {"staff_id": "T2", "name": ""}}]}  # fmt: skip

    def save_assignments(self, term, rows, replace=True, basis=None):
        self.saved.append((term, rows, basis))


def test_from_client_reads_the_store_previews_and_saves_only_when_confirmed():
    client = RecordsClientStandIn()
    panel = MatchingPanel.from_client(client)
    assert "2 名学生、2 位导师" in panel.message.value
    assert panel.term.value == "2026-2027-1"  # the current term, a real value (not a grey placeholder)
    panel.run_button.click()
    assert "王一" in panel.results.value and "李老师（T1）" in panel.results.value  # names beside ids
    panel.term.value = ""
    panel.preview_button.click()
    assert "请填写学期编号" in panel.message.value
    panel.term.value = "2026-2027-1"
    panel.confirm_button.click()
    assert "请先预览" in panel.message.value and client.saved == []
    panel.preview_button.click()
    assert "李老师（T1） → T2" in panel.preview.value and "已写记录 3 条" in panel.preview.value
    assert client.saved == [] and panel.confirm_box.layout.display is None
    panel.cancel_button.click()
    assert "已取消" in panel.message.value and client.saved == []
    panel.preview_button.click()
    panel.student.value, panel.new_mentor.value = "s1", "T2"
    panel.reassign_button.click()  # an edit after the preview: the preview is gone
    assert panel.preview.value == "" and panel.confirm_box.layout.display == "none"
    panel.preview_button.click()
    panel.confirm_button.click()
    assert "保存到导师平台" in panel.message.value
    ((term, rows, basis),) = client.saved
    assert (term, basis) == ("2026-2027-1", "b1")
    assert sorted(tuple(r.values()) for r in rows) == [
        ("s1", "T2", "primary", "学校调配"),  # moved by hand outside s1's own choices
        ("s2", "T2", "primary", "学生志愿"),
    ]


def test_client_without_the_method_gives_a_clear_message():
    with pytest.raises(MatchingError, match="students"):
        MatchingModel.from_client(object())


def test_workbook_upload_and_capacity_default(tmp_path):
    book = Workbook()
    book.active.title = "students"
    for line in STUDENTS.strip().splitlines():
        book["students"].append(line.split(","))
    book.create_sheet("mentors")
    for line in MENTORS.strip().splitlines():
        book["mentors"].append(line.split(","))
    book.save(tmp_path / "school.xlsx")
    panel = MatchingPanel()
    panel.upload_workbook.value = upload("school.xlsx", (tmp_path / "school.xlsx").read_bytes())
    assert "容量合计 18" in panel.summary.value  # T2's blank capacity takes the default 15
    panel.capacity.value = 10
    assert "容量合计 13" in panel.summary.value
    panel.run_button.click()
    assert "匹配完成" in panel.message.value


# --- issue 19: a 德育 office's real job -------------------------------------------------------------------
def xlsx_from_link(link_html: str):
    return load_workbook(io.BytesIO(base64.b64decode(link_html.split("base64,")[1].split('"')[0])))


def test_the_template_has_chinese_headers_explains_each_column_and_holds_the_schools_names():
    panel = MatchingPanel()
    panel.template_button.click()
    book = xlsx_from_link(panel.template_link.value)
    assert book.sheetnames == ["学生", "导师", "说明"]
    assert next(book["学生"].values) == ("学生编号", "姓名", "班级", "需要导师数", "志愿导师")
    assert next(book["导师"].values) == ("教师编号", "姓名", "角色", "容量", "任教班级", "志愿学生")
    explained = {row[1] for row in book["说明"].values}
    assert {"student_id", "class_id", "needs_mentors", "mentor_id", "roles", "capacity", "classes"} <= explained

    school = MatchingPanel.for_school(RecordsClientStandIn())
    school.template_button.click()
    assert "本校名单" in school.template_link.value
    book = xlsx_from_link(school.template_link.value)
    assert list(book["学生"].values)[1] == ("s1", "王一", "c1", 1, None)
    assert list(book["导师"].values)[1] == ("T1", "李老师", "班主任", 1, "c1", None)


def test_a_filled_in_template_with_chinese_headers_is_matched(tmp_path):
    book = Workbook()
    book.active.title = "学生"
    book["学生"].append(["学生编号", "姓名", "班级", "需要导师数", "志愿导师（教师编号，用分号隔开）"])
    for row in (["s1", "王一", "c1", None, "T1；T2"], ["s2", "赵二", "c1", 1, "T1"]):
        book["学生"].append(row)
    book.create_sheet("导师").append(["教师编号", "姓名", "角色", "容量", "任教班级", "志愿学生"])
    book["导师"].append(["T1", "李老师", "班主任", 1, "c1", "s2"])
    book["导师"].append(["T2", "周老师", "学科教师", None, None, None])
    book.save(tmp_path / "filled.xlsx")
    panel = MatchingPanel()
    panel.upload_workbook.value = upload("filled.xlsx", (tmp_path / "filled.xlsx").read_bytes())
    assert "学生 2 名" in panel.summary.value and not panel.run_button.disabled
    panel.run_button.click()
    rows = {row[0]: row for row in cells(panel.results.value)[1:]}
    assert rows["s2"][:4] == ["s2", "赵二", "c1", "李老师（T1）"]  # names from the tables beside the ids
    assert rows["s1"][3] == "周老师（T2）"


def test_both_files_wrong_shows_every_problem_of_both():
    panel = MatchingPanel()
    panel.upload_students.value = upload("students.csv", STUDENTS.replace("s3,c2,2", "s3,c2,two").encode())
    panel.upload_mentors.value = upload("mentors.csv", MENTORS.replace("T3,psychology,2", "T3,psychology,x").encode())
    message = panel.message.value
    assert "学生表有 1 处问题" in message and "“needs_mentors”列" in message
    assert "导师表有 1 处问题" in message and "“capacity”列" in message
    assert "students.csv" in panel.summary.value and "mentors.csv" in panel.summary.value
    assert "请先上传" not in panel.summary.value and panel.run_button.disabled
    # the students table fixed: its problem goes, the mentors' stays
    panel.upload_students.value = upload("students.csv", STUDENTS.encode())
    assert "学生表有" not in panel.message.value and "导师表有 1 处问题" in panel.message.value


def test_the_summary_says_where_each_table_stands():
    panel = MatchingPanel()
    assert "学生表：尚未上传" in panel.summary.value and "导师表：尚未上传" in panel.summary.value
    panel.upload_students.value = upload("students.csv", STUDENTS.encode())
    assert "学生表：已读取“students.csv”，5 名学生" in panel.summary.value
    assert "导师表：尚未上传" in panel.summary.value
    panel.upload_mentors.value = upload("mentors.csv", MENTORS.encode())
    assert "尚未上传" not in panel.summary.value and "请先上传" not in panel.summary.value
    assert "可以开始匹配" in panel.message.value


def test_the_demo_districts_own_roles_are_mentors_too():
    mentors = MENTORS + "T4,school_admin,2,,\nT5,studio_leader;学科教师,2,,\nT6,学校管理员;工作室主持人,1,,\n"
    panel = MatchingPanel()
    panel.upload_students.value = upload("students.csv", STUDENTS.encode())
    panel.upload_mentors.value = upload("mentors.csv", mentors.encode())
    assert "导师 6 位" in panel.summary.value, panel.message.value
    panel.upload_mentors.value = upload("mentors.csv", (MENTORS + "T4,headmaster,2,,\n").encode())
    assert "未知的角色“headmaster”" in panel.message.value and "学校管理员" in panel.message.value


def test_the_term_box_says_what_to_write_when_it_is_not_known():
    panel = MatchingPanel()
    assert panel.term.value == "" and panel.term.placeholder.startswith("请填写")


def test_a_page_opened_by_someone_who_is_not_a_school_admin_still_works():
    class NotAdmin(RecordsClientStandIn):
        def staff(self):
            from widgets.client import RecordsError

            raise RecordsError(403, "您的账号没有权限进行此操作")

    panel = MatchingPanel.for_school(NotAdmin())
    assert "无法读取本校名单" in panel.message.value and "没有权限" in panel.message.value


def test_the_command_and_the_readme_name_the_columns(capsys):
    from pathlib import Path

    from hub.matching.command import columns_help

    text = columns_help()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for chinese, english in (("学生编号", "student_id"), ("班级", "class_id"), ("需要导师数", "needs_mentors"),
                             ("志愿导师", "prefs"), ("教师编号", "mentor_id"), ("角色", "roles"), ("容量", "capacity"),
                             ("任教班级", "classes"), ("志愿学生", "prefs")):  # fmt: skip
        assert f"{chinese} / {english}" in text
        assert chinese in readme and english in readme
