"""Reminder notifications (issue 20, part 6): `mentorhub remind send [--dry-run] [--school ID]`.

What is due this week and what is overdue comes from the records store (``reminder_verbs.reminder_digest``):
counts per school, never a student's name or id. This module turns them into one short message per school
and sends it through the channels the site settings switch on (both off by default)::

    notifications:
      link: https://mentor.example.edu.cn/hub/home       # the address in every message (default: the hub's)
      email:                                             # the district's SMTP server
        enabled: true
        host: smtp.example.edu.cn
        port: 587
        security: starttls                               # or ssl, or none (a relay inside the network)
        username: mentorhub@example.edu.cn
        password_file: /etc/mentorhub/smtp-password      # mode 0600; never in the settings, never logged
        sender: mentorhub@example.edu.cn
        recipients: {S01: [deyu@s01.example.edu.cn], "*": [jiaoyanshi@example.edu.cn]}
      wecom:                                             # 企业微信群机器人
        enabled: true
        key_files: {S01: /etc/mentorhub/wecom-s01.key}    # the robot's webhook key, one file per group

A school gets a message only when something is due or overdue. ``*`` in ``recipients`` / ``key_files`` gets
every school's message. A run writes one audit row with the counts and the channels' outcomes (no addresses,
no keys). Secrets (the SMTP password, the webhook keys) are read from their files at send time and appear in
no log line, error message or audit row: a failure is reported by the channel, the school and the kind of
error only. Run it from a timer (``deploy/systemd/mentorhub-remind.timer``, Monday mornings).
"""

from __future__ import annotations

import json
import logging
import smtplib
import ssl
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

log = logging.getLogger("hub.reminders")

WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send"
TASK_WORDS = {"home_visit": "家访", "talk": "谈心谈话", "growth_message": "成长寄语", "event_talk": "变故后谈心"}
DEFAULTS = {
    "link": None,
    "email": {"enabled": False, "host": "", "port": 587, "security": "starttls", "username": None,
              "password_file": None, "sender": "", "recipients": {}, "timeout_seconds": 30},
    "wecom": {"enabled": False, "webhook_url": WECOM_URL, "key_files": {}, "timeout_seconds": 30},
}  # fmt: skip


class SecretError(RuntimeError):
    """A secret's file cannot be read: the message names the file, never its content."""


def notification_settings(settings) -> dict:
    given = (settings.raw.get("notifications") if settings is not None else None) or {}
    out = {"link": given.get("link") or (f"{settings.public_url}/hub/home" if settings is not None else "")}
    for channel in ("email", "wecom"):
        out[channel] = {**DEFAULTS[channel], **(given.get(channel) or {})}
    return out


def read_secret(path) -> str:
    try:
        value = Path(path).read_text(encoding="utf-8").strip()
    except OSError as error:
        raise SecretError(f"无法读取密钥文件 {path}（{error.strerror or type(error).__name__}）") from None
    if not value:
        raise SecretError(f"密钥文件 {path} 是空的")
    return value


# --- messages --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Message:
    school_id: str
    subject: str
    text: str


def count_words(counts: dict) -> str:
    parts = [f"{TASK_WORDS[k]} {n} 项" for k, n in counts.items() if n]
    return "、".join(parts) or "无"


def messages_for(digest: dict, link: str, schools=None) -> list[Message]:
    """One message per school with something due this week or overdue: counts and the link, nothing else."""
    out = []
    for school in digest.get("schools", []):
        if schools and school["school_id"] not in schools:
            continue
        due, overdue = school["totals"].get("due_this_week", 0), school["totals"].get("overdue", 0)
        if not (due or overdue):
            continue
        subject = f"【导师成长平台】{school['name']}“三个一”提醒（{digest['today']}）"
        text = (f"{school['name']}（学期 {digest['term_id']}）\n"
                f"本周到期：{count_words(school['due_this_week'])}，涉及学生 {school['students']['due_this_week']} 名；\n"
                f"已逾期：{count_words(school['overdue'])}，涉及学生 {school['students']['overdue']} 名。\n"
                f"请登录平台查看并安排：{link}")  # fmt: skip
        out.append(Message(school["school_id"], subject, text))
    return out


def targets(mapping: dict, school_id: str) -> list:
    found = list(mapping.get(school_id) or []) if not isinstance(mapping.get(school_id), str) else [mapping[school_id]]
    star = mapping.get("*")
    found += ([star] if isinstance(star, str) else list(star or []))
    return list(dict.fromkeys(found))


# --- channels --------------------------------------------------------------------------------------------
@dataclass
class Outcome:
    sent: int = 0
    failed: list[str] = field(default_factory=list)  # "<channel> <school>: <kind of error>"

    def to_dict(self) -> dict:
        return {"sent": self.sent, "failed": self.failed}


def send_email(config: dict, messages: list[Message], outcome: Outcome) -> None:
    jobs = [(m, targets(config["recipients"], m.school_id)) for m in messages]
    jobs = [(m, to) for m, to in jobs if to]
    if not jobs:
        return
    try:
        password = read_secret(config["password_file"]) if config.get("password_file") else None
        security, timeout = config.get("security", "starttls"), config.get("timeout_seconds", 30)
        if security == "ssl":
            smtp = smtplib.SMTP_SSL(config["host"], config["port"], timeout=timeout,
                                    context=ssl.create_default_context())  # fmt: skip
        else:
            smtp = smtplib.SMTP(config["host"], config["port"], timeout=timeout)
        with smtp:
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if config.get("username"):
                smtp.login(config["username"], password or "")
            for message, to in jobs:
                mail = EmailMessage()
                mail["From"], mail["To"], mail["Subject"] = config["sender"], ", ".join(to), message.subject
                mail["Date"], mail["Message-ID"] = formatdate(localtime=True), make_msgid(domain="mentorhub")
                mail.set_content(message.text)
                try:
                    smtp.send_message(mail)
                    outcome.sent += 1
                except smtplib.SMTPException as error:
                    outcome.failed.append(f"email {message.school_id}: {type(error).__name__}")
    except SecretError as error:
        outcome.failed.append(f"email: {error}")
    except (OSError, smtplib.SMTPException) as error:  # no message text: it might echo what was sent
        outcome.failed.append(f"email: {type(error).__name__}")


def send_wecom(config: dict, messages: list[Message], outcome: Outcome) -> None:
    base = config.get("webhook_url") or WECOM_URL
    for message in messages:
        for key_file in targets(config["key_files"], message.school_id):
            try:
                key = read_secret(key_file)
            except SecretError as error:
                outcome.failed.append(f"wecom {message.school_id}: {error}")
                continue
            body = json.dumps({"msgtype": "text", "text": {"content": f"{message.subject}\n{message.text}"}},
                              ensure_ascii=False).encode("utf-8")  # fmt: skip
            request = urllib.request.Request(f"{base}?key={urllib.parse.quote(key, safe='')}", data=body,
                                             headers={"Content-Type": "application/json; charset=utf-8"})
            try:
                with urllib.request.urlopen(request, timeout=config.get("timeout_seconds", 30)) as response:  # noqa: S310
                    answer = json.loads(response.read() or b"{}")
            except urllib.error.HTTPError as error:
                outcome.failed.append(f"wecom {message.school_id}: HTTP {error.code}")
                continue
            except (OSError, ValueError) as error:  # the URL (with the key) is never part of the report
                outcome.failed.append(f"wecom {message.school_id}: {type(error).__name__}")
                continue
            if answer.get("errcode", 0) != 0:
                outcome.failed.append(f"wecom {message.school_id}: errcode {answer.get('errcode')}")
            else:
                outcome.sent += 1


def send_all(config: dict, messages: list[Message]) -> dict[str, Outcome]:
    outcomes = {}
    if config["email"]["enabled"]:
        outcomes["email"] = Outcome()
        send_email(config["email"], messages, outcomes["email"])
    if config["wecom"]["enabled"]:
        outcomes["wecom"] = Outcome()
        send_wecom(config["wecom"], messages, outcomes["wecom"])
    return outcomes


# --- the command -------------------------------------------------------------------------------------------
def send_command(args) -> int:
    from hub.settings import load_settings
    from hub.store.command import open_from_args

    settings = load_settings(args.settings)
    config = notification_settings(settings)
    store = open_from_args(args)
    try:
        digest = store.reminder_digest()
        if digest["term_id"] is None:
            print("当前没有进行中的学期，不发送提醒。")
            return 0
        messages = messages_for(digest, config["link"], set(args.school or ()))
        if args.dry_run:
            for message in messages:
                print(f"--- {message.subject}\n{message.text}")
            print(f"共 {len(messages)} 条提醒（试运行，未发送）。")
            return 0
        if not (config["email"]["enabled"] or config["wecom"]["enabled"]):
            print("通知未启用（设置中的 notifications.email / notifications.wecom），未发送。")
            return 0
        outcomes = send_all(config, messages)
        store.note_reminders_sent({"term_id": digest["term_id"], "messages": len(messages),
                                   "schools": [m.school_id for m in messages],
                                   "channels": {k: v.to_dict() for k, v in outcomes.items()}})  # fmt: skip
    finally:
        store.close()
    failed = [line for outcome in outcomes.values() for line in outcome.failed]
    for channel, outcome in outcomes.items():
        print(f"{channel}：已发送 {outcome.sent} 条，失败 {len(outcome.failed)} 条")
    for line in failed:
        print(f"发送失败：{line}", file=sys.stderr)
        log.warning("reminder not sent: %s", line)
    return 1 if failed else 0


def register(subparsers) -> None:
    from hub.store.command import add_db_option

    remind = subparsers.add_parser("remind", help="三个一提醒：本周到期与已逾期的人数（邮件、企业微信群机器人）")
    actions = remind.add_subparsers(dest="remind_command", metavar="ACTION")
    send = actions.add_parser("send", help="按设置发送提醒（只含人数和链接，不含学生姓名）")
    send.add_argument("--dry-run", action="store_true", help="只显示将要发送的提醒，不发送")
    send.add_argument("--school", action="append", metavar="ID", help="只发送这所学校的提醒（可重复）")
    add_db_option(send)
    send.set_defaults(func=send_command)
