"""Issue 19 through a real hub and proxy on the seeded demo district: the receiving side of a concern (the
psychology teacher's queue, one concern in full, each step of its handling; every step and read audited; the
raising mentor sees the status change; every other role refused and nothing changed; a browser's cookie alone
cannot take a step) and the matching panel's save (a preview that writes nothing and names who moves and whose
records stay; a save refused when the pairings changed since the preview)."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from widgets.client import RecordsClient
from widgets.concern_queue import ConcernQueue

pytestmark = pytest.mark.app
API = "/services/records/api/v1/"
TODAY = dt.date.today().isoformat()
#: Users with no business in concerns of teacher1's mentee at 东湖 (dh): another mentor, a head teacher of another
#: class, the school's 德育 office, a studio leader, a trainer, the platform admin, the other school's office.
OUTSIDERS = ["teacher2", "teacher8", "schooladmin1", "leader1", "trainer1", "admin", "schooladmin2"]


@pytest.fixture(scope="module")
def tokens(running_hub):
    cache = {}

    def token(user):
        if user not in cache:
            cache[user] = running_hub.user_token(user)
        return cache[user]

    return token


def call(hub, token, method, path, body=None, params=None):
    return requests.request(method, hub.url + API + path, headers={"Authorization": f"token {token}"},
                            json=body, params=params, timeout=60)  # fmt: skip


def audit(hub, tokens, **params):
    return call(hub, tokens("admin"), "GET", "audit", params={"limit": "200", **params}).json()["audit"]


@pytest.fixture
def flag(running_hub, tokens, store):
    """A new concern raised by teacher1 for one of their mentees."""
    student = sorted(store.actor_for("teacher1").mentee_ids)[1]
    raised = call(running_hub, tokens("teacher1"), "POST", "flags",
                  {"student_id": student, "level": 1, "signals": ["情绪"], "details": "最近总说睡不好，上课常趴着"})
    assert raised.status_code == 201, raised.text
    return {"flag_id": raised.json()["flag_id"], "student_id": student}


def step(hub, tokens, user, flag_id, **body):
    return call(hub, tokens(user), "POST", f"flags/{flag_id}/actions", body)


def test_the_psychology_teacher_works_a_concern_through_and_every_step_is_audited(running_hub, tokens, flag):
    flag_id = flag["flag_id"]
    queue = call(running_hub, tokens("psych1"), "GET", "flags/queue").json()["flags"]
    entry = next(f for f in queue if f["flag_id"] == flag_id)
    assert entry["student_name"] and entry["raised_by"] == "teacher1" and entry["raised_by_name"] != "teacher1"
    assert "details" not in entry
    full = call(running_hub, tokens("psych1"), "GET", f"flags/{flag_id}").json()
    assert full["details"] == "最近总说睡不好，上课常趴着"
    assert {"psych1", "principal1"} <= {a["username"] for a in full["assignees"]}

    answers = [
        step(running_hub, tokens, "psych1", flag_id, action="triage", level=2, note="约谈后评估为重点关注"),
        step(running_hub, tokens, "psych1", flag_id, action="assign", assignee="principal1"),
        step(running_hub, tokens, "principal1", flag_id, action="follow_up", follow_up_method="与家长沟通",
             note="与母亲通话，约定周五来校"),
        step(running_hub, tokens, "principal1", flag_id, action="refer", referred_out_to="区未成年人心理健康辅导中心",
             guardian_informed=True, note="家长同意转介"),
    ]  # fmt: skip
    assert [a.status_code for a in answers] == [201] * 4, [a.text for a in answers]
    mine = {f["flag_id"]: f for f in call(running_hub, tokens("teacher1"), "GET", "flags",
                                          params={"mine": "1"}).json()["flags"]}  # fmt: skip
    assert mine[flag_id]["status"] == "referred" and "details" not in mine[flag_id]
    assert mine[flag_id]["student_name"]
    closed = step(running_hub, tokens, "psych1", flag_id, action="close", outcome="已转介，由校外机构继续跟进",
                  note="中心已接案")  # fmt: skip
    assert closed.status_code == 201 and closed.json()["status"] == "closed"
    assert [n["action"] for n in closed.json()["notes"]] == ["triage", "assign", "follow_up", "refer", "close"]
    status = call(running_hub, tokens("teacher1"), "GET", f"flags/{flag_id}").json()
    assert status["status"] == "closed" and "details" not in status and "notes" not in status
    reopened = step(running_hub, tokens, "principal1", flag_id, action="reopen", note="班主任反映又开始失眠")
    assert reopened.status_code == 201 and reopened.json()["status"] == "referred"  # still with the centre

    rows = [e for e in audit(running_hub, tokens, action="flag.") if e["entity_id"] == str(flag_id)]
    steps = [(e["actor"], e["action"]) for e in reversed(rows)]
    assert steps == [("teacher1", "flag.raise"), ("psych1", "flag.read_details"), ("psych1", "flag.triage"),
                     ("psych1", "flag.assign"), ("principal1", "flag.follow_up"), ("principal1", "flag.refer"),
                     ("psych1", "flag.close"), ("principal1", "flag.reopen")]  # fmt: skip
    assert all("失眠" not in str(e["detail"]) and "母亲" not in str(e["detail"]) for e in rows)  # no note text
    queue_reads = [e for e in audit(running_hub, tokens, action="flag.read_details", who="psych1")
                   if flag_id in e["detail"]["flag_ids"]]  # fmt: skip
    assert len(queue_reads) == 2  # the queue, then the one concern: one row per request


@pytest.mark.parametrize("user", OUTSIDERS)
def test_everyone_else_is_refused_and_nothing_changes(running_hub, tokens, flag, user):
    flag_id = flag["flag_id"]
    before = len(audit(running_hub, tokens, action="flag."))
    for body in ({"action": "triage", "level": 3}, {"action": "assign", "assignee": user},
                 {"action": "close", "outcome": "其他", "note": "我来结案"}):  # fmt: skip
        refused = call(running_hub, tokens(user), "POST", f"flags/{flag_id}/actions", body)
        assert refused.status_code == 404, refused.text
        assert refused.json()["error"]["message_zh"]
    assert call(running_hub, tokens(user), "GET", f"flags/{flag_id}").status_code == 404
    assert flag_id not in {f["flag_id"] for f in call(running_hub, tokens(user), "GET", "flags/queue",
                                                         params={"status": "all"}).json()["flags"]}  # fmt: skip
    assert len(audit(running_hub, tokens, action="flag.")) == before
    assert call(running_hub, tokens("psych1"), "GET", f"flags/{flag_id}").json()["status"] == "open"


def test_the_raising_mentor_cannot_take_a_step_and_sees_no_details(running_hub, tokens, flag):
    flag_id = flag["flag_id"]
    refused = step(running_hub, tokens, "teacher1", flag_id, action="triage", level=1)
    assert refused.status_code == 404
    assert call(running_hub, tokens("teacher1"), "GET", "flags/queue").json()["flags"] == []
    seen = call(running_hub, tokens("teacher1"), "GET", f"flags/{flag_id}").json()
    assert set(seen) == {"flag_id", "student_id", "raised_by", "raised_at", "status", "updated_at", "student_name"}


def test_a_concern_is_assigned_only_to_someone_who_may_handle_it(running_hub, tokens, flag):
    for assignee in ("teacher1", "schooladmin1", "leader1", "admin", "nobody"):
        refused = step(running_hub, tokens, "psych1", flag["flag_id"], action="assign", assignee=assignee)
        assert refused.status_code == 422 and refused.json()["error"]["field"] == "assignee", refused.text
        assert "心理教师或校领导" in refused.json()["error"]["message_zh"]


def test_bad_steps_are_refused_in_chinese(running_hub, tokens, flag):
    flag_id = flag["flag_id"]
    for body, status, field in (({"action": "delete"}, 422, "action"), ({"action": "triage", "level": 9}, 422, "level"),
                                ({"action": "close", "outcome": "其他"}, 422, "note"),
                                ({"action": "reopen", "note": "还没结束"}, 409, "action")):  # fmt: skip
        refused = call(running_hub, tokens("psych1"), "POST", f"flags/{flag_id}/actions", body)
        assert (refused.status_code, refused.json()["error"]["field"]) == (status, field), refused.text
    assert call(running_hub, tokens("psych1"), "GET", "flags/queue", params={"status": "x"}).status_code == 422
    assert call(running_hub, tokens("psych1"), "POST", f"flags/{10**30}/actions", {"action": "triage",
                                                                                   "level": 1}).status_code == 404


def test_a_step_from_a_browser_needs_the_xsrf_token(running_hub, flag):
    session = running_hub.login("psych1")
    first = session.get(running_hub.url + API + "me", headers={"Accept": "text/html,application/json"}, timeout=60)
    assert first.status_code == 200 and first.json()["username"] == "psych1"
    body = {"action": "triage", "level": 2}
    path = running_hub.url + API + f"flags/{flag['flag_id']}/actions"
    forged = session.post(path, json=body, timeout=60)  # as another site would: the cookie alone
    assert forged.status_code == 403 and forged.json()["error"]["message_zh"]
    xsrf = session.cookies.get("_xsrf", path="/services/records/")
    allowed = session.post(path, json=body, headers={"X-XSRFToken": xsrf}, timeout=60)
    assert allowed.status_code == 201, allowed.text


def test_the_queue_widget_through_the_hub(running_hub, tokens, flag):
    client = RecordsClient(running_hub.url + API, tokens("psych1"))
    queue = ConcernQueue.from_client(client)
    assert f'data-flag="{flag["flag_id"]}"' in queue.table.value
    queue.picker.value = flag["flag_id"]
    queue.open_button.click()
    queue.step.value = "follow_up"
    form = queue.forms["follow_up"]
    form.controls["follow_up_method"].value, form.controls["note"].value = "个别辅导", "第一次个别辅导，学生愿意再来"
    form.button.click()
    assert "已保存" in queue.status.value and "第一次个别辅导" in queue.detail.value


# --- the matching panel's save ------------------------------------------------------------------------------
def current_rows(hub, tokens):
    assignments = call(hub, tokens("schooladmin1"), "GET", "assignments").json()["assignments"]
    return [{key: a[key] for key in ("student_id", "staff_id", "kind", "method")} for a in assignments]


def test_the_preview_names_who_moves_and_whose_records_stay_and_writes_nothing(running_hub, tokens, store):
    term = call(running_hub, tokens("teacher1"), "GET", "me").json()["term_id"]
    mentee = sorted(store.actor_for("teacher1").mentee_ids)[2]
    talk = {"student_id": mentee, "kind": "talk", "date": TODAY, "talk_type": "例行关怀", "summary": "刚刚聊过一次"}
    assert call(running_hub, tokens("teacher1"), "POST", "records", talk).status_code == 201
    rows = current_rows(running_hub, tokens)
    moved = [dict(r, staff_id="teacher2") if r["student_id"] == mentee and r["kind"] == "primary" else r for r in rows]
    preview = call(running_hub, tokens("schooladmin1"), "POST", "assignments/preview", {"term_id": term, "rows": moved})
    assert preview.status_code == 200, preview.text
    (entry,) = preview.json()["moved"]
    assert (entry["student_id"], entry["from"]["staff_id"], entry["to"]["staff_id"]) == (mentee, "teacher1", "teacher2")
    assert entry["records"] >= 1 and entry["name"] and entry["from"]["name"] and entry["to"]["name"]
    assert current_rows(running_hub, tokens) == rows  # nothing written
    assert mentee in store.actor_for("teacher1").mentee_ids

    stale = call(running_hub, tokens("schooladmin1"), "POST", "assignments",
                 {"term_id": term, "rows": moved, "basis": "0" * 16})  # fmt: skip
    assert stale.status_code == 409 and "重新预览" in stale.json()["error"]["message_zh"]
    assert current_rows(running_hub, tokens) == rows


@pytest.mark.parametrize("user, status", [("teacher1", 403), ("psych1", 403), ("principal1", 403), ("admin", 403),
                                          ("trainer1", 403)])  # fmt: skip
def test_only_the_schools_office_previews(running_hub, tokens, user, status):
    term = call(running_hub, tokens("teacher1"), "GET", "me").json()["term_id"]
    refused = call(running_hub, tokens(user), "POST", "assignments/preview", {"term_id": term, "rows": []})
    assert refused.status_code == status and refused.json()["error"]["message_zh"]


def test_every_problem_of_the_rows_at_once_through_the_hub(running_hub, tokens):
    term = call(running_hub, tokens("teacher1"), "GET", "me").json()["term_id"]
    rows = [{"student_id": "no-such", "staff_id": "teacher1", "kind": "primary"},
            {"student_id": "xl-401-01", "staff_id": "teacher1", "kind": "primary"},
            {"student_id": "dh-601-01", "staff_id": "teacher20", "kind": "primary"}]  # fmt: skip
    refused = call(running_hub, tokens("schooladmin1"), "POST", "assignments/preview", {"term_id": term, "rows": rows})
    message = refused.json()["error"]["message_zh"]
    assert refused.status_code == 422 and "有 3 处问题" in message
    assert "第 1 行" in message and "第 2 行" in message and "第 3 行：导师编号“teacher20”" in message
