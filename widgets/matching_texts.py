"""People-facing texts of the matching panel (德育处 双向匹配), in Simplified Chinese, in one place.

Messages shared with the command (errors, refusals, choice labels) come from hub.matching.messages.
"""

TITLE = "师生双向匹配"
INTRO = (
    "上传学生表和导师表（.csv 或 .xlsx；也可上传一个含“students”“mentors”两个工作表的工作簿），"
    "核对概况后开始匹配。结果按班级和学号列出，只显示每名学生得到的是自己的第几志愿。"
)
UPLOAD_STUDENTS = "学生表"
UPLOAD_MENTORS = "导师表"
UPLOAD_WORKBOOK = "工作簿"
DEFAULT_CAPACITY = "默认容量"
RUN = "开始匹配"
CLASS_FILTER = "班级"
ALL_CLASSES = "全部班级"
STUDENT = "学生编号"
OLD_MENTOR = "原导师（空=主导师）"
NEW_MENTOR = "新导师"
REASSIGN = "改派"
SWAP_FIRST = "学生甲"
SWAP_SECOND = "学生乙"
SWAP = "互换主导师"
TERM = "学期"
FILE_NAME = "保存为"
SAVE_FILE = "保存到文件"
SAVE_STORE = "保存到导师平台"
SECTION_RESULT = "匹配结果"
SECTION_LOADS = "导师带教人数"
SECTION_ADJUST = "人工调整"
SECTION_SAVE = "保存本学期结对"

SUMMARY = (
    "学生 {students} 名（其中需要多位导师的 {special} 名），导师 {mentors} 位，"
    "容量合计 {capacity}，需要的导师名额 {needed}。"
)
WAITING = "请先上传学生表和导师表。"
LOADED_STUDENTS = "已读取学生表“{name}”：{count} 名学生。"
LOADED_MENTORS = "已读取导师表“{name}”：{count} 位导师。"
LOADED_STORE = "已从导师平台读取 {students} 名学生、{mentors} 位导师。"
MATCHED = (
    "匹配完成：{first} 人获得第 1 志愿，{filled} 人由学校在志愿外安排，"
    "多对一学生 {special} 名；最大带教人数 {max_load}。"
)
STABLE = "核验通过：没有不稳定的师生配对。"
UNSTABLE_AFTER_EDIT = "提示：人工调整后有 {count} 对师生配对不再稳定（学生更想要、导师也愿意接收）。"
ADJUSTED = "已调整：{text}"
REASSIGNED = "学生“{student}”的导师由“{old}”改为“{new}”。"
SWAPPED = "学生“{first}”与“{second}”互换了主导师。"
SAVED_FILE = "已保存 {rows} 行结对记录到 {path}。"
SAVED_STORE = "已将 {term} 的 {rows} 行结对记录保存到导师平台。"
NEED_RESULT = "请先完成匹配。"
NEED_TERM = "请填写学期，例如 2026-2027-1。"
NEED_FILE_NAME = "请填写保存的文件名（.csv 或 .xlsx）。"
NO_CLIENT = "当前没有连接导师平台，只能保存到文件。"
CLIENT_MISSING_METHOD = "导师平台客户端暂不支持“{method}”，请改用上传文件。"
UNEXPECTED = "操作失败：{error}（详情见下方日志）"
TABLE_TRUNCATED = "共 {total} 行，只显示前 {shown} 行，请按班级筛选。"

# MentorAssignment.method values in the records store.
METHOD_STUDENT_CHOICE = "学生志愿"
METHOD_SCHOOL = "学校调配"

COLUMNS_RESULT = {
    "student_id": "学生编号",
    "class_id": "班级",
    "primary": "主导师",
    "choice": "志愿",
    "additional": "其他导师（多对一）",
}
COLUMNS_LOADS = {
    "mentor_id": "导师",
    "roles": "角色",
    "capacity": "容量",
    "load": "带教人数",
}
ROLE_NAMES = {
    "subject": "学科教师",
    "head_teacher": "班主任",
    "psychology": "心理教师",
    "leader": "校领导",
    "middle_manager": "中层干部",
}
