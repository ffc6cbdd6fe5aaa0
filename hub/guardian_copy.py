"""The copy of a child's file for a guardian's request, as a .docx document (python-docx). Pure: the store
(``hub.store.guardian_verbs``) gathers the file, with other people's personal information already left
out; this module only lays it out.

Layout: a title, a table about the request and the child, a note on what the copy leaves out, then one
section per part: 记录 (each record: a heading with its date and kind, then a two-column table of its fields
in a fixed order with Chinese labels, its author's role and when it was written and last changed),
关注与转介 (per the school's policy), 监护人同意. Tables, so that whoever checks the copy (and the tests)
can read it field by field.
"""

from __future__ import annotations

import io

from docx import Document

from hub.spreadsheets import docx_table

TITLE = "学生个人信息副本（应监护人申请提供）"
KIND_TITLES = {"home_visit": "家访", "talk": "谈心谈话", "growth_message": "成长寄语", "parent_contact": "家校沟通",
               "guidance": "指导记录"}  # fmt: skip
REQUEST_KINDS = {"access": "查阅", "copy": "复制", "correct": "更正", "delete": "删除"}
SCOPES = {"mentor_records": "导师记录", "home_visit": "家访", "referral": "校外转介"}
STATUSES = {"open": "关注中", "monitoring": "跟进中", "closed": "已结束"}
#: Field order and labels of the records (fields not listed follow in their stored order, by their key).
FIELD_LABELS = {
    "form": "家访形式", "purpose": "家访目的", "family_situation": "家庭情况", "parent_concerns": "家长意见与诉求",
    "school_suggestions": "建议与家校协同措施", "talk_type": "谈话类型", "key_timepoint": "关键时间节点",
    "trigger": "谈话起因", "summary": "摘要", "student_voice": "学生的想法", "agreed_actions": "约定的行动",
    "escalation": "是否需要上报", "text": "寄语内容", "strengths_cited": "提到的优点", "expectation": "期望",
    "delivered_via": "送达方式", "channel": "沟通方式", "guardian_relation": "家长称谓", "topic": "沟通主题",
    "content_summary": "沟通内容摘要", "domains": "指导领域", "guidance_domains": "涉及领域", "follow_up_date": "跟进日期",
}  # fmt: skip
FLAG_LABELS = {"raised_at": "提出时间", "level": "关注等级", "status": "状态", "referred_to": "转介对象", "closed_at": "结束时间",
               "signals": "观察到的信号", "immediate_risk": "即时安全风险", "details": "情况说明"}  # fmt: skip
CONSENT_LABELS = ("同意范围", "告知书版本", "同意方式", "同意时间", "撤回时间")
RECORD_META = ("记录人", "填写时间", "最后修改时间", "版本")
NOTE = ("说明：本副本由平台根据学校保存的记录生成。为保护他人的个人信息，记录中出现的其他学生、教师等人员的姓名与联系方式已隐去"
        "（显示为【姓名】【电话】等），家访的在场人员未列入，教师以其角色（导师、班主任）表示。")
FLAG_NOTE = {"status_only": "关注与转介记录按学校规定只列出时间、等级、状态与转介对象，不含具体情况说明。",
             "full": "关注与转介记录按学校规定列出全部内容。"}
NONE = "（无）"
YES_NO = {True: "是", False: "否"}


def text_of(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return YES_NO[value]
    if isinstance(value, list):
        return "、".join(text_of(v) for v in value)
    return str(value)


def day_and_time(value) -> str:
    return text_of(value).replace("T", " ")[:16]


def ordered_fields(fields: dict) -> list[tuple[str, str]]:
    """(label, text) of a record's fields: the known ones in ``FIELD_LABELS`` order, then any other."""
    known = [(FIELD_LABELS[key], text_of(fields[key])) for key in FIELD_LABELS if key in fields]
    other = [(key, text_of(value)) for key, value in fields.items() if key not in FIELD_LABELS]
    return known + other


def table_of(document, rows: list[tuple[str, ...]], header: tuple[str, ...] | None = None):
    """A plain-text table (through ``hub.spreadsheets``, like every table the project writes)."""
    return docx_table(document, ([header] if header else []) + rows)


def render_copy(child_file: dict) -> bytes:
    document = Document()
    document.add_heading(TITLE, level=0)
    student = child_file["student"]
    table_of(document, [("学校", student["school_name"]), ("班级", student["class_name"]),
                         ("学生", student["display_name"]),
                         ("申请", f"{REQUEST_KINDS[child_file['request_kind']]}（第 {child_file['request_id']} 号）"),
                         ("收到申请日期", child_file["received_on"]), ("副本生成日期", child_file["made_on"])])  # fmt: skip
    document.add_paragraph(NOTE)
    document.add_heading("记录", level=1)
    if not child_file["records"]:
        document.add_paragraph(NONE)
    for record in child_file["records"]:
        document.add_heading(f"{record['date']} {KIND_TITLES.get(record['kind'], record['kind'])}", level=2)
        meta = [(RECORD_META[0], record["author_role"]), (RECORD_META[1], day_and_time(record["created_at"])),
                (RECORD_META[2], day_and_time(record["updated_at"])), (RECORD_META[3], str(record["version"]))]  # fmt: skip
        table_of(document, ordered_fields(record["fields"]) + meta)
    document.add_heading("关注与转介", level=1)
    document.add_paragraph(FLAG_NOTE[child_file["concern_details"]])
    if not child_file["flags"]:
        document.add_paragraph(NONE)
    for number, flag in enumerate(child_file["flags"], start=1):
        document.add_heading(f"关注记录 {number}", level=2)
        rows = []
        for key, value in flag.items():
            shown = STATUSES.get(value, value) if key == "status" else value
            rows.append((FLAG_LABELS[key], day_and_time(shown) if key.endswith("_at") else text_of(shown)))
        table_of(document, rows)
    document.add_heading("监护人同意", level=1)
    if child_file["consents"]:
        table_of(document, [(SCOPES.get(c["scope"], c["scope"]), c["policy_version"], c["method"],
                              day_and_time(c["granted_at"]), day_and_time(c["withdrawn_at"]))
                             for c in child_file["consents"]], header=CONSENT_LABELS)  # fmt: skip
    else:
        document.add_paragraph(NONE)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def copy_filename(child_file: dict) -> str:
    return f"学生信息副本-{child_file['student']['display_name']}-第{child_file['request_id']}号申请.docx"
