"""Issue 16 on a real hub: platform admins can neither rename accounts nor change group memberships through
the hub's API (findings 1 and 2), and the records service serves a roster account only to the hub user it
is bound to, whatever that user is called now (finding 1). The project's own path, the admin service's
token, still can, and what it changes in groups is audited."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid

import pytest
import requests

from hub.roster import HubSyncRefused, sync_hub_groups

pytestmark = pytest.mark.app
API = "/services/records/api/v1/"
COURSE = "foundations"
VICTIM = "teacher6"


def records(hub, token, method, path, body=None):
    return requests.request(method, hub.url + API + path, headers={"Authorization": f"token {token}"},
                            json=body, timeout=60)  # fmt: skip


def test_a_platform_admin_cannot_rename_accounts(running_hub):
    admin = running_hub.user_token("admin")
    moved = running_hub.api("PATCH", f"/users/{VICTIM}", token=admin, json={"name": f"{VICTIM}-moved"})
    taken = running_hub.api("PATCH", "/users/admin", token=admin, json={"name": VICTIM})
    assert (moved.status_code, taken.status_code) == (403, 403)
    assert running_hub.api("GET", f"/users/{VICTIM}").status_code == 200
    assert running_hub.api("GET", "/users/admin").status_code == 200
    # nor make or remove accounts, whose names come from the roster
    assert running_hub.api("POST", "/users/someone-new", token=admin).status_code == 403
    assert running_hub.api("DELETE", f"/users/{VICTIM}", token=admin).status_code == 403


@contextlib.contextmanager
def renamed(hub, renames: list[tuple[str, str]]):
    """Rename hub users with the project's admin service token (the one path left), and back afterwards."""
    done = []
    try:
        for old, new in renames:
            response = hub.api("PATCH", f"/users/{old}", json={"name": new})
            assert response.status_code == 200, response.text
            done.append((old, new))
        yield
    finally:
        for old, new in reversed(done):
            hub.api("PATCH", f"/users/{new}", json={"name": old}).raise_for_status()


def test_a_renamed_hub_user_is_not_served_as_the_roster_account_of_its_new_name(running_hub, store):
    victim_token = running_hub.user_token(VICTIM)
    me = records(running_hub, victim_token, "GET", "me")
    assert me.status_code == 200 and me.json()["username"] == VICTIM  # the account is bound to this hub user
    mentees = me.json()["mentees"]
    assert mentees, f"{VICTIM} has no mentees: the check below would prove nothing"
    created = {name: running_hub.api("GET", f"/users/{name}").json()["created"] for name in (VICTIM, "admin")}
    assert created[VICTIM] != created["admin"]
    since = dt.datetime.now(dt.UTC).replace(tzinfo=None)

    with renamed(running_hub, [(VICTIM, f"{VICTIM}-moved"), ("admin", VICTIM)]):
        impostor = running_hub.user_token(VICTIM)  # the platform admin's hub user, now called teacher6
        assert running_hub.api("GET", "/user", token=impostor).json()["created"] == created["admin"]
        refused = records(running_hub, impostor, "GET", "me")
        assert refused.status_code == 403
        assert "绑定" in refused.json()["error"]["message_zh"]
        # a token that shows only its owner's name (the service then asks the hub who that is) is refused too
        narrow = running_hub.user_token(VICTIM, scopes=[
            "access:services!service=records", "read:users:name!user", "read:users:groups!user"])
        assert "created" not in running_hub.api("GET", "/user", token=narrow).json()
        assert records(running_hub, narrow, "GET", "me").status_code == 403
        student = mentees[0]["student_id"]
        assert records(running_hub, impostor, "GET", f"students/{student}/records").status_code == 403
        contact = {"student_id": student, "kind": "parent_contact", "date": dt.date.today().isoformat(),
                   "channel": "电话", "topic": "作业情况", "content_summary": "冒名写入的家校沟通记录"}
        assert records(running_hub, impostor, "POST", "records", contact).status_code == 403
        # the real teacher, under the name they were moved to, is nobody to the records service
        moved = records(running_hub, running_hub.user_token(f"{VICTIM}-moved"), "GET", "me").json()
        assert moved["roles"] == [] and moved["mentees"] == []

    refusals = [entry for entry in store.find_audit(store.actor_for("admin"), action="account.identity_refused",
                                                    since=since) if entry.entity_id == VICTIM]  # fmt: skip
    assert refusals and refusals[0].detail["presented"] == created["admin"]
    assert refusals[0].detail["bound_to"] == created[VICTIM]
    assert not [r for r in store.find_records(store.actor_for(VICTIM), mentees[0]["student_id"])
                if "冒名" in str(r.to_dict())]
    # renamed back, the teacher is served again
    assert records(running_hub, victim_token, "GET", "me").json()["username"] == VICTIM


def test_a_platform_admin_cannot_join_a_courses_graders(running_hub):
    running_hub.wait_for_service(COURSE)
    group = f"formgrade-{COURSE}"
    before = running_hub.api("GET", f"/groups/{group}").json()["users"]
    admin = running_hub.user_token("admin")
    joined = running_hub.api("POST", f"/groups/{group}/users", token=admin, json={"users": ["admin"]})
    removed = running_hub.api("DELETE", f"/groups/{group}/users", token=admin, json={"users": before[:1]})
    made = running_hub.api("POST", "/groups/formgrade-sneaky", token=admin)
    assert (joined.status_code, removed.status_code, made.status_code) == (403, 403, 403)
    assert running_hub.api("GET", f"/groups/{group}").json()["users"] == before
    # and the course's formgrader stays closed to them
    session = running_hub.login("admin")
    page = session.get(f"{running_hub.url}/services/{COURSE}/formgrader", timeout=60)
    assert page.status_code == 403


def test_group_changes_go_through_the_admin_service_and_are_audited(running_hub, store):
    api_url = f"{running_hub.url}/hub/api"
    group = f"studio-sectest-{uuid.uuid4().hex[:6]}"
    since = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    try:
        with pytest.raises(HubSyncRefused) as refused:
            sync_hub_groups(api_url, running_hub.user_token("admin"), {group: ["teacher21"]}, store=store,
                            by="cli:platform-admin")
        assert "admin_service_token" in refused.value.message_zh
        assert running_hub.api("GET", f"/groups/{group}").status_code == 404

        sync_hub_groups(api_url, running_hub.admin_token, {group: ["teacher21"]}, store=store, by="cli:root")
        assert running_hub.api("GET", f"/groups/{group}").json()["users"] == ["teacher21"]
        audit = [entry for entry in store.find_audit(store.actor_for("admin"), action="hub.group_members_add",
                                                     since=since) if entry.entity_id == group]  # fmt: skip
        assert [(e.actor, e.detail["added"], e.detail["group_created"]) for e in audit] == [
            ("cli:root", ["teacher21"], True)]
        sync_hub_groups(api_url, running_hub.admin_token, {group: ["teacher21"]}, store=store, by="cli:root")
        assert len([e for e in store.find_audit(store.actor_for("admin"), action="hub.group_members_add",
                                                since=since) if e.entity_id == group]) == 1  # nothing new
    finally:
        running_hub.api("DELETE", f"/groups/{group}")
