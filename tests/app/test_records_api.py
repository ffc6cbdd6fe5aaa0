"""The records service behind a real hub and proxy (``running_hub``), on the seeded demo district:
the access table, bad input, the browser (OAuth cookie) flow, 50 concurrent writers, a kernel using
``RecordsClient.from_environment()``, and a service crash in the middle of a burst of writes."""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psutil
import pytest
import requests
from sqlalchemy import select

from hub.store.models import Record
from tests.helpers import run_in_kernel, wait_for
from tests.records_support import concurrent_writers

pytestmark = pytest.mark.app
API = "/services/records/api/v1/"
TODAY = dt.date.today().isoformat()


@pytest.fixture(scope="module")
def tokens(running_hub):
    cache = {}

    def token(user):
        if user not in cache:
            cache[user] = running_hub.user_token(user)
        return cache[user]

    return token


@pytest.fixture(scope="module")
def targets(store):
    """Students by their relation to teacher1 (mentor of some, head teacher of dh-601)."""
    teacher1 = store.actor_for("teacher1")
    mentee = sorted(teacher1.mentee_ids)[0]
    # students no mentor in the table mentors, so only class or school scope can reach them
    taken = set().union(*(store.actor_for(u).mentee_ids for u in ("teacher1", "teacher8", "psych1", "principal1")))
    dh = [s for s in store.find_students_in(school_id="dh") if s.student_id not in taken]
    in_class = next(s.student_id for s in dh if s.class_id == "dh-601")
    same_school = next(s.student_id for s in dh if s.class_id == "dh-802")
    other_school = store.find_students_in(school_id="xl")[0].student_id
    return {"mentee": mentee, "class": in_class, "school": same_school, "other": other_school,
            "missing": "no-such-student"}  # fmt: skip


def call(hub, token, method, path, body=None, params=None):
    return requests.request(method, hub.url + API + path, headers={"Authorization": f"token {token}"},
                            json=body, params=params, timeout=60)  # fmt: skip


def talk(student_id, **extra):
    return {"student_id": student_id, "kind": "talk", "date": TODAY, "talk_type": "例行关怀",
            "summary": "聊了聊最近的学习和生活", **extra}  # fmt: skip


def parent_contact(student_id):
    return {"student_id": student_id, "kind": "parent_contact", "date": TODAY, "channel": "电话",
            "topic": "作业情况", "content_summary": "与家长沟通了近期作业完成情况"}  # fmt: skip


# (user, method, path template, body builder or None, target, expected status)
ACCESS_TABLE = [
    ("teacher1", "GET", "students/{id}", None, "mentee", 200),
    ("teacher1", "GET", "students/{id}", None, "class", 200),
    ("teacher1", "GET", "students/{id}", None, "school", 404),
    ("teacher1", "GET", "students/{id}", None, "other", 404),
    ("teacher1", "GET", "students/{id}", None, "missing", 404),
    ("teacher1", "GET", "students/{id}/records", None, "mentee", 200),
    ("teacher1", "GET", "students/{id}/records", None, "class", 200),
    ("teacher1", "GET", "students/{id}/records", None, "other", 404),
    ("teacher1", "POST", "records", talk, "mentee", 201),
    ("teacher1", "POST", "records", talk, "class", 403),
    ("teacher1", "POST", "records", talk, "other", 404),
    ("teacher1", "POST", "records", parent_contact, "class", 201),
    ("teacher1", "POST", "records", parent_contact, "school", 404),
    ("teacher1", "GET", "progress", None, None, 200),
    ("teacher1", "GET", "assignments", None, None, 200),
    ("teacher1", "GET", "audit", None, None, 403),
    ("teacher1", "POST", "assignments", "empty_rows", None, 403),
    ("teacher8", "GET", "students/{id}", None, "class", 404),
    ("teacher8", "POST", "records", parent_contact, "class", 404),
    ("psych1", "GET", "students/{id}", None, "school", 200),
    ("psych1", "GET", "students/{id}/records", None, "school", 404),
    ("psych1", "GET", "students/{id}", None, "other", 404),
    ("psych1", "GET", "flags", None, None, 200),
    ("principal1", "GET", "students/{id}/records", None, "school", 200),
    ("principal1", "GET", "students/{id}/records", None, "other", 404),
    ("principal1", "POST", "records", parent_contact, "school", 403),
    ("leader1", "GET", "students/{id}", None, "school", 404),  # a studio leader: de-identified only
    ("leader1", "GET", "students/{id}/records", None, "school", 404),
    ("schooladmin1", "GET", "students/{id}/records", None, "school", 200),
    ("schooladmin1", "GET", "students/{id}/records", None, "other", 404),
    ("schooladmin1", "GET", "progress", None, None, 200),
    ("schooladmin1", "POST", "assignments", "empty_rows", None, 201),
    ("schooladmin1", "POST", "records", talk, "school", 403),
    ("schooladmin2", "GET", "students/{id}", None, "mentee", 404),
    ("schooladmin2", "GET", "students/{id}", None, "other", 200),
    ("trainer1", "GET", "students/{id}", None, "mentee", 404),
    ("trainer1", "GET", "students/{id}/records", None, "mentee", 404),
    ("trainer1", "POST", "records", talk, "mentee", 404),
    ("trainer1", "GET", "progress", None, None, 403),
    ("trainer1", "GET", "audit", None, None, 403),
    ("admin", "GET", "students/{id}", None, "mentee", 404),
    ("admin", "GET", "students/{id}/records", None, "mentee", 404),
    ("admin", "GET", "students/{id}/records?break_glass=家长投诉紧急核查", None, "mentee", 400),  # POST break-glass
    ("admin", "POST", "records", talk, "mentee", 404),
    ("admin", "GET", "audit", None, None, 200),
]  # fmt: skip


@pytest.mark.parametrize("user, method, template, body, target, expected", ACCESS_TABLE)
def test_access_table_through_the_hub(running_hub, tokens, targets, user, method, template, body, target,
                                      expected):  # fmt: skip
    path = template.format(id=targets[target]) if target else template
    if body == "empty_rows":
        payload = {"term_id": json.loads(call(running_hub, tokens("teacher1"), "GET", "me").text)["term_id"],
                   "rows": [], "replace": False}  # fmt: skip
    else:
        payload = body(targets[target]) if body else None
    response = call(running_hub, tokens(user), method, path, payload)
    assert response.status_code == expected, response.text
    if expected >= 400:
        assert response.json()["error"]["message_zh"]


def test_students_list_and_me(running_hub, tokens, targets):
    me = call(running_hub, tokens("teacher1"), "GET", "me").json()
    assert me["username"] == "teacher1" and "teachers" in me["groups"] and me["classes"] == ["dh-601"]
    assert 0 < len(me["mentees"]) <= 15
    listed = {s["student_id"] for s in call(running_hub, tokens("teacher1"), "GET", "students").json()["students"]}
    assert targets["mentee"] in listed and targets["class"] in listed and targets["other"] not in listed
    assert call(running_hub, tokens("trainer1"), "GET", "students").json()["students"] == []


def test_flags_status_for_mentors_details_for_psychology(running_hub, tokens, targets, store):
    raised = call(running_hub, tokens("teacher1"), "POST", "flags",
                  {"student_id": targets["mentee"], "level": 2, "signals": ["情绪"], "details": "连续几天哭泣"})
    assert raised.status_code == 201 and "details" not in raised.json()
    flag_id = raised.json()["flag_id"]
    mine = {f["flag_id"]: f for f in call(running_hub, tokens("teacher1"), "GET", "flags").json()["flags"]}
    assert "details" not in mine[flag_id]
    psych = {f["flag_id"]: f for f in call(running_hub, tokens("psych1"), "GET", "flags").json()["flags"]}
    assert psych[flag_id]["details"] == "连续几天哭泣"
    audit = call(running_hub, tokens("admin"), "GET", "audit", params={"who": "psych1", "action": "flag.read"})
    assert audit.status_code == 200 and audit.json()["audit"]


BAD = [
    ({"kind": "talk"}, 422, "student_id"),
    (talk("{mentee}", date="2999-01-01"), 422, "date"),
    (talk("{mentee}", summary="家长电话 13912345678"), 422, "summary"),
    (talk("{mentee}", summary="长" * 1_000_000), 422, "summary"),
    (talk("{mentee}", class_rank=1), 422, "class_rank"),
    ({**talk("{mentee}"), "kind": "diary"}, 422, "kind"),
    (talk("{mentee}", talk_type="x'; DROP TABLE records; --"), 422, "talk_type"),
    (talk("{mentee}", summary=42), 422, "summary"),
]  # fmt: skip


@pytest.mark.parametrize("payload, status, field", BAD)
def test_bad_input_is_refused_and_nothing_written(running_hub, tokens, targets, store, payload, status, field):
    body = json.loads(json.dumps(payload, ensure_ascii=False).replace("{mentee}", targets["mentee"]))
    before = store.count_records()
    response = call(running_hub, tokens("teacher1"), "POST", "records", body)
    assert response.status_code == status
    error = response.json()["error"]
    assert error["field"] == field and error["message_zh"] and error["message_en"]
    assert store.count_records() == before


def test_malformed_json_is_a_400(running_hub, tokens):
    response = requests.post(running_hub.url + API + "records", data=b"{not json",
                             headers={"Authorization": f"token {tokens('teacher1')}"}, timeout=30)
    assert response.status_code == 400 and response.json()["error"]["message_zh"]


def test_browser_cookie_flow(running_hub):
    session = running_hub.login("teacher2")
    response = session.get(running_hub.url + API + "me", headers={"Accept": "text/html,application/json"},
                           timeout=60)  # fmt: skip
    assert response.status_code == 200, response.text
    assert response.json()["username"] == "teacher2"


def test_fifty_concurrent_writers_through_the_api(running_hub, store):
    """50 writers, each with its own user token (two tokens for each of 25 mentors), 20 records each."""
    acknowledged, stored = concurrent_writers(running_hub, store)
    assert len(acknowledged) == 1000 and sorted(stored) == sorted(acknowledged)


def test_kernel_uses_the_client_as_its_user(running_hub, targets):
    user = "teacher1"
    running_hub.spawn(user)
    try:
        code = (
            "from widgets.client import RecordsClient\n"
            "c = RecordsClient.from_environment()\n"
            f"r = c.add_record({targets['mentee']!r}, 'growth_message', {TODAY!r}, "
            "text='你在班级图书角的整理工作做得细致又耐心，谢谢你。')\n"
            f"print(c.me()['username'], r['author'], r['record_id'] in [x['record_id'] for x in c.records_for({targets['mentee']!r})])\n"
        )  # fmt: skip
        token = running_hub.user_token(user)
        output = run_in_kernel(f"{running_hub.url}/user/{user}", token, code, timeout=120)
        assert output.split() == ["teacher1", "teacher1", "True"]
    finally:
        running_hub.stop(user)


def service_process(running_hub) -> psutil.Process:
    hub = psutil.Process(running_hub.process.pid)
    for child in hub.children(recursive=True):
        if "hub.records" in " ".join(child.cmdline()):
            return child
    raise AssertionError("records service process not found")


def test_service_killed_mid_burst_loses_no_acknowledged_write(running_hub, store, targets):
    token = running_hub.user_token("teacher1")
    run = uuid.uuid4().hex[:8]
    acknowledged, attempts = [], 0
    victim = service_process(running_hub)

    def burst(index):
        ref = f"k{run}-{index}"
        try:
            response = call(running_hub, token, "POST", "records", talk(targets["mentee"], client_ref=ref))
        except requests.RequestException:
            return None
        return ref if response.status_code == 201 else None

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(burst, i) for i in range(200)]
        while attempts < 20 and not any(f.done() for f in futures[50:]):
            time.sleep(0.05)
            attempts += 1
        victim.kill()
        acknowledged = [f.result() for f in futures if f.result()]
    wait_for(lambda: requests.get(running_hub.url + API + "health", timeout=5).status_code == 200,
             timeout=90, what="records service restarted by the hub")  # fmt: skip
    assert service_process(running_hub).pid != victim.pid
    with store.reading() as session:
        rows = list(session.scalars(select(Record).where(Record.client_ref.like(f"k{run}-%"))))
    stored = [r.client_ref for r in rows]
    assert set(acknowledged) <= set(stored)
    assert len(stored) == len(set(stored))
    assert all(r.fields.get("talk_type") == "例行关怀" and r.fields.get("summary") for r in rows)


def test_edit_rights_through_the_hub(running_hub, tokens, targets):
    created = call(running_hub, tokens("teacher1"), "POST", "records", talk(targets["mentee"]))
    assert created.status_code == 201
    record_id = created.json()["record_id"]
    path = f"records/{record_id}"
    assert call(running_hub, tokens("principal1"), "GET", path).status_code == 200  # same school: may read
    assert call(running_hub, tokens("principal1"), "PATCH", path, {"summary": "改"}).status_code == 403
    assert call(running_hub, tokens("leader1"), "GET", path).status_code == 404  # a studio leader: never
    assert call(running_hub, tokens("schooladmin2"), "PATCH", path, {"summary": "改"}).status_code == 404
    assert call(running_hub, tokens("trainer1"), "DELETE", path).status_code == 404
    patched = call(running_hub, tokens("teacher1"), "PATCH", path, {"summary": "补充了后续安排"})
    assert patched.status_code == 200 and patched.json()["summary"] == "补充了后续安排"
    bad = call(running_hub, tokens("teacher1"), "PATCH", path, {"follow_up_date": "2000-01-01"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "follow_up_date"
    assert call(running_hub, tokens("teacher1"), "DELETE", path, params={"reason": "重复"}).status_code == 200
    assert call(running_hub, tokens("teacher1"), "GET", path).status_code == 404
    audit = call(running_hub, tokens("admin"), "GET", "audit", params={"action": "record.delete", "who": "teacher1"})
    assert str(record_id) in [entry["entity_id"] for entry in audit.json()["audit"]]


def test_flag_updates_only_by_psychology_or_leader(running_hub, tokens, targets):
    flag = call(running_hub, tokens("teacher1"), "POST", "flags", {"student_id": targets["mentee"], "level": 1})
    path = f"flags/{flag.json()['flag_id']}"
    assert call(running_hub, tokens("teacher1"), "PATCH", path, {"status": "closed"}).status_code == 404
    assert call(running_hub, tokens("schooladmin1"), "PATCH", path, {"status": "closed"}).status_code == 404
    updated = call(running_hub, tokens("psych1"), "PATCH", path, {"status": "monitoring", "referred_to": "心理教师"})
    assert updated.status_code == 200 and updated.json()["status"] == "monitoring"
