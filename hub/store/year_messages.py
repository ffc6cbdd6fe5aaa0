"""People-facing texts (zh-CN, with English twins) of the school-year verbs: term calendars, life events,
roll-over and changes during the year, class mentor teams, 多对一 teams and 排摸. Same shape as
``hub.store.messages``: each entry is (english, chinese), filled by ``year_msg(key, **values)``.
"""

from __future__ import annotations

from .errors import Conflict, Forbidden, Invalid, NotFound
from .messages import label

YEAR_LABELS = {
    "home_visit": "家访时间段", "growth_message": "成长寄语时间段", "exams": "考试日期",
    "talk_days_before": "考前谈心天数", "talk_days_after": "考后谈心天数", "life_event_days": "变故后谈心天数",
    "start_date": "开学日期", "end_date": "学期结束日期", "event_date": "事件日期", "kind": "类型",
    "to_class_id": "转入班级", "move_date": "日期", "reason": "原因", "reassign": "改派名单",
    "from_term": "上一学期", "to_term": "新学期", "academic_year": "学年", "term_no": "学期序号",
}  # fmt: skip

YEAR_MESSAGES: dict[str, tuple[str, str]] = {
    "term_end_before_start": ("the term ends ({end}) before it starts ({start})",
                              "学期结束日期（{end}）早于开学日期（{start}）"),
    "window_missing": ("{field} needs a from and a to date", "请填写{label}的起止日期"),
    "window_reversed": ("{field} ends ({end}) before it begins ({start})", "{label}的结束日期（{end}）早于开始日期（{start}）"),
    "home_visit_after_start": ("the home-visit window must begin on or before the first day {start} (每学期开学前)",
                               "家访应在开学前进行：家访时间段须在开学日（{start}）或之前开始"),
    "home_visit_too_early": ("the home-visit window opens more than {days} days before the term",
                             "家访时间段最早只能在开学前 {days} 天开始"),
    "home_visit_in_previous_term": ("the home-visit window reaches into the previous term (ends {end})",
                                    "家访时间段不能与上一学期重叠（上一学期于 {end} 结束）"),
    "outside_term_window": ("{field} must lie within the term ({start} to {end})",
                            "{label}须在本学期（{start} 至 {end}）之内"),
    "exam_outside_term": ("exam {name} is outside the term ({start} to {end})",
                          "考试“{name}”的日期不在本学期（{start} 至 {end}）之内"),
    "exam_twice": ("two exams have the same name", "考试名称不能重复"),
    "too_many_exams": ("at most {limit} exams", "考试最多 {limit} 项"),
    "bad_days": ("{field} must be a whole number of days from 0 to {limit}", "{label}必须是 0 到 {limit} 之间的整数"),
    "bad_window": ("{field} must be an object with from and to dates", "{label}须包含开始日期和结束日期"),
    "bad_exam": ("each exam needs a name and a date", "每项考试都需要名称和日期"),
    "term_exists": ("term {value} already exists", "学期 {value} 已存在"),
    "term_overlaps": ("term {value} overlaps term {other} ({start} to {end})",
                      "学期 {value} 与学期 {other}（{start} 至 {end}）时间重叠"),
    "bad_term_id": ("term id {value} must look like 2026-2027-1 (or give academic_year and term_no)",
                    "学期编号 {value} 的格式应为 2026-2027-1（学年-学期序号），或另行给出学年和学期序号"),
    "no_school": ("this account belongs to no school", "您的账号不属于任何学校"),
    "life_event_kind": ("kind must be one of {choices}", "事件类型只能是：{choices}"),
    "event_future": ("event_date is in the future", "事件日期不能晚于今天"),
    "event_no_term": ("no term covers {date}", "{date} 不在任何学期内"),
    # roll-over and changes during the year
    "same_term": ("from and to are the same term", "上一学期与新学期不能相同"),
    "term_order": ("term {value} does not begin after term {other}", "新学期 {value} 须在学期 {other} 之后开始"),
    "already_rolled": ("term {value} already has mentor pairings for {school}",
                       "学期 {value} 已有 {school} 的结对名单，未重复延续"),
    "bad_reason_code": ("reason_code must be one of {choices}", "变更原因只能是：{choices}"),
    "reason_required": ("a reason of at least {limit} characters is required", "请写明原因（至少 {limit} 个字）"),
    "class_not_found": ("class {value} not found", "找不到班级 {value}"),
    "same_class": ("student {value} is already in that class", "学生 {value} 已在该班级"),
    "not_a_mentor": ("{value} is not an active mentor of the student's school", "{value} 不是该生所在学校的在职导师"),
    "mentor_away": ("{value} is on leave or has left", "{value} 正在休长假或已离职，不能结对"),
    "not_mentee": ("{value} is not a mentee of {staff}", "学生 {value} 不是 {staff} 的结对学生"),
    "leave_kind": ("kind must be leave or left", "类型只能是：长假（leave）或离职（left）"),
    "until_before": ("until is before from", "预计返岗日期不能早于开始日期"),
    "reassign_missing": ("no new mentor given for {value}", "请为学生 {value} 指定新导师"),
    "over_capacity": ("mentor {value} would have {count} primary mentees (limit {limit})",
                      "导师 {value} 的结对学生将达到 {count} 名，超过上限 {limit} 名"),
}

YEAR_ERRORS = {"invalid": Invalid, "not_found": NotFound, "forbidden": Forbidden, "conflict": Conflict}


def year_msg(key: str, **values) -> tuple[str, str]:
    field = values.get("field")
    values.setdefault("label", YEAR_LABELS.get(field or "", label(field)))
    english, chinese = YEAR_MESSAGES[key]
    return english.format(**values), chinese.format(**values)


def year_error(kind: str, key: str, field: str | None = None, **values):
    """A store error (``kind``: invalid / not_found / forbidden / conflict) with the message ``key``."""
    english, chinese = year_msg(key, field=field, **values)
    return YEAR_ERRORS[kind](english, chinese, field)
