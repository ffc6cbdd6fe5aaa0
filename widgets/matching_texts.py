"""People-facing texts of the matching panel (德育处 双向匹配), in Simplified Chinese, in one place.

Messages shared with the command (errors, refusals, choice labels) come from hub.matching.messages.
"""

TITLE = "师生双向匹配"
INTRO = (
    "① 下载表格模板（已连接导师平台时，模板里已有本校学生和导师，只需填写志愿）；② 填好后上传学生表和导师表"
    "（也可上传含“学生”“导师”两个工作表的一个工作簿，.xlsx 或 .csv，中文或英文表头均可）；③ 核对概况后开始匹配；"
    "④ 需要时人工调整；⑤ 下载结果，或预览变化、确认后保存到导师平台。结果按班级和学号列出，只显示每名学生得到的是"
    "自己的第几志愿。文件只会下载到您自己的电脑，不会保存到任何共享文件夹。"
)
SECTION_PREPARE = "准备表格"
TEMPLATE = "下载表格模板（.xlsx）"
TEMPLATE_READY = "下载 {filename}"
TEMPLATE_FILE = "师生匹配模板.xlsx"
TEMPLATE_FILE_SCHOOL = "师生匹配模板（本校名单）.xlsx"
TEMPLATE_HELP = (
    "学生表的列：学生编号、姓名（可省）、班级、需要导师数、志愿导师（教师编号，用分号隔开）；"
    "导师表的列：教师编号、姓名（可省）、角色、容量、任教班级、志愿学生。模板的“说明”工作表逐列说明了填法。"
)
SECTION_UPLOAD = "上传表格"
UPLOAD_STUDENTS = "学生表"
UPLOAD_MENTORS = "导师表"
UPLOAD_WORKBOOK = "工作簿"
BOTH_TABLES = "两张表之间"
DEFAULT_CAPACITY = "默认容量"
RUN = "开始匹配"
CLASS_FILTER = "班级"
ALL_CLASSES = "全部班级"
STUDENT = "学生编号"
OLD_MENTOR = "原导师编号（空=主导师）"
NEW_MENTOR = "新导师编号"
REASSIGN = "改派"
SWAP_FIRST = "学生甲编号"
SWAP_SECOND = "学生乙编号"
SWAP = "互换主导师"
TERM = "学期编号"
TERM_PLACEHOLDER = "请填写，如 2026-2027-1"
RESULT_FILE = "下载结对结果（.xlsx）"
RESULT_READY = "下载 {filename}"
RESULT_FILENAME = "结对结果-{term}.xlsx"
RESULT_SHEET = "结对结果"
RESULT_COLUMNS = ("学生编号", "学生姓名", "班级", "导师编号", "导师姓名", "类型", "志愿", "结对方式")
KIND_NAMES = {"primary": "主导师", "additional": "协同导师"}
PREVIEW = "预览保存后的变化"
CONFIRM = "确认保存到导师平台"
CANCEL = "取消"
SECTION_RESULT = "匹配结果"
SECTION_LOADS = "导师带教人数"
SECTION_ADJUST = "人工调整"
SECTION_SAVE = "下载与保存本学期结对"
NAME_AND_ID = "{name}（{id}）"
SUMMARY = (
    "学生 {students} 名（其中需要多位导师的 {special} 名），导师 {mentors} 位，"
    "容量合计 {capacity}，需要的导师名额 {needed}。"
)
WAITING = "请先上传学生表和导师表。"
TABLE_MISSING = "{table}：尚未上传。"
TABLE_READ = "{table}：已读取“{source}”，{count} {unit}。"
TABLE_PROBLEMS = "{table}：“{source}”有 {count} 处问题（见下），请修改后重新上传。"
UNIT_STUDENTS = "名学生"
UNIT_MENTORS = "位导师"
FROM_RECORDS = "导师平台名单"
PROBLEMS_OF = "{table}有 {count} 处问题："
PREVIEW_TITLE = "保存后的变化（{term}，尚未保存）"
PREVIEW_SUMMARY = "共 {students} 名学生：{unchanged} 人主导师不变，{moved} 人换主导师，{added} 人新结对，{removed} 人将没有导师。"
PREVIEW_MOVED = "换主导师的学生（原导师写的记录留在学生档案中：保存后由新导师查看，原导师不再能查看）"
PREVIEW_MOVED_ROW = "{student}：{before} → {after}；原导师本学期已写记录 {records} 条"
PREVIEW_ADDED = "新结对的学生"
PREVIEW_ADDED_ROW = "{student}：{after}"
PREVIEW_REMOVED = "保存后将没有导师的学生（不在本次结果中）"
PREVIEW_REMOVED_ROW = "{student}：原导师 {before}；原导师本学期已写记录 {records} 条"
PREVIEW_ADDITIONAL = "协同导师（多对一）的变化"
PREVIEW_ADDITIONAL_ROW = "{student}：增加 {gained}；取消 {lost}"
PREVIEW_NOTHING = "与导师平台现有的结对完全相同。"
PREVIEW_CONFIRM = "核对无误后点“确认保存到导师平台”；保存会替换本校本学期原有的全部结对。"
PREVIEW_MORE = "……另有 {count} 名，未逐一列出"
NONE = "无"
NEED_PREVIEW = "请先预览保存后的变化，再确认保存。"
CANCELLED = "已取消，导师平台上的结对没有改动。"
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
SAVED_STORE = "已将 {term} 的 {rows} 行结对记录保存到导师平台。"
NEED_RESULT = "请先完成匹配。"
NEED_TERM = "请填写学期编号，例如 2026-2027-1。"
NO_CLIENT = "当前没有连接导师平台，只能下载结果文件。"
CLIENT_MISSING_METHOD = "导师平台客户端暂不支持“{method}”，请改用上传文件。"
UNEXPECTED = "操作失败：{error}（详情见下方日志）"
REFUSED = "导师平台未接受：{message}"
NO_DIRECTORY = "无法读取本校名单（{message}）：可以上传表格匹配并下载结果，但不能保存到导师平台。"
READY = "两张表都已读取，可以开始匹配。"
TABLE_TRUNCATED = "共 {total} 行，只显示前 {shown} 行，请按班级筛选。"

# MentorAssignment.method values in the records store.
METHOD_STUDENT_CHOICE = "学生志愿"
METHOD_SCHOOL = "学校调配"

COLUMNS_RESULT = {
    "student_id": "学生编号",
    "student_name": "姓名",
    "class_id": "班级",
    "primary": "主导师",
    "choice": "志愿",
    "additional": "其他导师（多对一）",
}
COLUMNS_LOADS = {
    "mentor_id": "教师编号",
    "name": "姓名",
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
    "mentor": "导师",
    "school_admin": "学校管理员",
    "studio_leader": "工作室主持人",
    "trainer": "培训者",
    "admin": "平台管理员",
}
