"""Minors' data through the session's real hub and records service (``running_hub``, the seeded demo
district): refusals without the guardian's consent in Chinese, record history, what the workbench shows a
mentor and the school office."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

from hub.demo import without_consent
from widgets.client import RecordsClient
from widgets.consent_panel import ConsentPanel, MissingConsentsPanel
from widgets.workbench import Workbench

pytestmark = pytest.mark.app
API = "/services/records/api/v1/"
TODAY = dt.date.today().isoformat()


def talk(student_id: str, **extra) -> dict:
    return {"student_id": student_id, "kind": "talk", "date": TODAY, "talk_type": "例行关怀",
            "summary": "聊了聊最近的学习和生活", **extra}  # fmt: skip


def visit(student_id: str) -> dict:
    return {"student_id": student_id, "kind": "home_visit", "date": TODAY, "form": "电话", "purpose": "了解作息"}


@pytest.fixture(scope="module")
def tokens(running_hub):
    cache = {}

    def token(user):
        if user not in cache:
            cache[user] = running_hub.user_token(user)
        return cache[user]

    return token


def call(hub, token, method, path, body=None, **params):
    return requests.request(method, hub.url + API + path, json=body, params=params, timeout=60,
                            headers={"Authorization": f"token {token}"})  # fmt: skip


def mentor_of(store, student_id: str) -> str:
    return next(user for user in ("principal1", "psych1") if student_id in store.actor_for(user).mentee_ids)


def test_no_consent_no_record_and_the_refusal_says_why_in_chinese(running_hub, store, tokens):
    exceptions = without_consent(store)
    assert len(exceptions["none"]) == 4 and len(exceptions["home_visit_withdrawn"]) == 1
    for student in exceptions["none"]:
        mentor = mentor_of(store, student)
        before = len(store.find_records(store.actor_for(mentor), student))
        response = call(running_hub, tokens(mentor), "POST", "records", talk(student))
        assert response.status_code == 403, response.text
        error = response.json()["error"]
        assert error["field"] == "consent" and "监护人尚未同意“导师记录”" in error["message_zh"]
        assert len(store.find_records(store.actor_for(mentor), student)) == before
    withdrawn = exceptions["home_visit_withdrawn"][0]
    token = tokens(mentor_of(store, withdrawn))
    response = call(running_hub, token, "POST", "records", visit(withdrawn))
    assert response.status_code == 403 and "已撤回对“家访”的同意" in response.json()["error"]["message_zh"]
    assert call(running_hub, token, "POST", "records", talk(withdrawn)).status_code == 201


def test_the_history_of_an_edited_record_through_the_hub(running_hub, store, tokens):
    student = sorted(store.actor_for("teacher1").mentee_ids)[0]
    created = call(running_hub, tokens("teacher1"), "POST", "records", talk(student, summary="第一版"))
    assert created.status_code == 201, created.text
    record_id = created.json()["record_id"]
    for summary in ("第二版", "第三版"):
        assert call(running_hub, tokens("teacher1"), "PATCH", f"records/{record_id}", {"summary": summary}).ok
    history = call(running_hub, tokens("teacher1"), "GET", f"records/{record_id}/history").json()
    assert [(v["version"], v["summary"], v["written_by"]) for v in history["versions"]] == [
        (1, "第一版", "teacher1"), (2, "第二版", "teacher1"), (3, "第三版", "teacher1")]
    assert call(running_hub, tokens("principal1"), "GET", f"records/{record_id}/history").status_code == 200
    audit = call(running_hub, tokens("admin"), "GET", "audit", who="principal1", action="record.history").json()
    assert str(record_id) in [entry["entity_id"] for entry in audit["audit"]]
    outsider = next(u for u in ("teacher8", "teacher2") if student not in store.actor_for(u).mentee_ids)
    assert call(running_hub, tokens(outsider), "GET", f"records/{record_id}/history").status_code == 404
    assert call(running_hub, tokens("teacher1"), "DELETE", f"records/{record_id}").ok
    mine = call(running_hub, tokens("teacher1"), "GET", "my-records").json()["records"]
    assert next(r for r in mine if r["record_id"] == record_id)["deleted"] is True
    assert call(running_hub, tokens("principal1"), "GET", f"records/{record_id}/history").status_code == 404


def test_the_workbench_shows_what_may_be_recorded_and_the_office_what_is_missing(running_hub, store):
    exceptions = without_consent(store)
    principal = RecordsClient(running_hub.url + API, running_hub.user_token("principal1"))
    bench = Workbench.from_client(principal)
    assert isinstance(bench, Workbench)
    titles = list(bench.tabs.titles)
    panel = bench.pages[titles.index("可记录范围")].get()
    assert isinstance(panel, ConsentPanel)
    rows = {row.student_id: row for row in panel.rows}
    assert set(rows) == set(store.actor_for("principal1").mentee_ids)
    for student in exceptions["none"]:
        if student in rows:
            assert rows[student].may_record == "暂不能记录"
            assert f'data-student="{student}"' in panel.table.value
    withdrawn = exceptions["home_visit_withdrawn"][0]
    assert rows[withdrawn].scopes["home_visit"] == "已撤回" and "家访" not in rows[withdrawn].may_record
    office = Workbench.from_client(RecordsClient(running_hub.url + API, running_hub.user_token("schooladmin1")))
    titles = list(office.tabs.titles)
    listed = office.pages[titles.index("监护人同意")].get()
    assert isinstance(listed, MissingConsentsPanel)
    assert {row["student_id"] for row in listed.rows} >= {*exceptions["none"], withdrawn}
    teacher = RecordsClient(running_hub.url + API, running_hub.user_token("teacher1"))
    assert "监护人同意" not in Workbench.from_client(teacher).tabs.titles
    response = call(running_hub, running_hub.user_token("teacher1"), "GET", "consents/missing")
    assert response.status_code == 403 and response.json()["error"]["message_zh"]


def test_the_school_office_downloads_a_guardians_copy_built_on_the_server(running_hub, store, tokens):
    import io

    import docx

    student = sorted(store.actor_for("teacher1").mentee_ids)[0]
    office = RecordsClient(running_hub.url + API, tokens("schooladmin1"))
    logged = office.add_guardian_request(student, "copy", "书面", details="申请复制孩子的记录")
    assert logged["due_on"] == (dt.date.today() + dt.timedelta(days=15)).isoformat()
    response = call(running_hub, tokens("schooladmin1"), "GET", f"guardian-requests/{logged['request_id']}/copy.docx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.content))
    assert document.paragraphs[0].text == "学生个人信息副本（应监护人申请提供）"
    name = store.find_student(store.actor_for("teacher1"), student).display_name
    assert ("学生", name) in [tuple(c.text for c in row.cells) for row in document.tables[0].rows]
    for user in ("teacher1", "principal1", "schooladmin2", "admin"):
        refused = call(running_hub, tokens(user), "GET", f"guardian-requests/{logged['request_id']}/copy.docx")
        assert refused.status_code in (403, 404) and refused.json()["error"]["message_zh"]
    audit = call(running_hub, tokens("admin"), "GET", "audit", action="guardian_request.copy").json()["audit"]
    assert str(logged["request_id"]) in [entry["entity_id"] for entry in audit]
    answered = office.answer_guardian_request(logged["request_id"], "answered", "副本已当面交给家长")
    assert answered["status"] == "answered"


def test_the_access_review_through_the_hub(running_hub, store, tokens):
    student = sorted(store.actor_for("teacher1").mentee_ids)[0]
    day = dt.date.today().isoformat()
    assert call(running_hub, tokens("principal1"), "GET", f"students/{student}/records").status_code == 200
    review = call(running_hub, tokens("principal1"), "GET", "access-review", since=day, until=day)
    assert review.status_code == 200, review.text
    body = review.json()
    assert body["school_id"] == "dh"
    assert student in next(r for r in body["readers"] if r["who"] == "principal1")["students"]
    assert call(running_hub, tokens("admin"), "GET", "access-review", school="dh").status_code == 200
    assert call(running_hub, tokens("admin"), "GET", "access-review").status_code == 404  # names no school
    assert call(running_hub, tokens("principal1"), "GET", "access-review", school="xl").status_code == 404
    refused = call(running_hub, tokens("teacher1"), "GET", "access-review")
    assert refused.status_code == 403 and refused.json()["error"]["message_zh"]
    assert call(running_hub, tokens("principal1"), "GET", "access-review", since="昨天").status_code == 400
