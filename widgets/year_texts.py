"""People-facing texts of the school-year widgets (term calendar page, the tracker's windows and life
events, class mentor teams, 多对一 teams, 排摸, reminders), in Simplified Chinese, in one place for review.

``y(key, **values)`` fills in format fields (the same shape as ``widgets.texts.t``).
"""

from __future__ import annotations

YEAR_TEXTS = {
    # the tracker
    "col_event_talk": "变故后谈心",
    "window_line": "时间段：家访 {home_visit}；谈心谈话 {talk}；成长寄语 {growth_message}",
    "window_range": "{start}～{end}",
    "window_until": "截至 {end}",
    "window_none": "未设置",
    "event_none": "—",
    # the term calendar page (school admins)
    "calendar_title": "学期日历（三个一时间安排）",
    "calendar_intro": "按区方案：家访在每学期开学前进行；谈心谈话在重要考试前后、学生生活发生重大变故后进行；"
                      "成长寄语在学期末撰写。以下日期由本校设定，未设定时沿用区里的模板。",
    "calendar_term": "学期",
    "calendar_source_own": "本校日历",
    "calendar_source_district": "沿用区模板",
    "calendar_term_dates": "学期：{start} 至 {end}",
    "calendar_home_visit_from": "家访开始",
    "calendar_home_visit_to": "家访结束",
    "calendar_growth_from": "寄语开始",
    "calendar_growth_to": "寄语结束",
    "calendar_exams": "考试（每行：名称 日期）",
    "calendar_exams_help": "例如：期中考试 2026-11-10",
    "calendar_days_before": "考前（天）",
    "calendar_days_after": "考后（天）",
    "calendar_event_days": "变故后（天）",
    "calendar_save": "保存本校日历",
    "calendar_saved": "已保存学期 {term} 的本校日历。",
    "calendar_bad_exam_line": "第 {line} 行的格式应为：名称 日期（如 期中考试 2026-11-10）",
    "calendar_no_terms": "尚未设置任何学期，请联系区平台管理员（mentorhub term add）。",
    "calendar_windows": "各项时间段",
    "load_failed": "无法读取：{message}",
    "unexpected": "发生了意外错误，已记入日志，请稍后再试。",
    # life events (workbench)
    "event_title": "标记重大变故（开启一次谈心任务）",
    "event_student": "学生",
    "event_kind": "类型",
    "event_date": "日期",
    "event_save": "标记",
    "event_saved": "已标记：请在 {due} 前与该生谈心。",
}


def y(key: str, **values) -> str:
    text = YEAR_TEXTS[key]
    return text.format(**values) if values else text
