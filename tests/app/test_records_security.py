"""Issue 16's findings 4, 5 and 7 replayed against the records service behind a real hub and proxy, on the
seeded demo district (the store side is tests/unit/test_records_store_security.py):

- 4: ``GET flags?break_glass=x`` (and the same parameter on any address) is refused and lists nothing;
  break-glass is ``POST break-glass`` for one student with a ground and a reason, audited; from a browser
  the POST needs the XSRF token, and the service's cookies are ``SameSite=Lax``;
- 5: reads of record contents beyond one's own mentees and reads of flag details are audited, one row per
  request naming what they reached;
- 7: a lone surrogate is refused with 422 and nothing is stored (and text stored before that check still
  reads); a body nested 200,000 deep, ids of 20 and 5,000 digits answer with a 4xx; a fuzz over the JSON
  bodies, ids and query parameters of the API finds no 500.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import re
from urllib.parse import quote

import pytest
import requests
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, insert

from hub.store import access
from hub.store.models import Record
from widgets.client import RecordsClient, RecordsError

pytestmark = pytest.mark.app
API = "/services/records/api/v1/"
TODAY = dt.date.today().isoformat()
REASON = "家长来电称孩子两天未回家，需要核实导师最近的谈话记录"
LONE = "\ud800x"
HAN = re.compile(r"[\u4e00-\u9fff]")
SURROGATE = re.compile(r"[\ud800-\udfff]")
FUZZ = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


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
    """teacher1's mentee; a student of teacher1's class (dh-601) no one in the test mentors; a student of
    东湖 outside that class; teacher1's first record on their mentee."""
    teacher1 = store.actor_for("teacher1")
    mentee = sorted(teacher1.mentee_ids)[0]
    taken = set().union(*(store.actor_for(u).mentee_ids for u in ("teacher1", "principal1", "schooladmin1")))
    dh = [s for s in store.find_students_in(school_id="dh") if s.student_id not in taken]
    in_class = next(s.student_id for s in dh if s.class_id == "dh-601")
    same_school = next(s.student_id for s in dh if s.class_id == "dh-802")
    return {"mentee": mentee, "class": in_class, "school": same_school}


def call(hub, token, method, path, body=None, params=None, data=None):
    headers = {"Authorization": f"token {token}"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    return requests.request(method, hub.url + API + path, headers=headers, json=body, params=params, data=data,
                            timeout=60)  # fmt: skip


def talk(student_id, **extra):
    return {"student_id": student_id, "kind": "talk", "date": TODAY, "talk_type": "例行关怀",
            "summary": "聊了聊最近的学习和生活", **extra}  # fmt: skip


def audit(hub, tokens, **filters) -> list[dict]:
    response = call(hub, tokens("admin"), "GET", "audit", params={"limit": 5000, **filters})
    assert response.status_code == 200, response.text
    return response.json()["audit"]


def newest_audit_id(hub, tokens) -> int:
    entries = audit(hub, tokens, limit=1)
    return entries[0]["audit_id"] if entries else 0


def audit_since(hub, tokens, since_id, **filters) -> list[dict]:
    return [e for e in audit(hub, tokens, **filters) if e["audit_id"] > since_id]


def assert_refused_in_chinese(response, status):
    assert response.status_code == status, response.text
    message = response.json()["error"]["message_zh"]
    assert HAN.search(message), message


# --- finding 4: break-glass -------------------------------------------------------------------------------
@pytest.mark.parametrize("user, path", [
    ("admin", "flags?break_glass=x"),
    ("admin", "flags?break_glass=家长投诉紧急核查"),
    ("psych1", "flags?break_glass=x"),
    ("admin", "students/{mentee}?break_glass=家长投诉紧急核查"),
    ("admin", "students/{mentee}/records?break_glass=家长投诉紧急核查"),
    ("admin", "students?break_glass=家长投诉紧急核查"),
])  # fmt: skip
def test_the_old_get_form_is_refused_and_lists_nothing(running_hub, tokens, targets, user, path):
    before = newest_audit_id(running_hub, tokens)
    response = call(running_hub, tokens(user), "GET", path.format(**targets))
    assert_refused_in_chinese(response, 400)
    assert "flags" not in response.json() and "records" not in response.json()
    assert "POST break-glass" in response.json()["error"]["message_zh"]
    assert audit_since(running_hub, tokens, before) == []


def test_break_glass_is_a_post_for_one_student_and_is_audited(running_hub, tokens, targets, store):
    before = newest_audit_id(running_hub, tokens)
    body = {"student_id": targets["mentee"], "ground": "safety", "reason": REASON}
    response = call(running_hub, tokens("admin"), "POST", "break-glass", body)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["student"]["student_id"] == targets["mentee"]
    mentee_records = {r.record_id for r in store.find_records(store.actor_for("teacher1"), targets["mentee"])}
    assert {r["record_id"] for r in answer["records"]} == mentee_records
    assert all(f["student_id"] == targets["mentee"] and "details" not in f for f in answer["flags"])
    [entry] = audit_since(running_hub, tokens, before)
    assert (entry["actor"], entry["action"], entry["entity_id"]) == ("admin", "break_glass.read", targets["mentee"])
    assert entry["reason"] == f"{access.BREAK_GLASS_GROUNDS['safety']}：{REASON}"
    assert sorted(entry["detail"]["record_ids"]) == sorted(mentee_records)


def test_the_client_breaks_glass_with_a_post(running_hub, tokens, targets):
    client = RecordsClient(running_hub.url + API, tokens("admin"))
    answer = client.break_glass(targets["class"], "data_correction", REASON)
    assert answer["student"]["student_id"] == targets["class"] and answer["ground"] == "data_correction"
    assert "break_glass" not in inspect.signature(client.records_for).parameters
    with pytest.raises(RecordsError) as refused:
        RecordsClient(running_hub.url + API, tokens("teacher1")).break_glass(targets["class"], "safety", REASON)
    assert refused.value.status == 403 and refused.value.message_zh


@pytest.mark.parametrize("user, body, status", [
    ("teacher1", {"student_id": "{mentee}", "ground": "safety", "reason": REASON}, 403),
    ("schooladmin1", {"student_id": "{mentee}", "ground": "safety", "reason": REASON}, 403),
    ("admin", {"student_id": "{mentee}", "ground": "curious", "reason": REASON}, 422),
    ("admin", {"student_id": "{mentee}", "ground": "safety", "reason": "想看看"}, 422),
    ("admin", {"student_id": "{mentee}", "ground": "safety"}, 422),
    ("admin", {"student_id": ["{mentee}", "{class}"], "ground": "safety", "reason": REASON}, 422),
    ("admin", {"student_id": "no-such-student", "ground": "safety", "reason": REASON}, 404),
])  # fmt: skip
def test_break_glass_refusals(running_hub, tokens, targets, user, body, status):
    before = newest_audit_id(running_hub, tokens)
    payload = json.loads(json.dumps(body).replace("{mentee}", targets["mentee"]).replace("{class}", targets["class"]))
    assert_refused_in_chinese(call(running_hub, tokens(user), "POST", "break-glass", payload), status)
    assert audit_since(running_hub, tokens, before, action="break_glass") == []


def set_cookie_headers(response) -> list[str]:
    """Every Set-Cookie line of a response and the redirects before it."""
    lines = []
    for step in [*response.history, response]:
        lines += step.raw.headers.getlist("Set-Cookie")
    return lines


def test_break_glass_from_a_browser_needs_the_xsrf_token_and_cookies_are_samesite(running_hub, targets):
    session = running_hub.login("admin")
    first = session.get(running_hub.url + API + "me", headers={"Accept": "text/html,application/json"}, timeout=60)
    assert first.status_code == 200 and first.json()["username"] == "admin"
    cookies = {line.split("=", 1)[0]: line for line in set_cookie_headers(first)}
    assert "SameSite=Lax" in cookies["service-records"], cookies
    assert "SameSite=Lax" in cookies["_xsrf"], cookies
    body = {"student_id": targets["mentee"], "ground": "complaint", "reason": REASON}
    forged = session.post(running_hub.url + API + "break-glass", json=body, timeout=60)  # as another site would
    assert_refused_in_chinese(forged, 403)
    xsrf = session.cookies.get("_xsrf", path="/services/records/")
    assert xsrf
    allowed = session.post(running_hub.url + API + "break-glass", json=body, headers={"X-XSRFToken": xsrf}, timeout=60)
    assert allowed.status_code == 200, allowed.text
    assert allowed.json()["student"]["student_id"] == targets["mentee"]


def test_the_openapi_document_has_no_break_glass_parameter(running_hub):
    document = requests.get(running_hub.url + API + "openapi.json", timeout=30).json()
    parameters = [p["name"] for spec in document["paths"].values() for op in spec.values()
                  for p in op.get("parameters", [])]  # fmt: skip
    assert "break_glass" not in parameters
    request = document["paths"]["/break-glass"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert request["required"] == ["student_id", "ground", "reason"]
    assert request["properties"]["ground"]["enum"] == list(access.BREAK_GLASS_GROUNDS)


# --- finding 5: reads beyond one's own mentees are audited ---------------------------------------------------
def test_reads_beyond_own_mentees_are_audited_one_row_per_request(running_hub, tokens, targets):
    contact = {"student_id": targets["class"], "kind": "parent_contact", "date": TODAY, "channel": "电话",
               "topic": "作业情况", "content_summary": "与家长沟通了近期作业完成情况"}  # fmt: skip
    assert call(running_hub, tokens("teacher1"), "POST", "records", contact).status_code == 201
    cases = [("teacher1", targets["class"], "own_class"), ("principal1", targets["class"], "own_school"),
             ("schooladmin1", targets["class"], "own_school")]  # fmt: skip
    for user, student_id, scope in cases:
        before = newest_audit_id(running_hub, tokens)
        records = call(running_hub, tokens(user), "GET", f"students/{student_id}/records").json()["records"]
        assert records
        # a user's first call to the records service also ties the hub user to its roster account (its own row)
        entries = audit_since(running_hub, tokens, before)
        [entry] = [e for e in entries if e["action"] != "account.bind_hub_user"]
        assert all(e["actor"] == user for e in entries) and len(entries) <= 2
        assert (entry["actor"], entry["action"], entry["entity_id"]) == (user, "record.read", student_id)
        assert entry["detail"] == {"scope": scope, "student_ids": [student_id],
                                   "record_ids": [r["record_id"] for r in records]}  # fmt: skip
        before = newest_audit_id(running_hub, tokens)
        one = call(running_hub, tokens(user), "GET", f"records/{records[0]['record_id']}")
        assert one.status_code == 200
        [entry] = audit_since(running_hub, tokens, before)
        assert (entry["entity"], entry["entity_id"]) == ("record", str(records[0]["record_id"]))


def test_reading_ones_own_mentees_is_not_audited(running_hub, tokens, targets):
    before = newest_audit_id(running_hub, tokens)
    response = call(running_hub, tokens("teacher1"), "GET", f"students/{targets['mentee']}/records")
    assert response.status_code == 200
    assert audit_since(running_hub, tokens, before) == []


def test_school_leaders_reads_of_flag_details_are_audited(running_hub, tokens, targets):
    raised = call(running_hub, tokens("teacher1"), "POST", "flags",
                  {"student_id": targets["mentee"], "level": 2, "signals": ["情绪"], "details": "连续几天情绪低落"})
    assert raised.status_code == 201
    before = newest_audit_id(running_hub, tokens)
    flags = call(running_hub, tokens("principal1"), "GET", "flags").json()["flags"]
    shown = [f for f in flags if "details" in f]
    assert raised.json()["flag_id"] in {f["flag_id"] for f in shown}
    [entry] = audit_since(running_hub, tokens, before)
    assert (entry["actor"], entry["action"]) == ("principal1", "flag.read_details")
    assert entry["detail"]["flag_ids"] == [f["flag_id"] for f in shown]
    assert targets["mentee"] in entry["detail"]["student_ids"]


# --- finding 7: no input answers with a 500 -------------------------------------------------------------------
def test_a_lone_surrogate_is_refused_nothing_stored_and_the_file_still_reads(running_hub, tokens, targets, store):
    before = store.count_records()
    body = json.dumps(talk(targets["mentee"], summary=LONE)).encode("ascii")  # "\ud800x" on the wire
    assert b"\\ud800" in body
    response = call(running_hub, tokens("teacher1"), "POST", "records", data=body)
    assert_refused_in_chinese(response, 422)
    assert response.json()["error"]["field"] == "summary"
    assert store.count_records() == before
    records = call(running_hub, tokens("teacher1"), "GET", f"students/{targets['mentee']}/records")
    assert records.status_code == 200


@pytest.mark.parametrize("method, path, body", [
    ("PATCH", "records/{record}", {"summary": LONE}),
    ("POST", "flags", {"student_id": "{mentee}", "level": 1, "details": LONE}),
    ("POST", "records", {**talk("{mentee}"), LONE: "值"}),
    ("POST", "records", {**talk("{mentee}"), "student_id": "\ud83dx"}),
])  # fmt: skip
def test_invalid_unicode_anywhere_in_a_body_is_a_422(running_hub, tokens, targets, store, method, path, body):
    record = call(running_hub, tokens("teacher1"), "POST", "records", talk(targets["mentee"])).json()["record_id"]
    text = json.dumps(body).replace("{mentee}", targets["mentee"])
    before = store.count_records()
    response = call(running_hub, tokens("teacher1"), method, path.format(record=record), data=text.encode("ascii"))
    assert_refused_in_chinese(response, 422)
    assert store.count_records() == before


def test_text_stored_before_the_check_still_reads(running_hub, tokens, targets, store):
    """A record written with a lone surrogate by the service before it refused them (inserted directly)."""
    term = store.current_term()
    with store.writing_core() as connection:
        record_id = connection.execute(insert(Record.__table__).returning(Record.__table__.c.record_id).values(
            kind="talk", student_id=targets["mentee"], author="teacher1", term_id=term.term_id,
            event_date=dt.date.today(), fields={"talk_type": "例行关怀", "summary": LONE},
            created_at=dt.datetime.now(dt.UTC).replace(tzinfo=None),
            updated_at=dt.datetime.now(dt.UTC).replace(tzinfo=None))).scalar_one()  # fmt: skip
    try:
        response = call(running_hub, tokens("teacher1"), "GET", f"students/{targets['mentee']}/records")
        assert response.status_code == 200
        summaries = {r["record_id"]: r.get("summary") for r in response.json()["records"]}
        assert summaries[record_id] == LONE
    finally:
        with store.writing_core() as connection:
            connection.execute(delete(Record.__table__).where(Record.__table__.c.record_id == record_id))


DEEP = b"[" * 200_000


@pytest.mark.parametrize("method, path", [
    ("POST", "records"), ("PATCH", "records/{record}"), ("POST", "flags"), ("PATCH", "flags/1"),
    ("POST", "assignments"), ("POST", "break-glass"), ("POST", "discussions"),
])  # fmt: skip
def test_a_body_nested_200000_deep_is_a_400(running_hub, tokens, targets, method, path):
    record = call(running_hub, tokens("teacher1"), "POST", "records", talk(targets["mentee"])).json()["record_id"]
    response = call(running_hub, tokens("teacher1"), method, path.format(record=record), data=DEEP)
    assert_refused_in_chinese(response, 400)


@pytest.mark.parametrize("method, path", [
    ("GET", "records/" + "9" * 20), ("PATCH", "records/" + "9" * 20), ("DELETE", "records/" + "9" * 20),
    ("PATCH", "flags/" + "9" * 20), ("GET", "records/" + "9" * 5000), ("PATCH", "flags/" + "9" * 5000),
    ("GET", "records/9223372036854775808"), ("GET", "records/0"),
    ("GET", "students/" + "9" * 20), ("GET", "students/" + "9" * 20 + "/records"),
])  # fmt: skip
def test_ids_too_large_for_the_database_are_404(running_hub, tokens, method, path):
    body = {"records": {"summary": "改一下"}, "flags": {"status": "monitoring"}}[path.split("/")[0]] \
        if method == "PATCH" else None  # fmt: skip
    assert_refused_in_chinese(call(running_hub, tokens("psych1"), method, path, body), 404)


def test_an_address_that_is_not_utf8_is_a_400_from_the_service(running_hub, tokens):
    """Straight to the service: the hub's proxy (configurable-http-proxy 5.3) fails such an address itself
    with a 500 before it reaches any service (its decodeURIComponent throws), which is outside this project."""
    port = yaml.safe_load(running_hub.settings_file.read_text(encoding="utf-8"))["records_port"]
    service = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"token {tokens('teacher1')}"}
    for path in ("students/%ED%A0%80x", "students/%ED%A0%80x/records", "students/%FF"):
        response = requests.get(f"{service}{API}{path}", headers=headers, timeout=30)
        assert_refused_in_chinese(response, 400)


# --- a small fuzz: no 500 anywhere -----------------------------------------------------------------------------
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)  # lone surrogates too
PATH_TEXT = st.text(st.characters(), max_size=12)  # valid Unicode (see the test above for the rest)
NASTY = st.sampled_from(["", " ", LONE, "\udfff", "\x00", "\u200b", "9" * 20, "9" * 400, "a/b", "../..", "%00",
                         "'; DROP TABLE records; --", "１３８１２３４５６７８", "一三八一二三四五六七八", "e\u0301"])
SCALARS = st.none() | st.booleans() | st.integers() | st.integers(min_value=2**63 - 2, max_value=2**70) \
    | st.floats(allow_nan=False, allow_infinity=False) | ANY_TEXT | NASTY  # fmt: skip
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(ANY_TEXT | NASTY, inner,
                                                                                       max_size=3), max_leaves=8)
TALK_KEYS = st.sampled_from(["student_id", "kind", "date", "client_ref", "summary", "talk_type", "escalation",
                             "follow_up_date", "guidance_domains", "class_rank", "level", "details", "signals"])


def fuzzed(base: dict):
    """``base`` with some of its fields replaced or added by anything JSON can hold (or JSON itself)."""
    changes = st.dictionaries(TALK_KEYS | ANY_TEXT, JSON, max_size=3)
    return st.one_of(changes.map(lambda c: {**base, **c}), JSON)


def no_500(response) -> None:
    assert response.status_code < 500, (response.request.method, response.request.url, response.request.body,
                                        response.text)  # fmt: skip
    if response.status_code >= 400:
        assert HAN.search(response.json()["error"]["message_zh"]), response.text


def send_json(hub, token, method, path, value):
    return call(hub, token, method, path, data=json.dumps(value).encode("ascii"))


@pytest.fixture(scope="module")
def fuzz_world(running_hub, tokens, targets):
    """A record of teacher1's and a flag, to PATCH; the current term."""
    record = call(running_hub, tokens("teacher1"), "POST", "records", talk(targets["mentee"])).json()["record_id"]
    flag = call(running_hub, tokens("teacher1"), "POST", "flags", {"student_id": targets["mentee"], "level": 1})
    term = call(running_hub, tokens("teacher1"), "GET", "me").json()["term_id"]
    return {"record": record, "flag": flag.json()["flag_id"], "term": term, **targets}


@FUZZ
@given(data=st.data())
def test_fuzz_record_bodies(running_hub, tokens, fuzz_world, data):
    body = data.draw(fuzzed(talk(fuzz_world["mentee"])))
    no_500(send_json(running_hub, tokens("teacher1"), "POST", "records", body))
    change = data.draw(fuzzed({"summary": "谈了谈近况"}))
    no_500(send_json(running_hub, tokens("teacher1"), "PATCH", f"records/{fuzz_world['record']}", change))


@FUZZ
@given(data=st.data())
def test_fuzz_flag_bodies(running_hub, tokens, fuzz_world, data):
    body = data.draw(fuzzed({"student_id": fuzz_world["mentee"], "level": 1, "signals": ["情绪"]}))
    no_500(send_json(running_hub, tokens("teacher1"), "POST", "flags", body))
    change = data.draw(fuzzed({"status": "monitoring"}))
    no_500(send_json(running_hub, tokens("psych1"), "PATCH", f"flags/{fuzz_world['flag']}", change))


@FUZZ
@given(data=st.data())
def test_fuzz_assignment_and_break_glass_bodies(running_hub, tokens, fuzz_world, data):
    rows = data.draw(st.lists(fuzzed({"student_id": fuzz_world["school"], "staff_id": "teacher9"}), max_size=3))
    body = {"term_id": data.draw(st.just(fuzz_world["term"]) | JSON), "rows": rows, "replace": False}
    no_500(send_json(running_hub, tokens("schooladmin1"), "POST", "assignments", body))
    glass = data.draw(fuzzed({"student_id": fuzz_world["mentee"], "ground": "safety", "reason": REASON}))
    no_500(send_json(running_hub, tokens("admin"), "POST", "break-glass", glass))


def raw_quote(text: str) -> str:
    """Percent-encoded UTF-8, lone surrogates included (as a client may send them: invalid UTF-8)."""
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


@FUZZ
@given(student_id=(PATH_TEXT | NASTY).filter(lambda t: t not in ("", ".", "..") and not SURROGATE.search(t)),
       record_id=st.integers(min_value=0, max_value=10**30), term=ANY_TEXT | NASTY, limit=ANY_TEXT | NASTY)
def test_fuzz_ids_and_query_parameters(running_hub, tokens, student_id, record_id, term, limit):
    token = tokens("teacher1")
    for path in (f"students/{raw_quote(student_id)}", f"students/{raw_quote(student_id)}/records",
                 f"records/{record_id}", f"progress?term={raw_quote(term)}", f"flags?student_id={raw_quote(term)}",
                 f"assignments?term={raw_quote(term)}"):  # fmt: skip
        no_500(call(running_hub, token, "GET", path))
    no_500(call(running_hub, tokens("admin"), "GET", f"audit?limit={raw_quote(limit)}&since={raw_quote(term)}"))
