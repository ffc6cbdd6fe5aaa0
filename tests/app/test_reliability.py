"""Issue 9, reliability: a hub restart in the middle of a load run, and the records database gone for 10 s.

- Hub restart: simulated teachers (benchmarks/load/simulator.py, with retries) write records through the
  records service while the hub gets SIGTERM and is started again with the same settings file
  (`HubHandle.restart`). Their servers survive (same processes), their proxy routes come back, every
  acknowledged record is stored once, and the only failed tries are transient ones inside the restart.
- Database outage: a hub whose records service uses a PRIVATE PostgreSQL cluster (initdb into a temporary
  folder, its own port; the machine's shared server is never touched). `pg_ctl stop -m fast`, ~10 s of
  requests that must get 503 with the Chinese message, `pg_ctl start`; the same service process recovers by
  itself and no acknowledged write is lost or half-written.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psutil
import psycopg
import pytest
import requests
import yaml
from sqlalchemy import select

from benchmarks.load.simulator import TRANSIENT_KINDS, LoadConfig, run_load
from benchmarks.load.stats import Recorder, format_report
from hub.store import open_store
from hub.store.messages import msg
from hub.store.models import Record
from tests.helpers import VENV_BIN, free_port, start_hub, user_servers, wait_for, write_hub_settings
from tests.postgres_support import PG_BIN_DIRS, PrivatePostgres

pytestmark = pytest.mark.app

RECORDS_API = "/services/records/api/v1"
RESTART_TEACHERS = [f"teacher{i}" for i in range(1, 9)]
RECORDS_PER_TEACHER = 40
DB_UNAVAILABLE_ZH = msg("db_unavailable")[1]
OUTAGE_SECONDS = 10.0


# -- hub restart during a load run --------------------------------------------------------------------
@pytest.fixture(scope="module")
def restart_hub(tmp_path_factory, artifacts_dir):
    """A hub of this module's own (it gets restarted), seeded with the demo district."""
    handle = start_hub(write_hub_settings(tmp_path_factory.mktemp("restart-hub"), seed=True))
    try:
        yield handle
    finally:
        handle.shutdown(log_copy=artifacts_dir / "hub-restart.log")


def server_status(hub, name: str, token: str) -> dict:
    """The user's server's /api/status, through the proxy (its route must exist)."""
    response = requests.get(f"{hub.url}/user/{name}/api/status", headers={"Authorization": f"token {token}"},
                            timeout=30)  # fmt: skip
    response.raise_for_status()
    return response.json()


def stored_load_records(state_dir: Path) -> list[tuple[str | None, str]]:
    """(client_ref, summary) of every record the simulator wrote, read from the records database."""
    store = open_store(f"sqlite:///{state_dir / 'records.sqlite'}")
    try:
        with store.reading() as s:
            rows = s.execute(select(Record.client_ref, Record.fields))
            return [(ref, fields.get("summary", "")) for ref, fields in rows
                    if "负载测试记录" in str(fields.get("summary", ""))]
    finally:
        store.close()


async def wait_until(predicate, timeout: float, what: str, load: asyncio.Task) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if load.done():
            recorder, _ = load.result()
            raise AssertionError(f"the load run ended before {what}:\n{format_report(recorder, 0)}")
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not after {timeout} s")
        await asyncio.sleep(0.5)


@pytest.mark.load
async def test_hub_restart_during_load_loses_nothing(restart_hub):
    hub = restart_hub
    recorder = Recorder()
    # No Voilà page: this test is about the hub, the proxy, users' servers and the records service.
    config = LoadConfig(hub_url=hub.url, teachers=RESTART_TEACHERS, ramp_seconds=2, max_seconds=900,
                        records_per_teacher=RECORDS_PER_TEACHER, write_pause=1.0, stop_servers=False,
                        open_workbench=False, retry_seconds=300, retry_interval=1.0)  # fmt: skip
    load = asyncio.create_task(run_load(config, recorder))
    try:
        # Restart once every teacher is writing records: their servers are up, their tokens issued.
        await wait_until(lambda: {teacher for teacher, _, _ in recorder.acknowledged} == set(RESTART_TEACHERS),
                         timeout=600, what="every teacher writes records", load=load)  # fmt: skip
        servers = await asyncio.to_thread(user_servers, hub.process.pid)
        assert set(servers) == set(RESTART_TEACHERS), servers
        tokens = {name: await asyncio.to_thread(hub.user_token, name) for name in RESTART_TEACHERS}
        started = {name: (await asyncio.to_thread(server_status, hub, name, tokens[name]))["started"]
                   for name in RESTART_TEACHERS}  # fmt: skip
        old_hub_pid = hub.process.pid

        restart_began = time.monotonic()
        acknowledged_before = len(recorder.acknowledged)
        await asyncio.to_thread(hub.restart)
        restart_ended = time.monotonic()
        assert hub.process.pid != old_hub_pid
        acknowledged_during = len(recorder.acknowledged) - acknowledged_before

        recorder, _ = await load
    finally:
        load.cancel()  # a no-op once it has finished; on a failure above, the simulated teachers stop
    report = format_report(recorder, len(RESTART_TEACHERS))
    print(report)
    print(f"restart took {restart_ended - restart_began:.1f} s; writes acknowledged during it: "
          f"{acknowledged_during}")

    # The run finished for everyone: no step failed for good.
    assert recorder.failed == 0, report
    assert recorder.finished == len(RESTART_TEACHERS), report
    # The restart did interrupt the writing, and every failed try was a transient one inside its window.
    assert recorder.retries, f"no request failed: the restart did not interrupt the load\n{report}"
    for phase, kind, failed_at in recorder.retries:
        assert kind in TRANSIENT_KINDS, (phase, kind)
        assert restart_began <= failed_at <= restart_ended, (phase, kind, failed_at - restart_began)

    # The same server processes, still running, reached through their restored proxy routes.
    for name, proc in servers.items():
        assert proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE, name
        model = hub.api("GET", f"/users/{name}").json()
        assert model["servers"][""]["ready"], model
        assert server_status(hub, name, tokens[name])["started"] == started[name], name
    assert user_servers(hub.process.pid) == {}  # the new hub adopted them: no second server for anyone

    # Every acknowledged write is stored, exactly once; nothing stored twice.
    acknowledged_refs = [ref for _, ref, _ in recorder.acknowledged]
    assert len(acknowledged_refs) == len(RESTART_TEACHERS) * RECORDS_PER_TEACHER
    assert acknowledged_before and len(acknowledged_refs) > acknowledged_before + acknowledged_during
    assert len(set(acknowledged_refs)) == len(acknowledged_refs)
    ids = [record_id for _, _, record_id in recorder.acknowledged if record_id is not None]
    assert len(set(ids)) == len(ids)
    stored = stored_load_records(hub.state_dir)
    stored_refs = [ref for ref, _ in stored]
    assert None not in stored_refs
    assert len(set(stored_refs)) == len(stored_refs)
    assert set(acknowledged_refs) == set(stored_refs)


# -- the records database unavailable for 10 s ---------------------------------------------------------
@pytest.fixture(scope="module")
def private_postgres():
    """initdb into a fresh folder under /tmp (owned by `postgres` when running as root), trust auth on
    127.0.0.1 only, a free port; the database `mentorhub`. Stopped and removed at the end."""
    if not PG_BIN_DIRS:
        pytest.skip("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="mentorhub-pg-", dir="/tmp"))
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(folder, account.pw_uid, account.pw_gid)
    pg = PrivatePostgres(PG_BIN_DIRS[-1], folder, free_port())
    try:
        pg.run("initdb", "-D", str(folder / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8",
               "--locale=C.UTF-8", "--no-sync")  # fmt: skip
        pg.start()
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{pg.port}/postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE mentorhub")
        yield pg
    finally:
        try:
            pg.stop("immediate")
        except RuntimeError:
            pass  # not running
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def outage_hub(private_postgres, tmp_path_factory, artifacts_dir):
    """A hub whose records service (and roster login) use the private cluster, migrated and seeded by the
    project's own commands."""
    folder = tmp_path_factory.mktemp("outage-hub")
    settings = write_hub_settings(folder, seed=False, extra={"database": {"records_url": private_postgres.url}})
    for command in (["db", "upgrade", "--db", private_postgres.url],
                    ["demo", "seed", "--state", str(folder / "state"), "--db", private_postgres.url]):
        result = subprocess.run([str(VENV_BIN / "mentorhub"), *command], cwd=folder, capture_output=True,
                                text=True, timeout=300)  # fmt: skip
        assert result.returncode == 0, f"mentorhub {' '.join(command)}:\n{result.stdout}{result.stderr}"
    handle = start_hub(settings)
    try:
        yield handle
    finally:
        handle.shutdown(log_copy=artifacts_dir / "hub-db-outage.log")


def records_service_process(hub) -> psutil.Process:
    port = yaml.safe_load(hub.settings_file.read_text(encoding="utf-8"))["records_port"]
    for connection in psutil.net_connections(kind="tcp"):
        if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port:
            return psutil.Process(connection.pid)
    raise AssertionError(f"nothing listens on the records service's port {port}")


class Writer:
    """Writes talk records for one mentee with one token; keeps every answer (status, body) per client_ref."""

    def __init__(self, hub, token: str, student_id: str):
        self.url = f"{hub.url}{RECORDS_API}/records"
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"
        self.student_id = student_id
        self.answers: dict[str, tuple[int, dict, str]] = {}  # client_ref -> (status, body, summary sent)

    def write(self) -> tuple[int, dict]:
        ref = f"outage-{uuid.uuid4().hex}"
        summary = f"数据库中断测试记录 {ref[-8:]}：与学生谈了谈本周的作业安排。"
        response = self.session.post(self.url, timeout=60, json={
            "student_id": self.student_id, "kind": "talk", "date": time.strftime("%Y-%m-%d"), "client_ref": ref,
            "talk_type": "例行关怀", "summary": summary})  # fmt: skip
        body = response.json()
        self.answers[ref] = (response.status_code, body, summary)
        return response.status_code, body

    def acknowledged(self) -> int:
        return sum(status == 201 for status, _, _ in list(self.answers.values()))

    def keep_writing(self, until: threading.Event) -> None:
        while not until.is_set():
            self.write()
            time.sleep(0.2)


def assert_unavailable(status: int, body: dict) -> None:
    assert status == 503, (status, body)
    assert body["error"]["message_zh"] == DB_UNAVAILABLE_ZH, body


def test_records_service_survives_a_database_outage(outage_hub, private_postgres):
    hub, pg = outage_hub, private_postgres
    token = hub.user_token("teacher1")
    me = requests.get(f"{hub.url}{RECORDS_API}/me", headers={"Authorization": f"token {token}"}, timeout=60)
    student_id = me.json()["mentees"][0]["student_id"]
    service = records_service_process(hub)
    foreground, background = Writer(hub, token, student_id), Writer(hub, token, student_id)
    for _ in range(5):
        assert foreground.write()[0] == 201

    # A writer keeps going across the outage: whatever it is told is the truth (201 stored, 503 not promised).
    done = threading.Event()
    writer_thread = threading.Thread(target=background.keep_writing, args=(done,), daemon=True)
    writer_thread.start()
    try:
        wait_for(lambda: len(background.answers) >= 3, timeout=60, what="background writes")
        pg.stop("fast")
        outage_refs = set(foreground.answers)
        outage_end = time.monotonic() + OUTAGE_SECONDS
        tries = 0
        while time.monotonic() < outage_end:
            assert_unavailable(*foreground.write())
            health = requests.get(f"{hub.url}{RECORDS_API}/health", timeout=60)
            assert_unavailable(health.status_code, health.json())
            tries += 1
            time.sleep(0.5)
        outage_refs = set(foreground.answers) - outage_refs
        stored_before = background.acknowledged()
        pg.start()
        # Recovery by itself: the same service process answers 201 again within a bounded wait.
        wait_for(lambda: foreground.write()[0] == 201, timeout=120, what="records service after the database")
        wait_for(lambda: background.acknowledged() > stored_before, timeout=120, what="background writes again")
    finally:
        done.set()
        writer_thread.join(timeout=120)
    assert records_service_process(hub) == service and service.is_running()
    assert tries >= 2 and len(outage_refs) == tries

    answers = {**foreground.answers, **background.answers}
    for ref, (status, body, _) in answers.items():
        assert status in (201, 503), (ref, status, body)
        if status == 503:
            assert body["error"]["message_zh"] == DB_UNAVAILABLE_ZH, body
    assert any(status == 503 for status, _, _ in background.answers.values())

    # Every acknowledged write is there, whole and once; the refused ones during the outage are not.
    store = open_store(pg.url)
    try:
        with store.reading() as s:
            rows = s.execute(select(Record.client_ref, Record.fields, Record.student_id)
                             .where(Record.client_ref.like("outage-%"))).all()  # fmt: skip
    finally:
        store.close()
    stored = {ref: (fields, student) for ref, fields, student in rows}
    assert len(stored) == len(rows)
    for ref, (status, body, summary) in answers.items():
        if status == 201:
            fields, student = stored[ref]
            assert fields["summary"] == summary and student == student_id, ref
            assert body["record_id"], (ref, body)
    assert not outage_refs & set(stored)
    assert set(stored) <= set(answers)
