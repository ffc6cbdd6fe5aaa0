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
