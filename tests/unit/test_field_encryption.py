"""Sensitive fields encrypted at rest (SQLite and PostgreSQL): concern details, family situation (also in a
record's earlier versions), guardians' contacts and guardians' requests are ciphertext in the database,
unreadable without the key, readable after a rotation re-encrypted them with a new key; the records service
does not start without a key file; ``mentorhub keys`` end to end."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys

import pytest
import yaml
from sqlalchemy import text

from hub.cli import main as cli
from hub.store import open_store, upgrade
from hub.store.crypto import KeyMissing, KeyRing, ensure_key_file, retire_old_keys, rotate_keys
from hub.store.testing import build_small_world, new_database_url

TODAY = dt.date.today()
SECRETS = {"details": "课间常独处，提到家里争吵", "family": "父母分居，与外婆同住", "contact": "13800001111",
           "edited": "父母和好，周末一起出游"}  # fmt: skip
RAW_QUERIES = {  # what is stored, read past the column types
    "flag": "SELECT details FROM concern_flags",
    "record": "SELECT fields FROM records WHERE kind = 'home_visit'",
    "version": "SELECT fields FROM record_versions",
    "guardian": "SELECT contact_channel FROM guardians",
}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def sealed_world(request, tmp_path):
    """A small world written through a store holding a key file; returns (url, key file, ids)."""
    pg = request.getfixturevalue("pg_url") if request.param == "postgres" else None
    url, cleanup = new_database_url(request.param, tmp_path, pg)
    key_file = tmp_path / "keys" / "field-keys.json"
    ensure_key_file(key_file)
    store = open_store(url, key_file=key_file)
    build_small_world(store)
    mentor = store.actor_for("m_a")
    flag = store.add_flag(mentor, {"student_id": "sa1", "level": 2, "signals": ["情绪"], "details": SECRETS["details"]})
    visit = store.add_record(mentor, {"student_id": "sa1", "kind": "home_visit", "date": TODAY.isoformat(),
                                      "form": "视频", "purpose": "了解居家学习环境",
                                      "family_situation": SECRETS["family"]})  # fmt: skip
    store.update_record(mentor, visit.record_id, {"family_situation": SECRETS["edited"]})
    store.add_guardian(store.actor_for("adm_a"), {"student_id": "sa1", "relation": "母亲", "name": "王某某",
                                                  "contact_channel": SECRETS["contact"]})  # fmt: skip
    store.close()
    yield url, key_file, {"flag": flag.flag_id, "record": visit.record_id}
    cleanup()


def raw_values(url) -> dict[str, list[str]]:
    store = open_store(url, keyring=None, key_file=None)
    try:
        with store.engine.connect() as conn:
            return {name: [v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                           for v in conn.execute(text(query)).scalars()] for name, query in RAW_QUERIES.items()}  # fmt: skip
    finally:
        store.close()


def readable(store, ids) -> dict[str, str]:
    flags = store.find_flags(store.actor_for("psy_a"), "sa1")
    history = store.find_record_history(store.actor_for("m_a"), ids["record"])
    guardians = store.find_guardians(store.actor_for("adm_a"), "sa1")
    return {"details": next(f["details"] for f in flags if f["flag_id"] == ids["flag"]),
            "family": history["versions"][0]["family_situation"], "edited": history["versions"][1]["family_situation"],
            "contact": guardians[0]["contact_channel"]}  # fmt: skip


def test_the_database_holds_only_ciphertext(sealed_world):
    url, key_file, _ = sealed_world
    stored = raw_values(url)
    everything = json.dumps(stored, ensure_ascii=False)
    for secret in SECRETS.values():
        assert secret not in everything
    key_id = KeyRing.from_file(key_file).current_id
    assert stored["flag"][0].startswith(f"enc:v1:{key_id}:")
    assert stored["guardian"][0].startswith(f"enc:v1:{key_id}:")
    assert json.loads(stored["record"][0])["family_situation"].startswith(f"enc:v1:{key_id}:")
    assert json.loads(stored["version"][0])["family_situation"].startswith(f"enc:v1:{key_id}:")
    assert json.loads(stored["record"][0])["purpose"] == "了解居家学习环境"  # the other fields stay readable to SQL


def test_unreadable_without_the_key_or_with_another_key(sealed_world, tmp_path):
    url, key_file, ids = sealed_world
    for keys in (None, ensure_key_file(tmp_path / "other-keys.json")):
        store = open_store(url, keyring=keys, key_file=None) if keys else open_store(url)
        try:
            with pytest.raises(KeyMissing) as refused:
                store.find_flags(store.actor_for("psy_a"), "sa1")
            assert refused.value.status == 503 and "密钥" in refused.value.message_zh
            with pytest.raises(KeyMissing):
                store.find_record_history(store.actor_for("m_a"), ids["record"])
            with pytest.raises(KeyMissing):
                store.find_guardians(store.actor_for("adm_a"), "sa1")
        finally:
            store.close()
    store = open_store(url, key_file=key_file)
    try:
        assert readable(store, ids) == SECRETS
    finally:
        store.close()


def test_readable_after_rotation_and_only_with_the_new_key_once_the_old_one_is_retired(sealed_world):
    url, key_file, ids = sealed_world
    old_ring = KeyRing.from_file(key_file)
    new_ring = rotate_keys(key_file)
    assert new_ring.current_id != old_ring.current_id and len(new_ring.keys) == 2
    store = open_store(url, key_file=key_file)
    try:
        changed = store.reseal_sensitive_fields()
        assert changed == {"concern_flags": 1, "guardians": 1, "guardian_requests": 0, "records": 1,
                           "record_versions": 1, "focus_nominations": 0, "focus_decisions": 0}  # fmt: skip
        assert store.reseal_sensitive_fields() == dict.fromkeys(changed, 0)  # nothing left: runs again safely
        assert store.count_sealed()["records"] == {new_ring.current_id: 1}
        entry = store.find_audit(store.actor_for("admin"), action="keys.reseal")[1]  # newest first
        assert entry.detail == {"changed": changed}
    finally:
        store.close()
    stored = json.dumps(raw_values(url), ensure_ascii=False)
    assert f"enc:v1:{old_ring.current_id}:" not in stored and f"enc:v1:{new_ring.current_id}:" in stored
    assert retire_old_keys(key_file) == [old_ring.current_id]
    store = open_store(url, key_file=key_file)
    try:
        assert readable(store, ids) == SECRETS
    finally:
        store.close()
    store = open_store(url, keyring=old_ring)
    try:
        with pytest.raises(KeyMissing):
            store.find_flags(store.actor_for("psy_a"), "sa1")
    finally:
        store.close()


def test_plain_text_written_before_a_key_existed_is_sealed_by_the_rotation(tmp_path):
    url, _ = new_database_url("sqlite", tmp_path)
    store = open_store(url)  # no key file anywhere: a test store writes as it is
    build_small_world(store)
    flag = store.add_flag(store.actor_for("m_a"), {"student_id": "sa1", "level": 1, "details": SECRETS["details"]})
    store.close()
    assert raw_values(url)["flag"] == [SECRETS["details"]]
    key_file = tmp_path / "keys.json"
    ensure_key_file(key_file)
    store = open_store(url, key_file=key_file)
    try:
        assert store.count_sealed()["concern_flags"] == {"plain": 1}
        assert store.reseal_sensitive_fields()["concern_flags"] == 1
        assert store.find_flags(store.actor_for("psy_a"), "sa1")[0]["details"] == SECRETS["details"]
    finally:
        store.close()
    assert raw_values(url)["flag"][0].startswith("enc:v1:") and flag.flag_id


def test_the_records_service_does_not_start_without_a_key_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'records.sqlite'}"
    upgrade(url)
    env = {k: v for k, v in os.environ.items() if k != "MENTORHUB_FIELD_KEY_FILE"}
    env.update({"MENTORHUB_RECORDS_DB_URL": url, "MENTORHUB_STATE_DIR": str(tmp_path),
                "JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:1"})  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "hub.records"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 5
    assert "找不到敏感字段的密钥文件" in done.stderr and str(tmp_path / "secrets" / "field-keys.json") in done.stderr


def test_mentorhub_keys_init_status_rotate_retire(tmp_path, capsys):
    settings = tmp_path / "mentorhub.yaml"
    settings.write_text(yaml.safe_dump({"state_dir": "state", "privacy": {"key_file": "keys/field-keys.json"}}))
    url = f"sqlite:///{tmp_path / 'state' / 'records.sqlite'}"
    (tmp_path / "state").mkdir()
    upgrade(url)
    assert cli(["keys", "init", "--settings", str(settings)]) == 0
    key_file = tmp_path / "keys" / "field-keys.json"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    first = KeyRing.from_file(key_file).current_id
    store = open_store(url, key_file=key_file)
    build_small_world(store)
    store.add_flag(store.actor_for("m_a"), {"student_id": "sa1", "level": 1, "details": SECRETS["details"]})
    store.close()
    capsys.readouterr()
    assert cli(["keys", "status", "--settings", str(settings)]) == 0
    out = capsys.readouterr().out
    assert f"当前密钥 {first}" in out and f"关注记录的情况说明：{first} 1" in out
    assert cli(["keys", "rotate", "--retire", "--settings", str(settings)]) == 0
    out = capsys.readouterr().out
    ring = KeyRing.from_file(key_file)
    assert [k.key_id for k in ring.keys] == [ring.current_id] and ring.current_id != first
    assert f"已生成新密钥 {ring.current_id}" in out and "关注记录的情况说明：1 项" in out and first in out
    store = open_store(url, key_file=key_file)
    try:
        assert store.find_flags(store.actor_for("psy_a"), "sa1")[0]["details"] == SECRETS["details"]
    finally:
        store.close()
