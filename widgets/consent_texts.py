"""People-facing texts of the workbench's consent views (可记录范围, 监护人同意), in Simplified Chinese."""

TAB_MENTEES = "可记录范围"
TAB_SCHOOL = "监护人同意"
MENTEES_INTRO = ("未满14周岁的学生，需要监护人同意后才能记录（《个人信息保护法》第31条）。下表是每位结对学生目前可以记录的范围；"
                 "缺少同意的，请联系学校德育处（学校管理员）登记，不要先写后补。")
SCHOOL_INTRO = ("本校缺少监护人同意的学生：未满14周岁而某项尚未同意或已撤回的，以及花名册没有出生年月、无法判断是否需要同意的。"
                "登记同意时请写明告知书版本和同意方式。")
NONE_MISSING = "本校目前没有缺少监护人同意的学生。"
NO_MENTEES = "本学期没有结对学生。"
COL_CLASS = "班级"
COL_STUDENT = "学生"
COL_AGE = "年龄"
COL_MAY_RECORD = "可以记录"
COL_MISSING = "缺少"
SCOPES = {"mentor_records": "导师记录", "home_visit": "家访", "referral": "校外转介"}
STATUS = {"given": "已同意", "withdrawn": "已撤回", "missing": "未登记", "not_needed": "无需"}
AGE = {True: "未满14周岁", False: "已满14周岁", None: "出生年月未知"}
MAY_RECORD_ALL = "全部（已满14周岁，无需监护人同意）"
MAY_RECORD_NOTHING = "暂不能记录"
AGE_UNKNOWN_REASON = "出生年月未知，请补全花名册"
LOAD_FAILED = "无法读取监护人同意情况：{message}"
