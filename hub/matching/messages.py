"""People-facing texts of the matching component, in Simplified Chinese, kept in one place.

Every message that a school administrator can see (command output, errors, widget refusals) is a
template here; code fills in the placeholders. Logs stay in English and do not use this module.
"""

# Where a problem is: file, row, column. Rows are counted as a spreadsheet shows them (header = row 1).
WHERE_FILE = "文件 {file}"
WHERE_ROW = "第 {row} 行"
WHERE_COLUMN = "“{column}”列"
WHERE_COLUMN_NAMED = "“{column}”列（{name}）"

# Reading the tables.
FILE_NOT_FOUND = "找不到文件。"
FILE_UNREADABLE = "无法读取文件：{reason}"
FILE_EMPTY = "文件是空的，至少需要一行表头。"
UNSUPPORTED_FORMAT = "不支持的文件格式“{suffix}”，请使用 .csv 或 .xlsx。"
SHEET_MISSING = "工作簿里没有名为“{sheet}”的工作表（现有：{found}）。"
COLUMN_MISSING = "缺少必需的列“{name}”（也可写作 {column}；表头应包含：{expected}）。"
COLUMN_DUPLICATE = "表头中“{column}”列出现了不止一次。"
ID_EMPTY = "编号不能为空。"
ID_DUPLICATE = "编号“{id}”重复，第 {first_row} 行已经出现过。"
NOT_WHOLE_NUMBER = "“{value}”不是整数。"
NEEDS_TOO_SMALL = "需要的导师人数必须至少为 1，这里是 {value}。"
NEEDS_TOO_MANY = "需要 {value} 位导师，但导师总共只有 {mentors} 位。"
CAPACITY_RANGE = "导师容量必须在 1 到 {max} 之间，这里是 {value}。"
DEFAULT_CAPACITY_RANGE = "默认容量必须在 1 到 {max} 之间，这里是 {value}。"
UNKNOWN_MENTOR = "志愿里的导师编号“{id}”在导师表中不存在。"
UNKNOWN_STUDENT = "志愿里的学生编号“{id}”在学生表中不存在。"
PREF_DUPLICATE = "志愿里“{id}”出现了不止一次。"
UNKNOWN_ROLE = "未知的角色“{role}”，可用：{allowed}。"
NO_ROWS = "表中没有任何数据行。"
MORE_PROBLEMS = "……另有 {count} 处问题未列出。"

# Feasibility (the whole instance).
SHORTFALL = "导师总容量不足：学生共需 {needed} 个导师名额（含多对一），导师容量合计 {capacity}，还缺 {missing} 个。"
PRIORITY_SHORTFALL = (
    "有 {special} 名学生需要多位导师，每人至少要有一位班主任、心理教师、校领导或中层干部，"
    "但这些导师的容量合计只有 {capacity}。"
)
NO_ROOM_ADDITIONAL = "无法为学生“{student}”安排第 {slot} 位导师：符合条件的导师名额已用完。"
NO_ROOM_PRIMARY = (
    "无法为学生“{student}”安排主导师：剩余名额只在该生已有的导师那里，请增加其他导师的容量。"
)

# Rules (used by the verifier and for manual adjustments).
RULE_NO_PRIMARY = "学生“{student}”没有主导师。"
RULE_COUNT = "学生“{student}”需要 {needs} 位导师，现在有 {count} 位。"
RULE_REPEAT = "导师“{mentor}”重复出现在学生“{student}”的导师名单中。"
RULE_PRIORITY = (
    "学生“{student}”需要多位导师，其中至少要有一位班主任、心理教师、校领导或中层干部。"
)
RULE_OVERLOAD = "导师“{mentor}”将带 {load} 名学生，超过其容量 {capacity}。"
UNKNOWN_STUDENT_ID = "学生编号“{id}”不存在。"
UNKNOWN_MENTOR_ID = "导师编号“{id}”不存在。"
NOT_ASSIGNED = "导师“{mentor}”不是学生“{student}”的导师。"
SAME_MENTOR = "新旧导师相同，无需调整。"
SAME_STUDENT = "请填写两名不同的学生。"
REFUSED = "调整未执行：{reason}"

# Command output.
PROGRESS_READ = "已读取 {students} 名学生、{mentors} 位导师（{seconds:.2f} 秒）。"
PROGRESS_MATCHED = "匹配与核验完成（{seconds:.2f} 秒）。"
DONE = (
    "已为 {students} 名学生匹配导师：{first} 人获得第 1 志愿，{filled} 人由学校在志愿外安排；"
    "结果写入 {out}。"
)
INPUT_PROBLEMS = "输入有误，未写出任何文件："
VERIFY_FAILED = "内部核验未通过，未写出任何文件：{reason}"
BLOCKING_PAIRS = "存在 {count} 对不稳定的师生配对。"
WRITE_FAILED = "写出结果失败，未留下任何半成品文件：{reason}"

# Choice labels (which of a student's own choices the primary mentor was).
CHOICE_LABEL = "第{n}志愿"
CHOICE_OUTSIDE = "志愿外"

# The columns of the two tables: Chinese headers (as in the template) and what each holds. English headers
# (student_id, ...) are accepted as well; text in brackets after a header is ignored.
COLUMN_NAMES = {
    "student_id": "学生编号", "class_id": "班级", "needs_mentors": "需要导师数", "name": "姓名",
    "mentor_id": "教师编号", "roles": "角色", "capacity": "容量", "classes": "任教班级", "prefs": "志愿",
}  # fmt: skip
STUDENT_HEADERS = {"student_id": "学生编号", "name": "姓名", "class_id": "班级", "needs_mentors": "需要导师数",
                   "prefs": "志愿导师"}  # fmt: skip
MENTOR_HEADERS = {"mentor_id": "教师编号", "name": "姓名", "roles": "角色", "capacity": "容量",
                  "classes": "任教班级", "prefs": "志愿学生"}  # fmt: skip
COLUMN_HELP = {
    "students": (
        ("学生编号", "student_id", "必填。平台里的学生编号（不是学籍号），每行一名学生，不能重复。", "dh-601-01"),
        ("姓名", "name", "可选。只用于核对，匹配时不使用。", "王子涵"),
        ("班级", "class_id", "必填。班级编号；导师任教的班级会优先考虑本班学生。", "dh-601"),
        ("需要导师数", "needs_mentors", "可空，默认 1。有特殊指导需要的学生可填 2 或 3（多对一），其中须有一位"
         "班主任、心理教师、校领导或中层干部。", "1"),
        ("志愿导师", "prefs", "可空。学生希望的导师的教师编号，按志愿顺序，用分号隔开。", "teacher3;teacher7"),
    ),
    "mentors": (
        ("教师编号", "mentor_id", "必填。平台里的教师编号（登录名），每行一位导师，不能重复。", "teacher3"),
        ("姓名", "name", "可选。只用于核对，匹配时不使用。", "李明"),
        ("角色", "roles", "可空。学科教师、班主任、心理教师、校领导、中层干部，也可写学校管理员、工作室主持人；"
         "多个用分号隔开（英文角色名也可以）。", "学科教师;班主任"),
        ("容量", "capacity", "可空，默认为页面上的默认容量。最多带多少名学生（1–15）。", "15"),
        ("任教班级", "classes", "可空。任教的班级编号，用分号隔开。", "dh-601;dh-602"),
        ("志愿学生", "prefs", "可空。导师希望结对的学生编号，按先后顺序，用分号隔开。", "dh-601-05"),
    ),
}  # fmt: skip
HELP_SHEET = "说明"
HELP_COLUMNS = ("列名", "英文列名（也可用）", "说明", "示例")
HELP_INTRO = ("工作簿里“学生”“导师”两个工作表各一张表，第一行是表头（保留下列各列，“姓名”可删），其下一行一人；"
              "“可空”指单元格可以不填。表头可以用中文或英文，顺序不限，多余的列会被忽略。")

