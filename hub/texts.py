"""People-facing hub texts (Simplified Chinese), kept in one place for review."""

PRODUCT_NAME = "导师成长平台 Mentor Hub"

LOGIN_WRONG = "用户名或密码不正确。"
LOGIN_LOCKED = "连续输错密码次数过多，账号已暂时锁定，请稍后再试或联系学校管理员。"
LOGIN_THROTTLED = "登录尝试过于频繁，请一分钟后再试。"
MUST_CHANGE_PASSWORD = "首次登录请先修改初始密码，修改后即可进入平台。"
CHANGE_PASSWORD_INTRO = "请输入当前密码并设置新密码。"
PASSWORD_MISMATCH = "两次输入的新密码不一致。"
PASSWORD_TOO_SHORT = "新密码至少需要 {n} 个字符。"
PASSWORD_SAME_AS_OLD = "新密码不能与当前密码相同。"
PASSWORD_TOO_EASY = "新密码过于简单（不能包含用户名，也不能使用初始密码），请换一个。"
FORBIDDEN_PASSWORDS = frozenset({"mentorhub-demo", "12345678", "password", "88888888", "abcd1234"})

# bcrypt hash of a throw-away value: checked when an account does not exist, so that the response time
# does not tell whether a name is in the roster.
DUMMY_HASH = "$2b$12$2GS6W/1K7RKYRayc4wc17.t2ideWAGp7GlObFRZdXRuPRYCbK9bpy"

DEMO_BANNER = ("演示模式：所有账号共用同一个系统用户，彼此之间没有隔离；数据均为虚构，"
               "请勿录入真实学生信息。")

# `mentorhub` command line: how a failure ends (one line on stderr, exit status 1, no traceback)
CLI_ERROR = "错误：{message}"
CLI_SETTINGS_ERROR = "错误：站点设置有误：{message}"
CLI_FILE_ERROR = "错误：无法读写“{path}”：{reason}"
CLI_FILE_REASONS = {"ENOENT": "文件或文件夹不存在", "EACCES": "没有权限", "EPERM": "没有权限", "ENOSPC": "磁盘空间已满",
                    "EROFS": "文件系统只读", "EISDIR": "这是一个文件夹", "ENOTDIR": "路径中有一段不是文件夹"}  # fmt: skip
CLI_HUB_UNREACHABLE = "错误：无法连接平台（{error}）。请确认平台正在运行、地址和令牌正确。"
CLI_INTERRUPTED = "已中断。"
CLI_INTERNAL_ERROR = ("内部错误（{kind}）：{message}\n"
                      "请加上 --verbose 重新运行以查看详细信息，并把输出交给平台管理员。")
