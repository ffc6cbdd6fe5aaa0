"""Every message of the exchange, in one place: (English for logs, Chinese for people)."""

LOGIN_REQUIRED = ("a hub token with access to the exchange service is required",
                  "请先登录平台（需要能访问作业交换服务的令牌）")
HUB_UNREACHABLE = ("the hub cannot be reached to check the caller's token",
                   "暂时无法连接平台验证身份，请稍后再试")
BAD_JSON = ("the request body is not valid JSON", "请求内容不是有效的 JSON")
BAD_NAME = ("{what} {value!r} is not a valid name (letters, digits, '-', '_', '.'; at most 100 characters)",
            "{what_zh}「{value}」不合法：只能包含字母、数字、汉字和 - _ .，且不超过 100 个字符")
BAD_PATH = ("file path {value!r} is not allowed (relative, no '..', no hidden or empty parts)",
            "文件路径「{value}」不被允许：必须是相对路径，不能含有 ..、空段或以点开头的部分")
BAD_FILES = ("'files' must be a non-empty list of {{path, content_b64, sha256}} objects",
             "上传内容格式不正确：files 必须是非空的文件列表")
BAD_BASE64 = ("file {path!r}: content is not valid base64", "文件「{path}」的内容编码不正确")
CHECKSUM_MISMATCH = ("file {path!r}: sha256 does not match its content (damaged in transit?)",
                     "文件「{path}」的校验值与内容不符（传输中可能损坏），请重新提交")
DUPLICATE_PATH = ("file {path!r} appears twice", "文件「{path}」重复出现")
PATH_CLASH = ("{path!r} is both a file and a folder of {inner!r}",
              "「{path}」既是一个文件，又是「{inner}」所在的文件夹：请重命名其中之一后再提交")
TOO_DEEP = ("the request body is nested too deeply", "请求内容的嵌套层数过多，无法处理")
UNKNOWN_FIELD = ("unknown field {field!r} in the request", "请求中含有不允许的字段「{field}」")
NAME_IN_PAYLOAD = ("a submission is filed under the caller's own hub name; {field}={value!r} is refused",
                   "提交只能以你本人的身份保存，不能指定他人（{value}）")
TIMESTAMP_IN_PAYLOAD = ("submission timestamps are set by the server on receipt; {field!r} is refused",
                        "提交时间由服务器在收到时记录，不能由客户端指定")
TOO_LARGE = ("the upload is {size_mb:.1f} MB, over the limit of {limit_mb:.0f} MB per submission",
             "本次上传约 {size_mb:.1f} MB，超过了每次提交 {limit_mb:.0f} MB 的上限。"
             "请删除作业文件夹中不需要的大文件（如数据、图片、视频）后再提交。")
OVER_QUOTA = ("{student}'s submissions to course {course!r} would reach {total_mb:.1f} MB with this one "
              "({size_mb:.1f} MB), over the quota of {quota_mb:.0f} MB per teacher and course",
              "本次提交约 {size_mb:.1f} MB，提交后你在课程「{course}」保存的全部提交将达到 {total_mb:.1f} MB，"
              "超过每位教师每门课程 {quota_mb:.0f} MB 的上限。请删除作业文件夹中不需要的大文件后再提交；"
              "如确需更多空间，请联系课程培训者。")
TOO_MANY_SUBMISSIONS = ("{student} made {count} submissions within {window} s, the limit; next one in {wait} s",
                        "提交过于频繁：每位教师每 {window} 秒最多提交 {count} 次，请在 {wait} 秒后再试。")
UNKNOWN_COURSE = ("there is no course {course!r} in this exchange", "没有编号为「{course}」的课程")
NOT_IN_COURSE = ("you are not enrolled in course {course!r}", "你没有选修课程「{course}」，不能查看或提交它的作业")
NOT_TRAINER = ("only trainers of course {course!r} may do this", "只有课程「{course}」的培训者可以执行此操作")
NOT_YOURS = ("you may only see your own submissions and feedback",
             "你只能查看自己的提交和反馈")
NOT_RELEASED = ("assignment {assignment!r} of course {course!r} has not been released",
                "课程「{course}」的作业「{assignment}」尚未发布")
ALREADY_RELEASED = ("assignment {assignment!r} of course {course!r} is already released; use force to replace it",
                    "课程「{course}」的作业「{assignment}」已经发布过；如需替换请使用强制发布")
NO_SUBMISSION = ("there is no such submission", "找不到这份提交")
NO_FEEDBACK = ("there is no feedback for this submission yet", "这份提交还没有反馈")
HIDDEN_TESTS_IN_FEEDBACK = ("feedback {path!r} contains hidden test source; refused",
                            "反馈「{path}」中含有隐藏测试的内容，已拒绝发布。请用去除隐藏测试的设置重新生成反馈。")
FEEDBACK_NOT_HTML = ("feedback files must be .html files named after a notebook",
                     "反馈文件必须是以笔记本命名的 .html 文件")
METHOD_NOT_ALLOWED = ("this address does not accept {method}", "此地址不支持 {method} 操作")
INTERNAL = ("internal error", "服务内部错误，请稍后再试")
STOPPING = ("the exchange is restarting: send the request again in a few seconds",
            "作业交换服务正在重启，请几秒后再试一次")

# Client side (nbgrader running in a teacher's or trainer's server)
CLIENT_NO_TOKEN = ("no hub token: JUPYTERHUB_API_TOKEN is not set", "缺少平台令牌（未设置 JUPYTERHUB_API_TOKEN）")
CLIENT_NO_URL = ("no exchange address: set HubExchange.exchange_url or JUPYTERHUB_API_URL",
                 "缺少作业交换服务的地址")
CLIENT_UNREACHABLE = ("the exchange service cannot be reached: {error}", "无法连接作业交换服务：{error}")
CLIENT_NO_COURSE = ("no course id given", "没有指定课程编号")
CLIENT_NOTHING_TO_SUBMIT = ("assignment folder {path} not found: fetch the assignment first",
                            "找不到作业文件夹 {path}：请先获取作业")
CLIENT_ALREADY_FETCHED = ("you already have a copy of {path}", "你已经获取过这份作业：{path}")
CLIENT_NOT_GENERATED = ("no release version at {path}: run generate_assignment first",
                        "找不到发布版本 {path}：请先生成作业")
