"""People-facing texts of the workbench's 学生动态 tab (life events, nominations), the reminders and the
排摸重点对象 page, in Simplified Chinese. ``f(key, **values)`` fills in format fields."""

from __future__ import annotations

#: the kinds of life event (the same as ``hub.store.term_calendar.LIFE_EVENT_KINDS``; a unit test holds them equal)
LIFE_EVENT_KINDS = ("家庭变故", "亲人离世", "转学转班", "身体健康", "受处分", "其他重大变化")
TASK_TITLES = {"home_visit": "家访", "talk": "谈心谈话", "growth_message": "成长寄语", "event_talk": "变故后谈心"}

FOCUS_TEXTS = {
    "tab_actions": "学生动态",
    "actions_intro": "学生生活中发生重大变故时请及时标记（只记类型，不记细节），系统会为该生开启一次谈心任务；"
                     "需要学校重点关注的学生，可以提名参加本学期的重点对象排摸。",
    "event_title": "标记重大变故（开启一次谈心任务）",
    "event_student": "学生", "event_kind": "类型", "event_date": "日期", "event_save": "标记",
    "event_saved": "已标记：请在 {due} 前与该生谈心。",
    "event_pick": "请先选择学生。",
    "nominate_title": "提名为重点对象候选（由校领导和心理教师排摸）",
    "nominate_reason": "理由",
    "nominate_reason_help": "简要说明为什么需要重点关注（5～300 字，不写身份证号、电话）",
    "nominate_save": "提名",
    "nominate_saved": "已提名，校领导和心理教师会在本学期排摸时考虑。",
    "nominated_title": "我本学期的提名",
    "nominated_none": "本学期尚未提名。",
    "withdraw_pick": "提名",
    "withdraw_button": "撤回提名",
    "withdraw_help": "尚未排摸的提名可以撤回；已排摸的提名不能撤回。",
    "withdraw_confirm": "确定撤回对 {student} 的提名吗？撤回后，校领导和心理教师排摸时不再看到这条提名（提名记录仍会保留）。",
    "withdraw_yes": "确认撤回",
    "withdraw_no": "取消",
    "withdraw_first": "请先选择要撤回的提名。",
    "withdrawn": "已撤回对 {student} 的提名。",
    # reminders
    "reminders_title": "提醒：本周到期与已逾期",
    "reminders_week": "本周（{start} 至 {end}）",
    "reminders_none": "本周没有到期的任务，也没有逾期的任务。",
    "reminders_due": "本周到期",
    "reminders_overdue": "已逾期",
    "reminders_col_student": "学生", "reminders_col_class": "班级", "reminders_col_task": "任务",
    "reminders_col_state": "状态", "reminders_col_due": "截止日期",
    "reminders_counts": "{label}：{parts}",
    "reminders_class": "我担任班主任的班级",
    "reminders_school": "全校",
    "reminders_count_line": "本周到期 {due} 项，已逾期 {overdue} 项",
    # 排摸重点对象
    "focus_title": "排摸重点对象（{term}）",
    "focus_intro": "本学期需要重点关注的学生：来自关注与转介、多对一导师组和导师提名。每次查看和每个结论都记入审计。"
                   "列为重点对象的学生可以建立多对一导师组。",
    "focus_none": "本学期暂无候选学生。",
    "focus_col_class": "班级", "focus_col_student": "学生", "focus_col_sources": "来源",
    "focus_col_nominations": "导师提名", "focus_col_decision": "结论",
    "focus_undecided": "待排摸",
    "focus_concern": "关注等级 {level}（{status}）",
    "focus_pick": "学生",
    "focus_outcome": "结论",
    "focus_note": "说明",
    "focus_save": "保存结论",
    "focus_saved": "已保存：{student} {outcome}",
    "team_title": "为重点对象建立多对一导师组",
    "team_lead": "组长",
    "team_members": "成员",
    "team_goals": "目标（每行一项）",
    "team_next": "下次评估",
    "team_save": "建立导师组",
    "team_saved": "已为 {student} 建立多对一导师组（编号 {team}）。",
    "team_only_focus": "只能为列为重点对象的学生建立导师组。",
    "team_not_allowed": "建立多对一导师组由校领导进行。",
    "load_failed": "无法读取：{message}",
}
NOMINATION_STATUS = {"open": "待排摸", "decided": "已排摸", "withdrawn": "已撤回"}
OUTCOME_TITLES = {"focus": "列为重点对象", "not_focus": "暂不列为重点对象"}
SOURCE_TITLES = {"concern": "关注与转介", "support_team": "多对一导师组", "nomination": "导师提名"}
CONCERN_STATUS = {"open": "已提交", "monitoring": "跟进中", "referred": "已转介"}


def f(key: str, **values) -> str:
    text = FOCUS_TEXTS[key]
    return text.format(**values) if values else text
