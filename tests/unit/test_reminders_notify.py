"""Reminders (issue 20, part 6): what is due this week and what is overdue from the term calendar's windows,
in the store (a mentor's mentees task by task, a head teacher's class and a school as counts), and
`mentorhub remind send` against a real local SMTP server (aiosmtpd, with a login) and a local HTTP
receiver standing in for the WeCom group robot's webhook. Messages hold counts and the link only, never a
student's name or id; the SMTP password and the webhook key appear in no output, log line or audit row."""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
import threading
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from hub.cli import main
from hub.reminders import messages_for
from hub.store import open_store
from hub.store.testing import SMALL_WORLD, build_small_world, new_database_url

TODAY = dt.date.today()
PASSWORD = "smtp-Secret-7c1e9a"
WEBHOOK_KEY = "wecom-key-55aa0c3d-1234"
LINK = "https://mentor.example.edu.cn/hub/home"
NAMES = [f"学生{sid}" for sid in SMALL_WORLD["students"]]


def day(offset: int) -> str:
    return (TODAY + dt.timedelta(days=offset)).isoformat()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def world_url(request, tmp_path):
    """The small world; school A keeps a calendar whose home visit has closed (overdue) and whose talk window
    (an exam yesterday, three days after) closes this week; school B keeps the template (nothing due)."""
    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    url, cleanup = new_database_url(request.param, tmp_path, pg)
    store = open_store(url)
    build_small_world(store)
    store.set_school_calendar(store.actor_for("adm_a"), "T-cur", {
        "home_visit": {"from": day(-70), "to": day(-55)}, "exams": [{"name": "期中考试", "date": day(-1)}],
        "talk_days_before": 3, "talk_days_after": 3, "growth_message": {"from": day(45), "to": day(60)}})
    store.add_record(store.actor_for("m_a"), {"student_id": "sa1", "kind": "home_visit", "date": day(0),
                                              "form": "视频", "purpose": "了解居家学习环境"})  # fmt: skip
    store.close()
    yield url
    cleanup()


def test_the_store_says_what_is_due_this_week_and_overdue(world_url):
    store = open_store(world_url)
    try:
        mine = store.find_reminders(store.actor_for("m_a"))
        assert [(i["student_id"], i["task"], i["state"]) for i in mine["items"]] == [
            ("sa1", "talk", "due_this_week"), ("sa2", "home_visit", "overdue"), ("sa2", "talk", "due_this_week")]
        assert mine["items"][0]["due"] == day(2)
        assert mine["mine"]["totals"] == {"due_this_week": 2, "overdue": 1} and "school" not in mine
        head = store.find_reminders(store.actor_for("ht_a1"))  # mentors sa3; head teacher of A1 (sa1-sa3)
        assert head["mine"]["totals"] == {"due_this_week": 1, "overdue": 1}
        assert head["classes"]["totals"] == {"due_this_week": 3, "overdue": 2} and "items" not in str(head["classes"])
        school = store.find_reminders(store.actor_for("adm_a"))
        assert school["items"] == [] and school["school"]["students"] == {"due_this_week": 4, "overdue": 3}
        assert store.find_reminders(store.actor_for("m_b"))["mine"]["totals"] == {"due_this_week": 0, "overdue": 0}
        store.add_life_event(store.actor_for("m_b"), {"student_id": "sb1", "kind": "亲人离世", "event_date": day(-10)})
        late = store.find_reminders(store.actor_for("m_b"))["items"]
        assert [(i["task"], i["state"]) for i in late] == [("event_talk", "overdue")]
        digest = store.reminder_digest()
        assert [(s["school_id"], s["totals"]) for s in digest["schools"]] == [
            ("A", {"due_this_week": 4, "overdue": 3}), ("B", {"due_this_week": 0, "overdue": 1})]
        assert not any(name in json.dumps(digest, ensure_ascii=False) for name in NAMES)
        assert "sa1" not in json.dumps(digest)
    finally:
        store.close()


def test_messages_name_no_student_and_skip_a_school_with_nothing_due():
    digest = {"term_id": "T", "today": "2026-12-03", "schools": [
        {"school_id": "A", "name": "甲校", "due_this_week": {"home_visit": 0, "talk": 2, "growth_message": 0, "event_talk": 0},
         "overdue": {"home_visit": 1, "talk": 0, "growth_message": 0, "event_talk": 0},
         "totals": {"due_this_week": 2, "overdue": 1}, "students": {"due_this_week": 2, "overdue": 1}},
        {"school_id": "B", "name": "乙校", "due_this_week": {}, "overdue": {}, "totals": {}, "students": {}}]}
    messages = messages_for(digest, LINK)
    assert [m.school_id for m in messages] == ["A"]
    assert "谈心谈话 2 项" in messages[0].text and "家访 1 项" in messages[0].text and LINK in messages[0].text


# --- the local SMTP server and webhook receiver -------------------------------------------------------------
class Inbox:
    def __init__(self):
        self.messages, self.logins = [], []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 -- aiosmtpd's hook name
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=default_policy)))
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append(auth_data.login.decode())
        return AuthResult(success=auth_data.login == b"mentorhub" and auth_data.password == PASSWORD.encode())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=inbox.authenticate,
                            auth_require_tls=False, auth_required=True)  # fmt: skip
    controller.start()
    yield inbox, port
    controller.stop()


class Receiver(BaseHTTPRequestHandler):
    answers: list = []
    received: list = []

    def do_POST(self):  # noqa: N802 -- http.server's hook name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, json.loads(body)))
        status, answer = self.answers.pop(0) if self.answers else (200, {"errcode": 0, "errmsg": "ok"})
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(answer).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook():
    Receiver.answers, Receiver.received = [], []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Receiver, f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send"
    server.shutdown()
    server.server_close()


def settings_file(tmp_path, notifications: dict):
    path = tmp_path / "mentorhub.yaml"
    path.write_text(yaml.safe_dump({"mode": "demo", "state_dir": str(tmp_path / "state"),
                                    "notifications": notifications}, allow_unicode=True))  # fmt: skip
    return str(path)


def secret_file(tmp_path, name, value):
    path = tmp_path / name
    path.write_text(value + "\n")
    path.chmod(0o600)
    return str(path)


def run(world_url, settings, caplog, capsys, *extra):
    caplog.set_level(logging.DEBUG)
    status = main(["-v", "remind", "send", "--db", world_url, "--settings", settings, *extra])
    out = capsys.readouterr()
    ours = "\n".join(caplog.handler.format(r) for r in caplog.records if not r.name.startswith("mail."))  # not the test server's
    return status, out.out + out.err + ours


def audit_details(world_url) -> str:
    store = open_store(world_url)
    try:
        return json.dumps([a.detail for a in store.find_audit(store.actor_for("admin"), action="remind.send")],
                          ensure_ascii=False)  # fmt: skip
    finally:
        store.close()


def email_settings(tmp_path, port, password=PASSWORD):
    return {"link": LINK, "email": {"enabled": True, "host": "127.0.0.1", "port": port, "security": "none",
                                    "username": "mentorhub", "password_file": secret_file(tmp_path, "pw", password),
                                    "sender": "mentorhub@example.edu.cn",
                                    "recipients": {"A": ["deyu@a.example.edu.cn"], "*": ["district@example.edu.cn"]},
                                    "timeout_seconds": 5}}


def test_email_through_a_local_smtp_server(world_url, tmp_path, smtp_server, caplog, capsys):
    inbox, port = smtp_server
    status, output = run(world_url, settings_file(tmp_path, email_settings(tmp_path, port)), caplog, capsys)
    assert status == 0, output
    assert inbox.logins == ["mentorhub"] and len(inbox.messages) == 1  # school A only: nothing is due in school B
    by_school = {m["Subject"]: (to, m) for to, m in inbox.messages}
    subject_a = next(s for s in by_school if "甲校" in s)
    to, mail = by_school[subject_a]
    assert sorted(to) == ["deyu@a.example.edu.cn", "district@example.edu.cn"]
    body = mail.get_content()
    assert "家访 3 项" in body and "谈心谈话 4 项" in body and LINK in body
    everything = json.dumps([m.as_string() for _, m in inbox.messages], ensure_ascii=False)
    assert not any(name in everything for name in NAMES) and "sa1" not in everything
    assert PASSWORD not in output and PASSWORD not in audit_details(world_url)
    assert '"sent": 1' in audit_details(world_url)


def test_a_refused_smtp_login_is_reported_without_the_password(world_url, tmp_path, smtp_server, caplog, capsys):
    inbox, port = smtp_server
    wrong = "not-the-password-93f1"
    status, output = run(world_url, settings_file(tmp_path, email_settings(tmp_path, port, wrong)), caplog, capsys)
    assert status == 1 and "email: SMTP" in output and inbox.messages == []
    assert wrong not in output and wrong not in audit_details(world_url)


def test_a_wecom_group_robot_gets_counts_and_the_link(world_url, tmp_path, webhook, caplog, capsys):
    receiver, url = webhook
    key = secret_file(tmp_path, "wecom.key", WEBHOOK_KEY)
    settings = settings_file(tmp_path, {"link": LINK, "wecom": {"enabled": True, "webhook_url": url,
                                                                "key_files": {"A": key}}})  # fmt: skip
    status, output = run(world_url, settings, caplog, capsys, "--school", "A")
    assert status == 0, output
    [(path, body)] = receiver.received
    assert parse_qs(urlsplit(path).query)["key"] == [WEBHOOK_KEY]
    assert body["msgtype"] == "text" and "甲校" in body["text"]["content"] and LINK in body["text"]["content"]
    assert not any(name in body["text"]["content"] for name in NAMES)
    assert WEBHOOK_KEY not in output and WEBHOOK_KEY not in audit_details(world_url)


@pytest.mark.parametrize("answer, reported", [((200, {"errcode": 93000, "errmsg": "invalid webhook url"}), "errcode 93000"),
                                              ((500, {"errmsg": "boom"}), "HTTP 500")])  # fmt: skip
def test_a_refusing_webhook_is_reported_without_the_key(world_url, tmp_path, webhook, caplog, capsys, answer, reported):
    receiver, url = webhook
    receiver.answers.append(answer)
    key = secret_file(tmp_path, "wecom.key", WEBHOOK_KEY)
    settings = settings_file(tmp_path, {"wecom": {"enabled": True, "webhook_url": url, "key_files": {"A": key}}})
    status, output = run(world_url, settings, caplog, capsys, "--school", "A")
    assert status == 1 and reported in output
    assert WEBHOOK_KEY not in output and WEBHOOK_KEY not in audit_details(world_url)


def test_an_unreachable_webhook_and_a_missing_key_file(world_url, tmp_path, caplog, capsys):
    key = secret_file(tmp_path, "wecom.key", WEBHOOK_KEY)
    settings = settings_file(tmp_path, {"wecom": {"enabled": True, "webhook_url": "http://127.0.0.1:9/send",
                                                  "key_files": {"A": key, "*": str(tmp_path / "missing.key")}}})
    status, output = run(world_url, settings, caplog, capsys)
    assert status == 1 and "URLError" in output and "missing.key" in output
    assert WEBHOOK_KEY not in output


def test_off_by_default_and_the_dry_run_sends_nothing(world_url, tmp_path, smtp_server, caplog, capsys):
    inbox, _port = smtp_server
    status, output = run(world_url, settings_file(tmp_path, {}), caplog, capsys)
    assert status == 0 and "通知未启用" in output and inbox.messages == []
    status, output = run(world_url, settings_file(tmp_path, {"link": LINK}), caplog, capsys, "--dry-run")
    assert status == 0 and "甲校" in output and "试运行" in output and LINK in output
    assert not any(name in output for name in NAMES) and inbox.messages == []


def test_the_systemd_timer_runs_the_command_on_monday_mornings():
    import configparser
    from pathlib import Path

    from hub.cli import build_parser

    folder = Path(__file__).resolve().parents[2] / "deploy" / "systemd"
    service, timer = configparser.ConfigParser(strict=False), configparser.ConfigParser(strict=False)
    service.read(folder / "mentorhub-remind.service", encoding="utf-8")
    timer.read(folder / "mentorhub-remind.timer", encoding="utf-8")
    command = service["Service"]["ExecStart"].split()
    assert command[0].endswith("/mentorhub") and service["Service"]["Type"] == "oneshot"
    assert build_parser("remind").parse_args(command[1:]).func.__name__ == "send_command"
    assert timer["Timer"]["OnCalendar"].startswith("Mon ") and timer["Timer"]["Persistent"] == "true"
