"""People-facing texts of the minors'-data commands (mentorhub keys / backup / restore / retention /
access-review), in Simplified Chinese, kept in one place for review."""

TABLE_NAMES = {"concern_flags": "关注记录的情况说明", "guardians": "监护人联系方式", "guardian_requests": "监护人申请内容",
               "records": "记录（家庭情况）", "record_versions": "记录的历史版本（家庭情况）"}  # fmt: skip

KEYS_STATUS_HEAD = "密钥文件 {path}：当前密钥 {current}，共 {count} 把"
KEYS_STATUS_LINE = "  {table}：{tally}"
KEYS_STATUS_NONE = "无"
KEYS_PLAIN = "未加密"
KEYS_ROTATED = "已生成新密钥 {key}，并用它重新加密了敏感字段："
KEYS_CHANGED_LINE = "  {table}：{count} 项"
KEYS_RETIRED = "已从密钥文件中删除旧密钥：{keys}（用旧密钥制作的备份将无法再解密其中的敏感字段）"
KEYS_KEPT = "旧密钥仍保留在密钥文件中（用它们制作的备份仍可恢复）；确认不再需要后可加 --retire 删除。"
KEYS_NO_FILE = "找不到密钥文件 {path}：平台首次启动时会自动生成；也可运行 mentorhub keys init 生成"
KEYS_MADE = "已生成密钥文件 {path}（权限 0600）。请另行妥善保管它的副本：备份中不含密钥。"
KEYS_EXISTS = "密钥文件 {path} 已存在，未做改动"

RETENTION_COUNTS = {"students_anonymised": "学生匿名化", "records_deleted": "删除记录",
                    "record_versions_deleted": "删除记录的历史版本", "flags_deleted": "删除关注记录",
                    "guardians_deleted": "删除监护人", "consents_deleted": "删除同意记录",
                    "guardian_requests_deleted": "删除监护人申请"}  # fmt: skip
RETENTION_DRY_RUN = "演练（未做任何改动）：按保留规则，今天（{today}）运行将会："
RETENTION_DONE = "已按保留规则（{today}）删除或匿名化："
RETENTION_LINE = "  {what}：{count}"
RETENTION_RULE = ("保留规则：学生离校 {records_years_after_leaving} 年后删除其记录并匿名化；关注记录关闭 {flags_years_after_closing} 年后删除；"
                  "作者删除的记录 {deleted_records_days} 天后彻底删除")
RETENTION_LEFT = "已登记 {count} 名学生于 {day} 离校"
RETENTION_BAD_DAY = "日期格式应为 2026-07-01"

REVIEW_HEAD = "访问审查：学校 {school}，{since} 至 {until}"
REVIEW_OPEN_END = "不限"
REVIEW_READERS = "读取者（按用户名排列）："
REVIEW_READER_LINE = "  {who}：{reads} 次，涉及学生 {students} 名（{actions}）"
REVIEW_NONE = "  （无）"
REVIEW_BREAK_GLASS = "紧急查阅："
REVIEW_BREAK_GLASS_LINE = "  {at} {who} 查阅 {students}：{reason}"
REVIEW_EXPORTS = "汇总表导出："
REVIEW_EXPORT_LINE = "  {at} {who}（学期 {term}）"
REVIEW_NOTE = "说明：导师读取本人结对学生的记录不记入审计日志，因此不在本审查之列。"
REVIEW_WRITTEN = "审查结果已写入 {path}"
REVIEW_ACTIONS = {"record.read": "读取记录", "record.history": "查看记录历史", "flag.read_details": "查看关注详情",
                  "break_glass.read": "紧急查阅", "guardian_request.copy": "生成监护人副本",
                  "guardian.read": "查看监护人联系方式"}  # fmt: skip
REVIEW_SHEETS = {"readers": "读取者", "students": "学生", "break_glass": "紧急查阅", "exports": "导出"}
REVIEW_COLUMNS = {"readers": ("读取者", "次数", "涉及学生数", "操作", "学生编号"),
                  "students": ("班级", "学生编号", "学生", "读取者"),
                  "break_glass": ("时间", "查阅人", "学生编号", "依据", "理由"),
                  "exports": ("时间", "导出人", "学期")}  # fmt: skip
