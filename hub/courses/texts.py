"""Every people-facing text of the courses area, in one place (Simplified Chinese)."""

# --- catalog -----------------------------------------------------------------------------
COURSE_FILE_MISSING = "找不到课程元数据文件：{path}"
COURSE_FILE_UNREADABLE = "课程元数据文件 {path} 不是有效的 YAML：{error}"
COURSE_FIELD_INVALID = "课程元数据文件 {path} 中的字段 {field} 有误：{error}"
COURSE_ID_MISMATCH = "课程元数据文件 {path} 中的 course_id「{course_id}」必须与文件夹名「{folder}」一致"
COURSE_DUPLICATE_ASSIGNMENT = "课程「{course_id}」中作业编号「{assignment_id}」重复"
COURSE_SOURCE_MISSING = "课程「{course_id}」的作业「{assignment_id}」缺少源笔记本：应放在 {path}"
COURSE_NOT_FOUND = "没有编号为「{course_id}」的课程（现有课程：{known}）"
ASSIGNMENT_NOT_FOUND = "课程「{course_id}」中没有编号为「{assignment_id}」的作业（现有作业：{known}）"
ROOT_FIELD = "（顶层）"

# --- pipeline ------------------------------------------------------------------------------
STEP_FAILED = "nbgrader 步骤「{step}」失败：{detail}"
SUBMISSION_TIMEOUT = "评分超时（超过 {seconds} 秒），已跳过，请检查是否有不会结束的代码"
SUBMISSION_UNREADABLE = "提交的笔记本无法读取（不是有效的笔记本文件）：{name}"
SUBMISSION_FAILED = "自动评分失败：{detail}"
SUBMISSION_WORKER_DIED = "评分进程意外退出，已跳过这份提交"
SUBMISSION_LATE = "逾期提交"
SUBMISSION_TESTS_MODIFIED = "评分单元格被改动或删除，已按原题恢复后评分"
PROGRESS_LABEL = "自动评分"
AUTOGRADE_SUMMARY = "自动评分完成：{ok} 份成功，{failed} 份失败，共 {total} 份。"
NO_SUBMISSIONS = "作业「{assignment_id}」还没有收回任何提交。"
ANSWERS_NOT_DATA = "以下作答不是纯数据（文字、数字、列表或字典），无法取出，相应题目记 0 分：{names}"
ANSWERS_UNAVAILABLE = "作答无法取出（{reason}），自动评分部分记 0 分"
ANSWERS_PARTIAL = "运行作答中途停止（{reason}）：只计入此前已完成的作答"
REASON_KERNEL_DIED = "运行作答的进程意外退出"
REASON_TIMEOUT = "运行作答超时"
REASON_NO_REPLY = "运行作答时没有返回结果"
REASON_WORKER = "评分进程被终止"
OUTPUT_TRUNCATED = "（输出过长，其余部分未保存）"
FEEDBACK_FAILED = "反馈生成失败：{detail}"
FEEDBACK_SUMMARY = "反馈完成：{ok} 份已发放，{failed} 份失败，共 {total} 份。"
NO_GRADED_SUBMISSIONS = "作业「{assignment_id}」还没有已评分的提交，请先自动评分。"

FORMGRADER_NO_KERNELS = "评分服务不运行代码：请在自己的工作环境中运行笔记本，自动评分请用“自动评分”功能。"

# --- sandbox ----------------------------------------------------------------------------------
SANDBOX_MISSING = ("自动评分需要 bubblewrap 沙箱（找不到命令 {tool}），为了安全不会在沙箱外运行教师的代码。"
                   "请以 root 安装：apt-get install bubblewrap")
SANDBOX_MISSING_PRLIMIT = "自动评分需要 prlimit 命令（util-linux）来限制资源：请以 root 安装：apt-get install util-linux"
SANDBOX_BROKEN = ("无法建立自动评分沙箱，为了安全不会在沙箱外运行教师的代码。请确认已安装 bubblewrap，"
                  "并且系统允许非特权用户命名空间（sysctl kernel.unprivileged_userns_clone=1，"
                  "user.max_user_namespaces 大于 0）。详情：{detail}")

# --- roster -------------------------------------------------------------------------------
ROSTER_FILE_INVALID = "名册文件 {path} 第 {line} 行有误：{error}"
ROSTER_MISSING_COLUMN = "名册文件 {path} 缺少列：{columns}"
ROSTER_FILE_REFUSED = "名册文件 {path} 无法读取：{error}"
ROSTER_HUB_UNREACHABLE = "无法从平台读取用户组「{group}」：{error}"
ROSTER_SYNCED = "名册已同步：新增 {added} 人，更新 {updated} 人，共 {total} 人。"

# --- export -------------------------------------------------------------------------------
EXPORT_COLUMNS = {
    "staff_id": "工号",
    "name": "姓名",
    "school": "学校",
    "course": "课程",
    "assignment": "作业",
    "score": "得分",
    "max_score": "满分",
    "passed": "是否合格",
    "hours": "学时",
    "date": "日期",
}
PASSED_YES = "合格"
PASSED_NO = "不合格"
PASSED_PENDING = "待评分"
NOT_SUBMITTED = "未提交"
EXPORT_UNKNOWN_FORMAT = "不支持的导出格式「{suffix}」：请使用 .csv 或 .xlsx"
EXPORT_SHEET = "培训成绩与学时"
EXPORT_WRITTEN = "已导出 {rows} 行到 {path}"

# --- feedback ---------------------------------------------------------------------------------
FEEDBACK_HINT_PREFIX = "提示："
FEEDBACK_GENERIC_HINT = "本题未通过自动检查，请对照题目要求再检查一遍。"
FEEDBACK_TIMEOUT_HINT = "本题运行超时，请检查答案中是否有不会结束的代码。"
FEEDBACK_UNAVAILABLE_HINT = "本题的作答无法取出（需要是文字、数字、列表或字典），未能评分。"
FEEDBACK_MARKER_NOTE = "（作答中的评分标记已停用）"

# --- CLI --------------------------------------------------------------------------------------
CLI_HELP = "培训课程：名册、发布、收回、自动评分、反馈与成绩导出"
CLI_LIST_HELP = "列出全部课程与作业"
CLI_SYNC_HELP = "把平台用户组 nbgrader-<课程> 中的教师同步到成绩册"
CLI_RELEASE_HELP = "生成并发布一次作业"
CLI_COLLECT_HELP = "收回已提交的作业"
CLI_AUTOGRADE_HELP = "并行自动评分（每份提交单独运行，有超时保护）"
CLI_FEEDBACK_HELP = "生成并发放反馈"
CLI_GRADING_JOB_HELP = "集群模式：输出在独立 Pod 中自动评分的 Kubernetes Job（用 kubectl apply -f - 提交）"
CLI_ARG_IMAGE = "评分 Pod 使用的镜像（默认取设置 cluster.hub_image）"
CLUSTER_GRADES_IN_A_JOB = ("集群模式下自动评分不在平台主 Pod 中运行：请运行 "
                           "mentorhub course grading-job {course} {assignment} | kubectl -n mentorhub apply -f -")
CLI_EXPORT_HELP = "导出每位教师的成绩与学时（.csv 或 .xlsx）"
CLI_ARG_COURSE = "课程编号，例如 foundations"
CLI_ARG_ASSIGNMENT = "作业编号，例如 policy-basics"
CLI_ARG_JOBS = "同时评分的进程数（默认 2）"
CLI_ARG_TIMEOUT = "每份提交的评分时限（秒，默认 120）"
CLI_ARG_ROSTER = "名册 CSV 文件（列：staff_id,name,school），用于补充姓名和学校"
CLI_ARG_OUTPUT = "导出文件路径（.csv 或 .xlsx）"
CLI_COURSE_LINE = "{course_id}　{title}（{tier}，{category}）"
CLI_ASSIGNMENT_LINE = "　　{assignment_id}　{title}　{tier}　{hours} 学时　合格线 {threshold:.0%}"
CLI_RESULT_LINE = "　{student_id}：{status}"
CLI_OK = "完成。"
FAILED_LIST = "以下提交未能完成（请逐一检查）："
CLI_ERROR = "错误：{message}"
NEED_HUB_TOKEN = ("没有平台令牌：发布、收回和返还反馈都经过平台的作业交换服务，它凭培训者本人的令牌识别身份。"
                  "请在平台的“令牌”页（/hub/token）生成一个，然后运行 export JUPYTERHUB_API_TOKEN=<令牌> 再试。")
STATUS_OK = "成功"
STATUS_FAILED = "失败"
# Server mode: the course folder belongs to the course's grader account (hub/courses/command.py)
GRADER_ACCOUNT_MISSING = ("服务器模式下课程「{course}」的阅卷账号 {account} 不存在："
                          "请先启动平台（启动时会创建它），再运行本命令。")
RUN_AS_GRADER = ("服务器模式下课程「{course}」的文件属于账号 {account}：请以 root 运行本命令（会自动切换到该账号），"
                 "或用 runuser -u {account} -- mentorhub course ... 运行。")
EXPORT_NOT_WRITABLE = "无法写入 {path}：账号 {account} 没有写入权限，请换一个它可以写入的位置（例如 /tmp）。"
