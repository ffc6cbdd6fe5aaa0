"""Every people-facing text of the case-study package, in one place (Simplified Chinese)."""

STAGES = ("小学", "初中", "高中")
DOMAINS = ("思想引导", "学习辅导", "心理疏导", "生活指导", "生涯指导")

FIELD_LABELS = {
    "id": "编号",
    "title": "标题",
    "stage": "学段",
    "grade": "年级",
    "domains": "指导领域",
    "tags": "标签",
    "scenario": "情境编号",
    "background": "背景",
    "problem": "问题表现",
    "process": "过程",
    "outcome": "结果",
    "reflection": "反思",
    "questions": "讨论题",
}

# library
CASE_FILE_UNREADABLE = "案例文件 {file} 无法读取：{reason}"
CASE_FILE_NOT_MAPPING = "案例文件 {file} 的内容应当是键值结构（YAML 映射）"
CASE_FIELD_INVALID = "案例文件 {file} 的“{field}”不符合要求：{reason}"
CASE_UNKNOWN_FIELD = "案例文件 {file} 含有未定义的字段：{fields}"
CASE_ID_MISMATCH = "案例文件 {file} 的编号“{case_id}”应与文件名一致"
CASE_DUPLICATE_ID = "案例编号“{case_id}”重复：{files}"
CASE_HAS_PII = "案例“{title}”的“{field}”含有可识别个人身份的信息：{details}"
CASE_FOLDER_MISSING = "案例文件夹不存在：{folder}"

# de-identification
DRAFT_TITLE = "（待完善）{topic}"
DRAFT_PLACEHOLDER = "（请导师补充）"

# discussion room
ROUND_NAMES = {
    "analysis": "独立分析",
    "sharing": "观点分享",
    "proposal": "策略提案",
    "vote": "投票",
    "summary": "总结",
}
SESSION_NOT_FOUND = "研讨活动不存在：{session_id}"
CONTRIBUTION_NOT_FOUND = "发言不存在：{contribution_id}"
NOT_A_MEMBER = "{user} 不是本工作室成员，不能加入这次研讨"
NOT_A_PARTICIPANT = "{user} 没有加入这次研讨"
ONLY_LEADER = "只有主持人可以{action}"
NOT_THE_AUTHOR = "只能修改自己的发言"
WRONG_ROUND = "当前环节是“{current}”，不能{action}"
SESSION_CLOSED = "研讨已结束，不能再修改"
EMPTY_TEXT = "内容不能为空"
TEXT_TOO_LONG = "内容过长（最多 {limit} 字）"
TEXT_HAS_PII = "内容含有可识别个人身份的信息，请修改后再提交：{details}"
UNKNOWN_PROPOSAL = "投票对象不是本次研讨的策略提案：{proposal_id}"
NO_PROPOSALS = "还没有策略提案，不能进入投票环节"
VOTE_NOT_CLOSED = "请先结束投票，再进入总结环节"
VOTE_ALREADY_CLOSED = "投票已结束"
LEADER_NOT_MEMBER = "主持人 {user} 必须是工作室成员"
ACTION_ADVANCE = "推进环节"
ACTION_CLOSE_VOTE = "结束投票"
ACTION_SUMMARY = "撰写总结"
ACTION_CONTRIBUTE = "提交发言"
ACTION_VOTE = "投票"

# minutes
MINUTES_TITLE = "案例研讨纪要"
MINUTES_CASE = "研讨案例"
MINUTES_STUDIO = "工作室"
MINUTES_LEADER = "主持人"
MINUTES_PARTICIPANTS = "参与者"
MINUTES_ROUNDS = "各环节发言"
MINUTES_VOTE = "投票结果"
MINUTES_VOTES_UNIT = "票"
MINUTES_SUMMARY = "总结"
MINUTES_NONE = "（无）"

# dashboards
SUPPRESSED = "<5"
DASHBOARD_TITLES = {
    "tri_one": "“三个一”完成率（按学校、班级）",
    "domains": "指导领域分布",
    "exam_timing": "谈心谈话与考试日历的时间关系",
    "follow_up": "关注标记到跟进的时长（天）",
    "training": "培训完成率（按学校、课程）",
}
COLUMN_LABELS = {
    "school": "学校",
    "class": "班级",
    "students": "学生数",
    "home_visit": "家访完成率",
    "talk": "谈心完成率",
    "message": "成长寄语完成率",
    "all_three": "三项全部完成率",
    "domain": "指导领域",
    "records": "记录数",
    "share": "占比",
    "window": "相对考试时间",
    "flags": "关注标记数",
    "median_days": "中位天数",
    "p90_days": "90%分位天数",
    "open": "尚未跟进",
    "course": "课程",
    "teachers": "教师数",
    "completed": "完成率",
}
EXAM_WINDOWS = {
    "before_2w": "考前两周以上",
    "before_1w": "考前一至两周",
    "exam_week": "考试周",
    "after_1w": "考后一周内",
    "after_2w": "考后一至两周",
    "other": "其他时间",
}

# widgets: case library
UI_ALL = "全部"
UI_STAGE = "学段"
UI_DOMAIN = "指导领域"
UI_TAG = "标签"
UI_SEARCH = "搜索"
UI_SEARCH_PLACEHOLDER = "输入关键词，如：家访、选科"
UI_RESULTS = "共 {count} 个案例"
UI_NO_RESULTS = "没有符合条件的案例"
UI_PICK_CASE = "请选择一个案例"

# widgets: discussion room
UI_CURRENT_ROUND = "当前环节：{round}"
UI_FINISHED = "研讨已结束"
UI_PARTICIPANTS = "参与者：{names}"
UI_YOUR_TEXT = "我的发言"
UI_SUBMIT = "提交"
UI_EDIT_PICK = "修改我的发言"
UI_SAVE_EDIT = "保存修改"
UI_VOTE_FOR = "投票给"
UI_VOTE = "投票"
UI_MY_VOTE = "我的投票：{text}"
UI_ADVANCE = "进入下一环节"
UI_CLOSE_VOTE = "结束投票"
UI_SUMMARY = "总结"
UI_SAVE_SUMMARY = "保存总结"
UI_FINISH = "保存并结束研讨"
UI_EXPORT = "导出纪要"
UI_DOWNLOAD_DOCX = "下载 Word 纪要"
UI_DOWNLOAD_MD = "下载 Markdown 纪要"
UI_SAVED = "已保存"
UI_NO_CONTRIBUTIONS = "暂无发言"
UI_HIDDEN_ANALYSIS = "独立分析阶段只显示自己的分析，其他人的分析将在“观点分享”环节公开。"
UI_ERROR = "出错了：{message}"

# command line
CLI_HELP = "育人案例库：检查案例文件与个人信息"
CLI_CHECK_HELP = "校验案例文件（结构与个人信息检查）"
CLI_FOLDER_HELP = "案例文件夹，默认 casestudies/cases"
CLI_CHECK_OK = "共 {count} 个案例，全部通过结构校验和个人信息检查"
CLI_CHECK_FAILED = "案例检查未通过：{message}"

# records service (case library, discussions, dashboards): key -> (english for logs, chinese for people)
SERVICE_MESSAGES = {
    "studio_not_found": ("studio {value} does not exist", "工作室不存在：{value}"),
    "not_host": ("only the studio's host may open a discussion in {value}", "只有工作室主持人可以在“{value}”发起研讨"),
    "case_not_found": ("case {value} does not exist or is not shared", "案例不存在或尚未共享：{value}"),
    "cases_forbidden": ("the case library is for teachers, studio leaders and trainers",
                        "案例库仅向教师、工作室主持人和培训者开放"),
    "case_pii": ("case {value} failed the PII check", "{detail}"),
    "aggregates_forbidden": ("research dashboards are for studio leaders, trainers and administrators",
                             "研究看板仅向工作室主持人、培训者和管理员开放"),
    "bad_format": ("format must be md or docx", "纪要格式只能是 md 或 docx"),
    "bad_body": ("field {value} is missing or not text", "缺少“{value}”或格式不正确"),
    "rule_forbidden": ("case discussion: not allowed", "{detail}"),
    "rule_invalid": ("case discussion: invalid input", "{detail}"),
    "rule_not_found": ("case discussion: not found", "{detail}"),
}
EXAM_TIMEPOINT_WORDS = ("期中", "期末", "考")
CLI_LOAD_HELP = "把案例库载入记录数据库（已存在的案例按文件更新）"
CLI_LOAD_OK = "案例库已载入：新增 {added} 个，更新 {updated} 个，未变 {unchanged} 个"
CLI_LOAD_FAILED = "案例库载入失败，数据库未做改动：{message}"

# widgets: discussion lobby
UI_STUDIO = "工作室"
UI_CASE = "案例"
UI_CREATE = "发起研讨"
UI_SESSIONS = "研讨活动"
UI_JOIN = "加入"
UI_JOIN_BY_ID = "研讨编号"
UI_NO_STUDIO = "您还不是任何导师工作室的成员，暂时没有可以加入的研讨。"
UI_NO_SESSIONS = "暂无进行中的研讨"
UI_SESSION_OPTION = "{title}（{studio}，{round}，编号 {id}）"
UI_LEAVE = "返回研讨列表"
UI_REFRESH = "刷新列表"
UI_SESSION_ID = "研讨编号：{id}"
