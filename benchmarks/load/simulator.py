"""Simulated teachers against a running hub on loopback (asyncio + httpx).

Each teacher, as a browser and a kernel would: log in through the form (XSRF), start their server and
follow its progress, open the workbench page, take a token and write records through the records API,
read their progress, stop their server (optional) and log out. `run_load` starts them over a ramp and
stops by itself: when all are done, or at `max_seconds`, whichever comes first.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import time
import uuid
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import httpx

from benchmarks.load.memory import MemorySampler
from benchmarks.load.stats import Recorder

DEMO_PASSWORD = "mentorhub-demo"
WORKBENCH_PATH = "voila/render/apps/" + quote("导师工作台.ipynb")
RECORDS_API = "/services/records/api/v1"
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
    stop_servers: bool = True
    hub_pid: int | None = None

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
        raise StepFailed(f"HTTP {response.status_code}")
    return response


class Teacher:
    """One scripted teacher; every step reports to the shared `Recorder`."""

    def __init__(self, name: str, config: LoadConfig, recorder: Recorder):
        self.name = name
        self.config = config
        self.recorder = recorder
        self.token = ""

    async def step(self, phase: str, action):
        started = time.monotonic()
        try:
            result = await action()
        except StepFailed as failure:
            self.recorder.error(phase, failure.kind)
            raise
        except (httpx.HTTPError, TimeoutError, json.JSONDecodeError, KeyError, ValueError) as error:
            self.recorder.error(phase, type(error).__name__)
            raise StepFailed(type(error).__name__) from error
        self.recorder.ok(phase, time.monotonic() - started)
        return result

    async def run(self) -> bool:
        timeout = httpx.Timeout(self.config.request_timeout)
        async with httpx.AsyncClient(base_url=self.config.hub_url, timeout=timeout) as client:
            try:
                self.recorder.login_started(time.monotonic())
                await self.step("login", lambda: self.login(client))
                await self.step("spawn", lambda: self.spawn(client))
                await self.step("workbench", lambda: self.open_workbench(client))
                await self.step("token", lambda: self.take_token(client))
                mentees = await self.step("records_me", lambda: self.my_mentees(client))
                for index in range(self.config.records_per_teacher):
                    student = mentees[index % len(mentees)]
                    await self.step("record_write", lambda s=student, i=index: self.write_record(client, s, i))
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
        response = await client.get(f"/user/{self.name}/{self.config.workbench_path}", follow_redirects=True)
        expect(response, 200)

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

    async def write_record(self, client: httpx.AsyncClient, student_id: str, index: int) -> None:
        payload = {
            "student_id": student_id, "kind": "talk", "date": dt.date.today().isoformat(),
            "client_ref": f"load-{uuid.uuid4().hex}", "talk_type": "例行关怀",
            "summary": f"负载测试记录 {index + 1}：课间与学生聊了聊近期学习和生活安排。",
        }
        expect(await client.post(f"{RECORDS_API}/records", headers=self.records_headers(), json=payload), 201)

    async def read_progress(self, client: httpx.AsyncClient) -> None:
        expect(await client.get(f"{RECORDS_API}/progress", headers=self.records_headers()), 200)

    async def stop(self, client: httpx.AsyncClient) -> None:
        response = await client.delete(f"/hub/api/users/{self.name}/server", headers=self.api_headers(client))
        expect(response, 202, 204)

    async def logout(self, client: httpx.AsyncClient) -> None:
        expect(await client.get("/hub/logout"), 200, 302, 303)


async def run_load(config: LoadConfig) -> tuple[Recorder, dict]:
    """Play every teacher, started evenly over the ramp; returns the recorder and the memory summary.

    Bounded: teachers still running at `max_seconds` are cancelled and counted as `timeout` errors.
    """
    recorder = Recorder()
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
