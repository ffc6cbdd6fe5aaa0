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
    # the class mentor team page (导师团)
    "team_title": "导师团",
    "team_intro": "以班级为单位：班主任与本班学生的导师协同合作。这里有本班“三个一”的完成人数、导师团会议和家校沟通请求。",
    "team_class": "班级",
    "team_no_classes": "您目前没有可以查看的导师团。",
    "team_members": "成员",
    "team_col_member": "成员", "team_col_role": "身份", "team_col_mentees": "本班结对学生",
    "team_head": "班主任", "team_mentor": "导师",
    "team_progress": "本班三个一：学生 {students} 名；家访 {home_visit}，谈心 {talk}，寄语 {growth_message}，三项均完成 {complete}",
    "team_meetings": "导师团会议（集体教研）",
    "team_no_meetings": "尚无会议记录。",
    "team_minutes": "下载纪要",
    "team_minutes_ready": "纪要 {name}",
    "meeting_date": "日期", "meeting_topic": "主题", "meeting_attendees": "参会人员（编号，逗号分隔）",
    "meeting_codes": "讨论的学生（编号，逗号分隔）", "meeting_decisions": "决定事项", "meeting_minutes": "纪要",
    "meeting_save": "保存会议记录", "meeting_saved": "已保存会议记录。",
    "requests_title": "家校沟通请求（归口管理）",
    "requests_none": "暂无请求。",
    "request_col_student": "学生", "request_col_topic": "主题", "request_col_from": "提出人", "request_col_status": "状态",
    "request_col_response": "答复",
    "request_new": "请导师或班主任联系家长",
    "request_student": "学生", "request_topic": "主题", "request_reason": "理由",
    "request_send": "提交请求", "request_sent": "已提交：该生的导师或班主任会答复您。",
    "answer_pick": "请求",
    "answer_response": "答复/理由",
    "answer_channel": "沟通方式",
    "answer_summary": "沟通内容摘要",
    "answer_accept": "接受", "answer_complete": "已联系并记录", "answer_decline": "婉拒",
    "answer_done": "已更新请求 {request}：{status}",
    # 多对一 plans
    "plans_title": "多对一帮扶计划",
    "plans_none": "您目前没有可以查看的多对一帮扶计划。",
    "plan_pick": "学生",
    "plan_members": "导师组（德育骨干优先）",
    "plan_goals": "目标", "plan_actions": "约定的行动", "plan_next_review": "下次评估：{date}",
    "plan_reviews": "评估记录", "plan_no_reviews": "尚无评估。",
    "review_outcome": "结论", "review_summary": "评估摘要", "review_next": "下次评估",
    "review_save": "记录评估", "review_saved": "已记录评估。",
    "plan_state_on_track": "按计划进行", "plan_state_review_soon": "即将评估", "plan_state_review_overdue": "评估已逾期",
    "plan_state_no_review_date": "未定评估日期", "plan_state_closed": "已结束",
}


def y(key: str, **values) -> str:
    text = YEAR_TEXTS[key]
    return text.format(**values) if values else text
