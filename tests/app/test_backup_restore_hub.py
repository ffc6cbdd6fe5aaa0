"""Backup and restore with real hubs, on SQLite and on PostgreSQL: a hub with the demo district and some
edited and sensitive records is backed up while it runs (`mentorhub backup`), restored into an empty state
folder and a new database (`mentorhub restore`, with the field key file kept apart), and a second hub on the
restored state answers the records API exactly as the first one did, for every kind of reader."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import uuid

import psycopg
import pytest
import requests

from hub.demo import seed_demo
from hub.store import open_store, upgrade
from hub.store.crypto import KEY_FILE_NAME, ensure_key_file
from tests.helpers import VENV_BIN, start_hub, write_hub_settings

pytestmark = pytest.mark.app
API = "/services/records/api/v1/"
TODAY = dt.date.today().isoformat()
USERS = ("teacher1", "principal1", "psych1", "schooladmin1")


def server_conninfo(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1).split("?", 1)[0]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request):
    """(a function making a new records database URL, or None for SQLite files)."""
    if request.param == "sqlite":
        yield None
        return
    pg = request.getfixturevalue("pg_url")
    made = []

    def new_database() -> str:
        name = f"mh_restore_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(server_conninfo(pg), autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return server_conninfo(pg).rsplit("/", 1)[0] + "/" + name

    yield new_database
    with psycopg.connect(server_conninfo(pg), autocommit=True, connect_timeout=10) as conn:
        for name in made:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def source_settings(folder, backend):
    if backend is None:
        return write_hub_settings(folder, seed=True)
    url = backend()
    settings = write_hub_settings(folder, seed=False, extra={"database": {"records_url": url}})
    key_file = folder / "state" / "secrets" / KEY_FILE_NAME
    ensure_key_file(key_file)
    upgrade(url)
    store = open_store(url, key_file=key_file)
    try:
        seed_demo(store)
    finally:
        store.close()
    return settings


def get(hub, token, path, **params):
    response = requests.get(hub.url + API + path, params=params, timeout=60, headers={"Authorization": f"token {token}"})
    assert response.status_code == 200, (path, response.text)
    return response.json()


def api_answers(hub, record_id: int, student: str) -> dict:
    """What each kind of reader gets from the records API."""
    tokens = {user: hub.user_token(user) for user in USERS}
    out = {}
    for user, token in tokens.items():
        out[user] = {"me": get(hub, token, "me"), "students": get(hub, token, "students"),
                     "flags": get(hub, token, "flags"), "consents": get(hub, token, "consents")}  # fmt: skip
        if user != "psych1":
            out[user]["records"] = get(hub, token, f"students/{student}/records")
            out[user]["history"] = get(hub, token, f"records/{record_id}/history")
            out[user]["progress"] = get(hub, token, "progress")
    out["teacher1"]["mine"] = get(hub, tokens["teacher1"], "my-records")
    out["schooladmin1"]["missing"] = get(hub, tokens["schooladmin1"], "consents/missing")
    out["schooladmin1"]["guardians"] = get(hub, tokens["schooladmin1"], f"students/{student}/guardians")
    return out


def mentorhub(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(VENV_BIN / "mentorhub"), *args], capture_output=True, text=True, timeout=600)


def test_a_restored_hub_answers_the_records_api_as_the_original(backend, tmp_path_factory, artifacts_dir):
    folder = tmp_path_factory.mktemp("backup-source")
    settings = source_settings(folder, backend)
    hub = start_hub(settings)
    try:
        token = hub.user_token("teacher1")
        student = sorted(get(hub, token, "me")["mentees"], key=lambda m: m["student_id"])[0]["student_id"]
        headers = {"Authorization": f"token {token}"}
        visit = requests.post(hub.url + API + "records", headers=headers, timeout=60, json={
            "student_id": student, "kind": "home_visit", "date": TODAY, "form": "视频", "purpose": "了解作息",
            "family_situation": "与外婆同住，父母在外地工作"})  # fmt: skip
        assert visit.status_code == 201, visit.text
        record_id = visit.json()["record_id"]
        assert requests.patch(hub.url + API + f"records/{record_id}", headers=headers, timeout=60,
                              json={"purpose": "了解作息与学习环境"}).ok  # fmt: skip
        assert requests.post(hub.url + API + "flags", headers=headers, timeout=60, json={
            "student_id": student, "level": 2, "signals": ["情绪"], "details": "近两周情绪低落"}).status_code == 201
        before = api_answers(hub, record_id, student)
        archive = tmp_path_factory.mktemp("backups") / "hub.tar.gz"
        done = mentorhub("backup", str(archive), "--settings", str(settings))  # while the hub runs
        assert done.returncode == 0, done.stderr
    finally:
        hub.shutdown(log_copy=artifacts_dir / "hub-backup-source.log")
    vault = tmp_path_factory.mktemp("vault") / KEY_FILE_NAME  # the key file, kept apart from the backups
    shutil.copy(folder / "state" / "secrets" / KEY_FILE_NAME, vault)
    extra = {"privacy": {"key_file": str(vault)}}
    if backend is not None:
        extra["database"] = {"records_url": backend()}
    restored_settings = write_hub_settings(tmp_path_factory.mktemp("backup-target"), seed=False, extra=extra)
    done = mentorhub("restore", str(archive), "--settings", str(restored_settings))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "已恢复到" in done.stdout
    restored = start_hub(restored_settings)
    try:
        after = api_answers(restored, record_id, student)
    finally:
        restored.shutdown(log_copy=artifacts_dir / "hub-backup-restored.log")
    assert after == before
    assert before["teacher1"]["history"]["versions"][0]["family_situation"] == "与外婆同住，父母在外地工作"
    assert any(f.get("details") == "近两周情绪低落" for f in before["principal1"]["flags"]["flags"])
