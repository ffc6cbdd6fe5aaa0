"""Simulated teachers against a running hub on loopback (asyncio + httpx).

Each teacher, as a browser and a kernel would: log in through the form (XSRF), start their server and
follow its progress, open the workbench page, take a token and write records through the records API,
read their progress, stop their server (optional) and log out. `run_load` starts them over a ramp and
stops by itself: when all are done, or at `max_seconds`, whichever comes first.

Errors are counted by kind: the HTTP status (`HTTP 503`) or the exception's name (`ConnectError`). With
`retry_seconds` > 0 (the reliability tests: a hub restart, a database outage) a step that fails with a
*transient* kind (no connection, connection dropped, a timeout, HTTP 502/503/504, or a 403/404 for an API
path from the proxy or the hub instead of the API: `failure_kind`) is tried again every `retry_interval`, until it
succeeds or `retry_seconds` have passed since its first failure. Each failed try is then kept apart from
the errors, in `Recorder.retries` (phase, kind and the moment it failed), so that a test can check they
all fell inside the outage; only a step that still fails is an error. A record write is
retried with the same `client_ref`, so a write stored before its answer was lost is answered 409 and
counted once (`Recorder.acknowledged` lists every client_ref the service confirmed). The benchmark runs
without retries: there every failed request is an error.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import time
import uuid
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import httpx

from benchmarks.load.memory import MemorySampler
from benchmarks.load.stats import Recorder

DEMO_PASSWORD = "mentorhub-demo"
WORKBENCH_PATH = "voila/render/apps/" + quote("导师工作台.ipynb")
NO_ROUTE = "no route"  # suffix of the kind of a 403/404 that the proxy or the hub gave for an API path
#: Failure kinds that a restarting hub or an unavailable database produce and that a retry may cure.
TRANSIENT_KINDS = frozenset({
    "HTTP 502", "HTTP 503", "HTTP 504", f"HTTP 403 {NO_ROUTE}", f"HTTP 404 {NO_ROUTE}",
    "ConnectError", "ConnectTimeout", "ReadError", "ReadTimeout", "WriteError", "RemoteProtocolError", "PoolTimeout",
})
RECORDS_API = "/services/records/api/v1"
WAITING_PAGE = re.compile(r'data-mentorhub-queue="([0-9a-f-]+)"')
WIDGET_OUTPUT = "application/vnd.jupyter.widget-view+json"  # the workbench rendered, not an error page
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class StepFailed(Exception):
    """A step of the script failed; `kind` is how it is counted (an HTTP status or an exception name)."""

    def __init__(self, kind: str):
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class LoadConfig:
    hub_url: str
    teachers: list[str]
    password: str = DEMO_PASSWORD
    ramp_seconds: float = 10.0
    max_seconds: float = 600.0
    records_per_teacher: int = 10
    request_timeout: float = 60.0
    spawn_timeout: float = 240.0
    workbench_path: str = WORKBENCH_PATH
    open_workbench: bool = True  # False: skip the Voilà page (tests about the hub and the records service)
    step_timeout: float = 300.0  # a step still unfinished after this fails as TimeoutError (a stuck stream)
    stop_servers: bool = True
    hub_pid: int | None = None
    write_pause: float = 0.0  # seconds between a teacher's record writes (0: write as fast as answered)
    retry_seconds: float = 0.0  # retry transient failures for this long (0: no retries, every failure counts)
    retry_interval: float = 1.0

    def __post_init__(self):
        host = urlsplit(self.hub_url).hostname
        if host not in LOOPBACK_HOSTS:
            raise ValueError(f"the load simulator only runs against a hub on loopback, not {self.hub_url!r}")
        if not self.teachers:
            raise ValueError("no teachers to simulate")


def xsrf_token(client: httpx.AsyncClient) -> str:
    """The hub's `_xsrf` cookie (the hub sets it on /hub/; a user server may set its own)."""
    candidates = [cookie for cookie in client.cookies.jar if cookie.name == "_xsrf"]
    for cookie in candidates:
        if cookie.path.startswith("/hub"):
            return cookie.value
    if candidates:
        return candidates[0].value
    raise StepFailed("no _xsrf cookie")


def expect(response: httpx.Response, *statuses: int) -> httpx.Response:
    if response.status_code not in statuses:
        raise StepFailed(failure_kind(response))
    return response


def failure_kind(response: httpx.Response) -> str:
    """`HTTP <status>`, told apart when a JSON API path (the hub's API, a service's) got a 403 or 404 that is
    not the API's own JSON answer: then the proxy had no route for it yet and the proxy itself or the hub
    (its default route) answered, as after a restart until the hub has added every route (`NO_ROUTE`)."""
    status = response.status_code
    json_api = response.request.url.path.startswith(("/hub/api/", "/services/"))
    if status in (403, 404) and json_api and "json" not in response.headers.get("content-type", ""):
        return f"HTTP {status} {NO_ROUTE}"
    return f"HTTP {status}"


class Teacher:
    """One scripted teacher; every step reports to the shared `Recorder`."""

    def __init__(self, name: str, config: LoadConfig, recorder: Recorder):
        self.name = name
        self.config = config
        self.recorder = recorder
        self.token = ""
        self.tried_refs: set[str] = set()  # client_refs sent at least once (a 409 on a retry means stored)

    async def step(self, phase: str, action):
        """Run `action` as `phase`: its latency on success; on failure its kind, after any retries."""
        first_failure = None
        while True:
            started = time.monotonic()
            try:
                result = await asyncio.wait_for(action(), self.config.step_timeout)
            except (StepFailed, httpx.HTTPError, TimeoutError, json.JSONDecodeError, KeyError, ValueError) as error:
                kind = error.kind if isinstance(error, StepFailed) else type(error).__name__
                first_failure = first_failure or started
                if kind in TRANSIENT_KINDS and started - first_failure < self.config.retry_seconds:
                    self.recorder.retried(phase, kind, time.monotonic())
                    await asyncio.sleep(self.config.retry_interval)
                    continue
                self.recorder.error(phase, kind)
                if isinstance(error, StepFailed):
                    raise
                raise StepFailed(kind) from error
            self.recorder.ok(phase, time.monotonic() - started)
            return result

    async def run(self) -> bool:
        timeout = httpx.Timeout(self.config.request_timeout)
        async with httpx.AsyncClient(base_url=self.config.hub_url, timeout=timeout) as client:
            try:
                self.recorder.login_started(time.monotonic())
                await self.step("login", lambda: self.login(client))
                await self.step("spawn", lambda: self.spawn(client))
                if self.config.open_workbench:
                    await self.step("workbench", lambda: self.open_workbench(client))
                await self.step("token", lambda: self.take_token(client))
                mentees = await self.step("records_me", lambda: self.my_mentees(client))
                for index in range(self.config.records_per_teacher):
                    if index and self.config.write_pause:
                        await asyncio.sleep(self.config.write_pause)
                    payload = record_payload(mentees[index % len(mentees)], index)
                    await self.step("record_write", lambda p=payload: self.write_record(client, p))
                await self.step("progress", lambda: self.read_progress(client))
                if self.config.stop_servers:
                    await self.step("stop", lambda: self.stop(client))
                await self.step("logout", lambda: self.logout(client))
            except StepFailed:
                return False
        self.recorder.finished += 1
        return True

    # -- the steps -------------------------------------------------------------------------------
    async def login(self, client: httpx.AsyncClient) -> None:
        expect(await client.get("/hub/login"), 200)
        response = await client.post("/hub/login", data={
            "username": self.name, "password": self.config.password, "_xsrf": xsrf_token(client)})
        expect(response, 302, 303)
        if "jupyterhub-session-id" not in {cookie.name for cookie in client.cookies.jar}:
            raise StepFailed("no session after login")

    def api_headers(self, client: httpx.AsyncClient) -> dict[str, str]:
        return {"X-XSRFToken": xsrf_token(client)}

    async def spawn(self, client: httpx.AsyncClient) -> None:
        started = time.monotonic()
        response = await client.post(f"/hub/api/users/{self.name}/server", headers=self.api_headers(client))
        if response.status_code == 400 and "already running" in response.text:
            self.recorder.server_ready(time.monotonic(), 0.0)
            return
        expect(response, 201, 202)
        if response.status_code == 202:
            await asyncio.wait_for(self.follow_progress(client), self.config.spawn_timeout)
        now = time.monotonic()
        self.recorder.server_ready(now, now - started)

    async def follow_progress(self, client: httpx.AsyncClient) -> None:
        url = f"/hub/api/users/{self.name}/server/progress"
        async with client.stream("GET", url, headers=self.api_headers(client),
                                 timeout=httpx.Timeout(self.config.spawn_timeout)) as response:
            expect(response, 200)
            async for line in response.aiter_lines():
                if not line.startswith("data:"):
                    continue
                event = json.loads(line[5:])
                if event.get("ready"):
                    return
                if event.get("failed"):
                    raise StepFailed("spawn failed")
        raise StepFailed("progress ended before ready")

    async def open_workbench(self, client: httpx.AsyncClient) -> None:
        # The first visit goes through the hub's OAuth redirects to the user's own server.
        page = f"/user/{self.name}/{self.config.workbench_path}"
        response = expect(await client.get(page, follow_redirects=True), 200)
        while ticket := WAITING_PAGE.search(response.text):
            # The machine's page queue (hub.voila_queue): ask for the place every second, as the waiting
            # page does, then load the page under the ticket. The step's time covers the wait.
            while True:
                await asyncio.sleep(1.0)
                state = await client.get(f"/user/{self.name}/mentorhub/voila-queue/{ticket.group(1)}")
                if state.status_code == 404 or expect(state, 200).json()["go"]:
                    break
            again = page if state.status_code == 404 else f"{page}?mh_queue={ticket.group(1)}"
            response = expect(await client.get(again, follow_redirects=True), 200)
            self.recorder.queued_pages += 1
        if WIDGET_OUTPUT not in response.text:
            raise StepFailed("no widget in the page")

    async def take_token(self, client: httpx.AsyncClient) -> None:
        response = await client.post(f"/hub/api/users/{self.name}/tokens", headers=self.api_headers(client),
                                     json={"note": "load-simulator", "expires_in": 3600})
        self.token = expect(response, 200, 201).json()["token"]

    def records_headers(self) -> dict[str, str]:
        return {"Authorization": f"token {self.token}"}

    async def my_mentees(self, client: httpx.AsyncClient) -> list[str]:
        response = await client.get(f"{RECORDS_API}/me", headers=self.records_headers())
        mentees = [m["student_id"] for m in expect(response, 200).json()["mentees"]]
        if not mentees:
            raise StepFailed("no mentees")
        return mentees

    async def write_record(self, client: httpx.AsyncClient, payload: dict) -> None:
        ref = payload["client_ref"]
        retry = ref in self.tried_refs
        self.tried_refs.add(ref)
        response = await client.post(f"{RECORDS_API}/records", headers=self.records_headers(), json=payload)
        if retry and response.status_code == 409 and response.json()["error"]["field"] == "client_ref":
            # An earlier try was stored but its answer was lost (the restart): the service has it, once.
            self.recorder.acknowledge(self.name, ref, None)
            return
        record = expect(response, 201).json()
        self.recorder.acknowledge(self.name, ref, record["record_id"])

    async def read_progress(self, client: httpx.AsyncClient) -> None:
        expect(await client.get(f"{RECORDS_API}/progress", headers=self.records_headers()), 200)

    async def stop(self, client: httpx.AsyncClient) -> None:
        response = await client.delete(f"/hub/api/users/{self.name}/server", headers=self.api_headers(client))
        expect(response, 202, 204)

    async def logout(self, client: httpx.AsyncClient) -> None:
        expect(await client.get("/hub/logout"), 200, 302, 303)


def record_payload(student_id: str, index: int) -> dict:
    """One talk record as the workbench sends it, with a fresh client_ref (kept across retries)."""
    return {
        "student_id": student_id, "kind": "talk", "date": dt.date.today().isoformat(),
        "client_ref": f"load-{uuid.uuid4().hex}", "talk_type": "例行关怀",
        "summary": f"负载测试记录 {index + 1}：课间与学生聊了聊近期学习和生活安排。",
    }


async def run_load(config: LoadConfig, recorder: Recorder | None = None) -> tuple[Recorder, dict]:
    """Play every teacher, started evenly over the ramp; returns the recorder and the memory summary.
    Pass a `recorder` to watch the run while it goes (the reliability tests act on its progress).

    Bounded: teachers still running at `max_seconds` are cancelled and counted as `timeout` errors.
    """
    recorder = recorder if recorder is not None else Recorder()
    sampler = MemorySampler(config.hub_pid) if config.hub_pid else None
    if sampler:
        sampler.start()
    gap = config.ramp_seconds / max(1, len(config.teachers))

    async def delayed(index: int, name: str) -> bool:
        await asyncio.sleep(index * gap)
        return await Teacher(name, config, recorder).run()

    tasks = [asyncio.create_task(delayed(i, name)) for i, name in enumerate(config.teachers)]
    done, pending = await asyncio.wait(tasks, timeout=config.max_seconds)
    for task in pending:
        task.cancel()
        recorder.error("run", "timeout")
    await asyncio.gather(*pending, return_exceptions=True)
    memory = await sampler.stop() if sampler else {}
    return recorder, memory
