"""Every people-facing text of the records store and service, in one place (zh-CN), with English twins.

Each entry is (english, chinese); format fields are filled by ``msg(key, **values)``.
"""

from __future__ import annotations

FIELD_LABELS = {
    "student_id": "学生编号", "kind": "记录类型", "date": "日期", "follow_up_date": "跟进日期",
    "form": "家访形式", "purpose": "家访目的", "participants": "参与人员", "family_situation": "家庭情况",
    "parent_concerns": "家长意见与诉求", "school_suggestions": "建议与家校协同措施", "summary": "摘要",
    "talk_type": "谈话类型", "key_timepoint": "关键时间节点", "trigger": "谈话起因",
    "student_voice": "学生的想法", "agreed_actions": "约定的行动", "escalation": "是否需要上报",
    "text": "寄语内容", "strengths_cited": "提到的优点", "expectation": "期望", "delivered_via": "送达方式",
    "channel": "沟通方式", "guardian_relation": "家长称谓", "topic": "沟通主题",
    "content_summary": "沟通内容摘要", "domains": "指导领域", "guidance_domains": "指导领域",
    "level": "关注等级", "signals": "观察到的信号", "immediate_risk": "是否有即时安全风险",
    "details": "情况说明", "referred_to": "转介对象", "status": "状态", "term_id": "学期",
    "staff_id": "导师", "reason": "理由", "ground": "查阅依据", "method": "结对方式", "client_ref": "请求编号", "rows": "结对名单",
    "action": "处理方式", "assignee": "负责人", "note": "说明", "follow_up_method": "跟进方式",
    "referred_out_to": "转介机构", "guardian_informed": "是否已告知监护人", "outcome": "结案结论", "basis": "预览",
}  # fmt: skip

MESSAGES: dict[str, tuple[str, str]] = {
    "required": ("{field} is required", "请填写{label}"),
    "not_text": ("{field} must be text", "{label}必须是文字"),
    "too_long": ("{field} is longer than {limit} characters", "{label}不能超过{limit}个字"),
    "too_short": ("{field} is shorter than {limit} characters", "{label}至少需要{limit}个字"),
    "bad_choice": ("{field} must be one of {choices}", "{label}只能是：{choices}"),
    "bad_date": ("{field} must be a date YYYY-MM-DD", "{label}必须是日期，格式为 年-月-日（如 2025-03-05）"),
    "future_date": ("{field} is in the future", "{label}不能晚于今天"),
    "outside_term": (
        "{field} is outside the term {term} ({start} to {end})",
        "{label}不在本学期（{start} 至 {end}）之内",
    ),
    "follow_up_before": ("follow_up_date is before the event date", "跟进日期不能早于记录日期"),
    "not_bool": ("{field} must be true or false", "{label}必须是“是”或“否”"),
    "not_int": ("{field} must be a whole number between {lo} and {hi}", "{label}必须是 {lo} 到 {hi} 之间的整数"),
    "not_list": ("{field} must be a list", "{label}必须是列表"),
    "empty_list": ("{field} needs at least one entry", "{label}至少选择一项"),
    "unknown_field": ("unknown field {field}", "无法识别的字段：{field}"),
    "rank_field": (
        "{field}: ranks and score positions are never stored",
        "平台不记录名次或排名（字段 {field}），请改用等级描述",
    ),
    "pii": (
        "{field} contains personal data that must not be recorded ({kinds})",
        "{label}中含有不应记录的个人信息（{kinds}），请删除后再提交",
    ),
    "control_chars": ("{field} contains control characters", "{label}含有无法识别的控制字符"),
    "bad_unicode": (
        "{field} is not valid Unicode text (it holds a lone surrogate)",
        "{label}含有无效的字符（编码错误），请删除后重新输入",
    ),
    "unknown_kind": ("unknown record kind {value}", "未知的记录类型：{value}"),
    "not_object": ("the request body must be a JSON object", "请求内容必须是 JSON 对象"),
    "no_term": ("no term covers {date}", "{date} 不在任何已设置的学期内"),
    "no_current_term": ("no current term is set up", "尚未设置当前学期"),
    "student_not_found": ("student {value} not found", "找不到学生 {value}"),
    "record_not_found": ("record {value} not found", "找不到记录 {value}"),
    "flag_not_found": ("flag {value} not found", "找不到关注记录 {value}"),
    "school_not_found": ("school {value} not found", "找不到学校 {value}"),
    "term_not_found": ("term {value} not found", "找不到学期 {value}"),
    "account_not_found": ("account {value} not found", "找不到账号 {value}"),
    "staff_not_found": ("staff {value} not found", "找不到教师 {value}"),
    "account_inactive": ("account {value} is deactivated", "账号 {value} 已停用，不能重置密码"),
    "not_author": ("only the author may change record {value}", "只有记录的填写人可以修改或删除该记录"),
    "parent_contact_forbidden": (
        "only the student's head teacher or assigned mentor may log parent contact",
        "家校沟通记录只能由该生的班主任或结对导师填写（归口管理）",
    ),
    "forbidden": ("{action} is not allowed for this account", "您的账号没有权限进行此操作"),
    "break_glass_reason": (
        "the break-glass reason must say what happened (at least {limit} different letters or characters)",
        "紧急查阅的理由需要写明发生了什么（至少 {limit} 个不同的字），理由会记入审计日志",
    ),
    "break_glass_get": (
        "break-glass is a POST to break-glass with student_id, ground and reason; never a query parameter",
        "紧急查阅须通过“紧急查阅”提交（POST break-glass：学生、查阅依据和理由），不能在地址中附带理由",
    ),
    "over_capacity": (
        "mentor {value} would have {count} primary mentees (limit {limit})",
        "导师 {value} 的结对学生将达到 {count} 名，超过上限 {limit} 名",
    ),
    "two_primaries": ("student {value} has more than one primary mentor", "学生 {value} 只能有一位主导师"),
    "other_school": ("{value} is not in your school", "{value} 不属于您所在的学校"),
    "duplicate_ref": ("a record with client_ref {value} already exists", "该记录已提交过（请求编号 {value}）"),
    "db_unavailable": (
        "the records database is unavailable; try again shortly",
        "记录数据库暂时无法访问，请稍后再试",
    ),
    "bad_level": ("level must be 1, 2 or 3", "关注等级只能是 1、2 或 3"),
    "flag_closed": ("flag {value} is closed: reopen it first", "该关注已结束；如需继续处理，请先重新打开"),
    "flag_not_closed": ("flag {value} is not closed", "该关注尚未结束，不需要重新打开"),
    "bad_assignee": (
        "{value} may not handle this student's concerns",
        "不能指派给 {value}：只能指派给本校有权处理关注的心理教师或校领导",
    ),
    "bad_queue_status": ("status must be one of {choices}", "状态只能是：{choices}"),
    "assignments_changed": (
        "the term's assignments changed after the preview",
        "预览之后本学期的结对名单已被修改，请重新预览、核对后再确认保存",
    ),
    "assignment_problems": ("{count} rows cannot be saved: {problems}", "有 {count} 处问题，未保存：{problems}"),
    "unknown_student": ("{value} is not a student of your school", "学生编号“{value}”不是本校学生"),
    "unknown_mentor": ("{value} is not an active staff member of your school", "导师编号“{value}”不是本校在职教职工"),
}

# Minors' data (issue 21): guardians, consents, guardians' requests, retention, backups.
FIELD_LABELS.update({
    "relation": "与学生关系", "name": "姓名", "contact_channel": "联系方式", "is_primary": "是否主要监护人",
    "guardian_id": "监护人", "scope": "同意范围", "policy_version": "告知书版本", "given_via": "同意方式",
    "withdrawn_via": "撤回方式", "granted_on": "同意日期", "received_on": "收到日期", "received_via": "收到方式",
    "request": "申请", "answer": "答复", "decision": "处理结果", "school_id": "学校", "since": "起始日期",
    "until": "截止日期",
})  # fmt: skip
MESSAGES.update({
    "consent_missing": (
        "the guardian has not consented to {scope} for this student (under 14)",
        "该生未满14周岁，监护人尚未同意“{label}”，不能保存。请联系学校德育处（学校管理员）登记监护人的同意后再记录",
    ),
    "consent_withdrawn": (
        "the guardian has withdrawn the consent to {scope} for this student (under 14)",
        "该生未满14周岁，监护人已撤回对“{label}”的同意，不能再保存此类记录。如有疑问请联系学校德育处",
    ),
    "consent_exists": ("a consent to this scope is already in force", "该生的“{label}”已有有效的监护人同意，无需重复登记"),
    "consent_not_found": ("consent {value} not found", "找不到同意记录 {value}"),
    "consent_already_withdrawn": ("this consent was already withdrawn", "该同意已经撤回"),
    "guardian_not_found": ("guardian {value} not found for this student", "该生没有编号为 {value} 的监护人"),
    "request_not_found": ("guardian request {value} not found", "找不到监护人申请 {value}"),
    "request_closed": ("this request has been answered already", "该申请已经答复，不能再次答复"),
    "request_not_copy": ("only a request to see or copy the file gets a copy",
                         "只有“查阅”或“复制”申请才生成副本（更正、删除申请请直接答复）"),
})  # fmt: skip


def label(field: str | None) -> str:
    return FIELD_LABELS.get(field or "", field or "")


def msg(key: str, **values) -> tuple[str, str]:
    """(english, chinese) for ``key`` with ``values`` filled in; ``label`` defaults from ``field``."""
    values.setdefault("label", label(values.get("field")))
    english, chinese = MESSAGES[key]
    return english.format(**values), chinese.format(**values)
