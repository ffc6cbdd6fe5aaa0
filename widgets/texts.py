"""Every people-facing text of the mentor workbench (forms, growth-message helper, tracker, concern
flow, export), in Simplified Chinese, kept in one place so it can be read and reviewed together.

Code refers to texts by key; ``t(key, **values)`` fills in format fields.
"""

from __future__ import annotations

KIND_TITLES = {
    "home_visit": "家访",
    "talk": "谈心谈话",
    "growth_message": "成长寄语",
    "parent_contact": "家校沟通",
    "guidance": "指导记录",
    "concern": "关注与转介",
}

FIELD_LABELS = {
    "student_id": "学生",
    "date": "日期",
    "follow_up_date": "跟进日期",
    "guidance_domains": "涉及领域",
    "summary": "摘要",
    "form": "家访形式",
    "purpose": "家访目的",
    "participants": "参与人员",
    "family_situation": "家庭情况（教养方式、学习环境）",
    "parent_concerns": "家长意见与诉求",
    "school_suggestions": "建议与家校协同措施",
    "talk_type": "谈话类型",
    "key_timepoint": "关键时间节点",
    "trigger": "谈话起因",
    "student_voice": "学生的想法",
    "agreed_actions": "约定的行动",
    "escalation": "需要上报",
    "text": "寄语内容",
    "strengths_cited": "提到的亮点",
    "expectation": "期望",
    "delivered_via": "送达方式",
    "channel": "沟通方式",
    "guardian_relation": "家长称谓",
    "topic": "沟通主题",
    "content_summary": "沟通内容摘要",
    "domains": "指导领域",
    "level": "关注等级",
    "signals": "观察到的信号",
    "immediate_risk": "是否存在即时安全风险？",
    "details": "情况说明（只写观察到的事实）",
    "referred_to": "转介给",
}

PLACEHOLDERS = {
    "purpose": "例如：了解开学适应情况",
    "summary": "简要记录事实与要点，不写诊断、不写评价性标签",
    "text": "写给学生的话：从一个具体的瞬间写起，说出他/她的亮点，再写一句期望",
    "details": "时间、场合、学生说了什么或做了什么；不要写猜测和诊断",
    "participants": "例如：导师、班主任、母亲",
    "topic": "例如：作业习惯",
    "guardian_relation": "例如：母亲",
}

TEXTS = {
    # generic form states
    "required": "请填写{label}",
    "too_long": "{label}不能超过{limit}个字（现在 {length} 个字）",
    "too_short": "{label}至少需要{limit}个字",
    "choose_one": "请选择{label}",
    "choose_some": "请至少选择一项{label}",
    "future_date": "{label}不能晚于今天",
    "outside_term": "{label}不在本学期（{start} 至 {end}）之内",
    "follow_up_before": "跟进日期不能早于记录日期",
    "no_student": "请先选择学生",
    "fix_errors": "还有 {count} 处需要修改，修改后再保存。",
    "saving": "正在保存……",
    "saved": "已保存：{kind}（{student}，{date}），记录编号 {record_id}。",
    "refused": "服务未接受这条记录：{message}（内容已保留，修改后可再次保存）",
    "failed": "保存失败：{message}（内容已保留，请稍后再试）",
    "unexpected": "出现了意外错误，内容已保留。请稍后再试，或联系管理员。",
    "save": "保存",
    "new": "清空表单",
    "yes": "是",
    "no": "否",
    "not_answered": "（请选择）",
    "no_mentees": "本学期您还没有结对学生。",
    # growth-message helper
    "gm_length": "字数：{length}（建议 {lo}–{hi} 字）",
    "gm_length_short": "偏短：再写一个具体的瞬间会更有温度。",
    "gm_length_long": "偏长：挑最想说的两三点，孩子更容易读进去。",
    "gm_strength_yes": "写到了具体的亮点：{words}",
    "gm_strength_no": "还没有看到具体的亮点：写一件你亲眼看到的事，以及它体现的品质。",
    "gm_expectation_yes": "有面向未来的期望。",
    "gm_expectation_no": "可以加一句面向未来的期望（例如“希望你……”）。",
    "gm_rank": "含有比较或排名的说法：{words}。寄语只和孩子自己的过去比，不和别人比。",
    "gm_label": "含有标签式的说法：{words}。请改为描述具体行为。",
    "gm_pii": "含有不应出现在寄语里的个人信息：{words}。删除后才能保存。",
    "gm_clean": "没有发现比较、排名或标签式的说法。",
    "gm_title": "写作提示（仅供参考，只有个人信息会阻止保存）",
    # tracker
    "tracker_title": "我的结对学生 · {term}",
    "class_title": "班级 {class_id} · 三个一进度",
    "school_title": "学校各班三个一汇总 · {term}",
    "col_class": "班级",
    "col_student": "学生",
    "col_home_visit": "家访",
    "col_talk": "谈心谈话",
    "col_growth_message": "成长寄语",
    "col_last_contact": "最近联系",
    "col_follow_ups": "待跟进",
    "col_students": "学生数",
    "col_complete": "三项均完成",
    "state_done": "已完成",
    "state_due_soon": "即将到期",
    "state_overdue": "已逾期",
    "state_open": "未开始",
    "due_line": "截止日期：家访 {home_visit}，谈心谈话 {talk}，成长寄语 {growth_message}",
    "no_due": "未设置",
    "never": "—",
    "follow_ups_none": "无",
    "follow_ups_open": "{count} 项",
    "follow_ups_late": "{count} 项（{late} 项已过跟进日期）",
    "history": "查看记录",
    "history_title": "{student} 的记录（本学期及以前）",
    "history_empty": "还没有记录。",
    "history_col_date": "日期",
    "history_col_kind": "类型",
    "history_col_summary": "内容",
    "history_col_follow_up": "跟进日期",
    "refresh": "刷新",
    "no_class_rows": "该班暂无学生数据。",
    "no_school_rows": "本校暂无班级数据。",
    # concern flow
    "concern_intro": "发现学生需要关注时，在这里提交。导师只记录观察到的事实，不做诊断；提交后您只能看到处理状态。",
    "concern_signals_help": "勾选观察到的信号（可多选）",
    "concern_submit": "提交关注",
    "concern_need_risk": "请回答是否存在即时安全风险",
    "concern_need_signal": "请至少勾选一项观察到的信号",
    "concern_urgent_title": "现在就要做的事（今天之内）",
    "concern_urgent_steps": (
        "不要让学生独处，确保身边有可信任的成年人；",
        "立即当面或电话告知心理教师和班主任，并报告德育处；",
        "由学校按程序在今天内通知监护人；",
        "不要答应学生“替他保密”，告诉他你会找能帮助他的人；",
        "如有紧急危险，拨打 110 或 120。",
    ),
    "concern_routed": "已提交，已转给心理教师跟进（关注编号 {flag_id}）。",
    "concern_saved": "已提交（关注编号 {flag_id}）。",
    "concern_status_title": "我提交的关注（只显示状态）",
    "concern_status_empty": "暂无。",
    "concern_col_student": "学生",
    "concern_col_raised": "提交时间",
    "concern_col_status": "状态",
    "flag_status_open": "已提交，待处理",
    "flag_status_monitoring": "跟进中",
    "flag_status_closed": "已结束",
    # workbench
    "workbench_title": "导师工作台",
    "hello": "{name}老师，您好。",
    "term_line": "当前学期：{term}",
    "tab_mentees": "我的学生",
    "tab_log": "填写记录",
    "tab_concern": "关注与转介",
    "tab_class": "我的班级",
    "tab_school": "学校汇总",
    "load_failed": "无法读取数据：{message}",
    "record_kind": "记录类型",
    # export
    "export_button": "生成三个一汇总表（.xlsx）",
    "export_ready": "下载 {filename}",
    "export_failed": "导出失败：{message}",
    "sheet_classes": "按班级",
    "sheet_mentors": "按导师",
    "sheet_about": "说明",
    "col_mentor": "导师",
    "col_mentees": "结对学生数",
    "about_lines": (
        "本表为学期三个一完成情况的数量汇总，只含人数，不含学生个人信息和记录内容。",
        "不得据此对学生或教师进行排名。",
    ),
    "mentors_unavailable": "服务未提供按导师的统计，此表为空。",
    "mentors_none": "该学期本校没有结对名单，此表为空。",
    "about_mentors": "“按导师”表：每位导师（主导师和协同导师都算）结对学生中已完成各项的人数；"
                     "完成情况按学生计，不论由哪位导师填写，与“按班级”表和导师工作台的口径一致。",
    "export_school": "学校：{school}",
    "export_term": "学期：{term}",
    "export_term_dates": "学期：{term}（{start} 至 {end}）",
}

FLAG_SIGNAL_LABELS = {
    "认知": "认知：想法偏执、逃避，注意力明显下降",
    "情绪": "情绪：持续低落、焦虑、易怒",
    "行为": "行为：作息紊乱、退缩、自伤迹象",
    "家庭": "家庭：家庭变故或重大变化",
    "安全": "安全：提到伤害自己或他人",
}

LEVEL_LABELS = {1: "一般关注", 2: "重点关注", 3: "紧急关注"}


def t(key: str, **values) -> str:
    """The text for ``key`` with ``values`` filled in."""
    return TEXTS[key].format(**values)


def label(field: str) -> str:
    return FIELD_LABELS.get(field, field)
