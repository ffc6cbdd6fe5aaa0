"""Helpers behind the fixtures: free ports, a real hub process, logged-in HTTP sessions, kernels."""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests
import yaml

from hub.kernels import remove_left_behind

REPO_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
DEMO_PASSWORD = "mentorhub-demo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def free_port_block(size: int) -> int:
    """First port of `size` consecutive free ports."""
    for _ in range(200):
        base = free_port()
        if base + size >= 65000:
            continue
        ports_free = True
        for port in range(base, base + size):
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    ports_free = False
                    break
        if ports_free:
            return base
    raise RuntimeError("no block of free ports found")


def _utf8_by_default(response, *args, **kwargs):
    # JupyterHub's pages say `text/html` without a charset (the page itself declares utf-8).
    if "charset" not in response.headers.get("content-type", ""):
        response.encoding = "utf-8"


def utf8_session() -> requests.Session:
    """A requests session that decodes hub pages as UTF-8."""
    session = requests.Session()
    session.hooks["response"].append(_utf8_by_default)
    return session


def write_hub_settings(folder: Path, seed: bool = True, mode: str = "demo", extra: dict | None = None) -> Path:
    """A settings file for a hub on free ports with its state in `folder/state`; optionally seeded."""
    settings = {
        "mode": mode,
        "state_dir": "state",
        "public_port": free_port(),
        "hub_port": free_port(),
        "proxy_api_port": free_port(),
        "records_port": free_port(),
        "exchange_port": free_port(),
        "formgrader_base_port": free_port_block(8),
        # Every test logs in from 127.0.0.1: the per-address limit is unit-tested, not hit here.
        "authenticator": {"ip_attempts_per_minute": 10000},
        **(extra or {}),
    }
    path = folder / "mentorhub.yaml"
    path.write_text(yaml.safe_dump(settings, allow_unicode=True), encoding="utf-8")
    if seed:
        subprocess.run([str(VENV_BIN / "mentorhub"), "demo", "seed", "--state", str(folder / "state")],
                       check=True, cwd=folder, capture_output=True, timeout=300)
    return path


@dataclass
class HubHandle:
    """A running hub. `url` is the public (proxied) address."""

    url: str
    settings_file: Path
    process: subprocess.Popen
    log_path: Path
    admin_token: str
    _sessions: dict = field(default_factory=dict)
    #: processes of an earlier hub process that outlived it (users' servers after `restart`)
    survivors: list[psutil.Process] = field(default_factory=list)

    @property
    def state_dir(self) -> Path:
        return self.settings_file.parent / "state"

    # -- REST API as the project's admin service ------------------------------------------------
    def api(self, method: str, path: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Authorization": f"token {token or self.admin_token}", **kwargs.pop("headers", {})}
        return requests.request(method, f"{self.url}/hub/api{path}", headers=headers, timeout=60, **kwargs)

    def user_token(self, username: str, scopes: list[str] | None = None) -> str:
        body = {"note": f"test-{uuid.uuid4().hex[:6]}", "expires_in": 3600}
        if scopes is not None:
            body["scopes"] = scopes
        response = self.api("POST", f"/users/{username}/tokens", json=body)
        response.raise_for_status()
        return response.json()["token"]

    # -- people in a browser-like session ------------------------------------------------------------
    def login(self, username: str, password: str = DEMO_PASSWORD) -> requests.Session:
        """A requests session logged in through the real login form (XSRF handled)."""
        session = utf8_session()
        page = session.get(f"{self.url}/hub/login", timeout=30)
        page.raise_for_status()
        xsrf = session.cookies.get("_xsrf")
        response = session.post(f"{self.url}/hub/login", data={"username": username, "password": password,
                                                               "_xsrf": xsrf}, timeout=60)
        response.raise_for_status()
        if "jupyterhub-session-id" not in session.cookies:
            raise AssertionError(f"login as {username} did not set a session: {response.status_code}")
        return session

    def spawn(self, username: str, timeout: float = 120) -> None:
        response = self.api("POST", f"/users/{username}/server")
        if response.status_code not in (201, 202, 400):  # 400: already running
            response.raise_for_status()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = self.api("GET", f"/users/{username}").json()
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            time.sleep(0.5)
        raise TimeoutError(f"server of {username} not ready after {timeout} s")

    def stop(self, username: str, timeout: float = 60) -> None:
        self.api("DELETE", f"/users/{username}/server")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.api("GET", f"/users/{username}").json().get("servers"):
                return
            time.sleep(0.5)
        raise TimeoutError(f"server of {username} still running after {timeout} s")

    def wait_for_service(self, name: str, timeout: float = 180) -> None:
        """Wait until the proxy reaches the hub-managed service `name` (the proxy answers 503 until then;
        any answer of the service's own, even a 404 for its bare prefix, means it is up)."""
        wait_for(lambda: requests.get(f"{self.url}/services/{name}/", allow_redirects=False,
                                      timeout=5).status_code not in (502, 503, 504),
                 timeout=timeout, what=f"service {name}")

    def shutdown(self, log_copy: Path | None = None) -> None:
        """Stop the hub and every process it started (services, proxy, the warm starter, users' servers and
        their kernels), quickly. Everything is frozen first, down the whole tree and until no new process
        turns up, so that nothing starts another process (a queued server, a kernel for a page still
        loading) that would outlive the rest and write into the folders the caller removes next; then
        everything is killed."""
        roots = [psutil.Process(self.process.pid)] if self.process.poll() is None else []
        roots += [proc for proc in _listeners(self.settings_file) if proc not in roots]
        roots += [proc for proc in self.survivors if proc not in roots and proc.is_running()]
        roots += [proc for proc in _residents(self.state_dir) if proc not in roots]
        frozen = _freeze_trees(roots)
        for proc in frozen:
            _signal(proc, signal.SIGKILL)
        self.process.wait(timeout=30)
        # Those whose parent was the hub stay zombies (still "running" as their Unix account) until init
        # reaps them: wait for that, so that the caller may remove the accounts.
        psutil.wait_procs(frozen, timeout=10)
        remove_left_behind(tempfile.gettempdir(), time.time())  # the socket folders of kernels killed earlier
        if log_copy is not None and self.log_path.exists():
            shutil.copy(self.log_path, log_copy)

    def restart(self, timeout: float = 180) -> None:
        """Restart the hub as an operator does: SIGTERM to the hub process (it stops its services and its
        proxy; users' servers keep running, cleanup_servers = False), wait until it has exited and its
        ports are free, then start it again with the same settings file. The old process's children are kept
        in `survivors`: the servers among them outlive it, are no longer anybody's children, and `shutdown`
        still stops them."""
        try:
            before = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            before = []
        # Kept before the signal, so that `shutdown` stops them even if the restart fails half-way.
        self.survivors += [proc for proc in before if proc not in self.survivors]
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=timeout)
        wait_for(lambda: not _listeners(self.settings_file), timeout=timeout, what="hub ports free")
        restarted = start_hub(self.settings_file, timeout=timeout)
        self.process, self.admin_token = restarted.process, restarted.admin_token


def _residents(state_dir: Path) -> list[psutil.Process]:
    """Processes working in this hub's state folder: users' servers (and kernels) whose hub and warm starter
    are gone, no longer anybody's children."""
    state = str(state_dir.resolve())
    found = []
    for proc in psutil.process_iter(["cwd"]):
        cwd = proc.info.get("cwd") or ""
        if proc.pid != os.getpid() and (cwd == state or cwd.startswith(state + os.sep)):
            found.append(proc)
    return found


def _listeners(settings_file: Path) -> list[psutil.Process]:
    """Processes listening on this hub's ports: services orphaned when a hub died during start-up."""
    settings = yaml.safe_load(settings_file.read_text(encoding="utf-8"))
    ports = {value for key, value in settings.items() if key.endswith("_port") and isinstance(value, int)}
    ports |= set(range(settings["formgrader_base_port"], settings["formgrader_base_port"] + 8))
    found = []
    for connection in psutil.net_connections(kind="tcp"):
        if connection.status == psutil.CONN_LISTEN and connection.laddr.port in ports and connection.pid:
            try:
                found.append(psutil.Process(connection.pid))
            except psutil.NoSuchProcess:
                pass
    return found


def user_servers(hub_pid: int) -> dict[str, psutil.Process]:
    """{hub user: process of their single-user server} among the hub's descendants, however started.

    A server forked by the warm starter shows the warm starter's command line and environment, so each
    is known by what the server itself writes: ``jpserver-<pid>.json`` in the runtime folder of its home
    (its working directory), whose ``base_url`` is ``/user/<name>/`` (``/services/...`` for the
    formgraders, which are not users' servers)."""
    servers = {}
    for proc in psutil.Process(hub_pid).children(recursive=True):
        try:
            info = Path(proc.cwd()) / ".local/share/jupyter/runtime" / f"jpserver-{proc.pid}.json"
            base_url = json.loads(info.read_text())["base_url"]
        except (psutil.Error, OSError, ValueError, KeyError):
            continue
        if base_url.startswith("/user/"):
            servers[base_url.split("/")[2]] = proc
    return servers


def unix_accounts() -> set[str]:
    return {entry.pw_name for entry in pwd.getpwall()}


def remove_accounts_made_since(before: set[str], prefixes: tuple[str, ...]) -> None:
    """userdel (with home) the Unix accounts made since ``before`` whose names start with one of
    ``prefixes``, once no process runs as them (another hub's formgrader may still use a grader account)."""
    for name in sorted(unix_accounts() - before):
        if not name.startswith(prefixes):
            continue
        if any(proc.info["username"] == name for proc in psutil.process_iter(["username"])):
            continue
        subprocess.run(["userdel", "--remove", name], capture_output=True)


def remove_stale_accounts(prefix: str) -> list[str]:
    """userdel (with home) accounts a test hub made with ``prefix`` in an earlier run that did not get to
    remove them (a run killed half-way): their homes would otherwise carry fetched assignments and logs into
    this run. Only accounts Mentor Hub made (their passwd comment says so), and only once no process runs as
    them. Returns the names removed."""
    removed = []
    for entry in pwd.getpwall():
        if not entry.pw_name.startswith(prefix) or not entry.pw_gecos.startswith("Mentor Hub"):
            continue
        if any(proc.info["username"] == entry.pw_name for proc in psutil.process_iter(["username"])):
            continue
        subprocess.run(["userdel", "--remove", entry.pw_name], capture_output=True)
        removed.append(entry.pw_name)
    return removed


def _freeze_trees(roots: list[psutil.Process]) -> list[psutil.Process]:
    """SIGSTOP ``roots`` and all their descendants, round after round until no new one appears (a process
    not yet stopped may have started another); all the processes stopped."""
    frozen: dict[int, psutil.Process] = {}
    pending = list(roots)
    while pending:
        for proc in pending:
            _signal(proc, signal.SIGSTOP)
            frozen[proc.pid] = proc
        found = []
        for proc in pending:
            try:
                found += proc.children(recursive=True)
            except psutil.NoSuchProcess:
                continue
        pending = [proc for proc in found if proc.pid not in frozen]
    return list(frozen.values())


def _signal(proc: psutil.Process, sig: int) -> None:
    try:
        proc.send_signal(sig)
    except psutil.NoSuchProcess:
        pass


def start_hub(settings_file: Path, timeout: float = 180, env: dict | None = None) -> HubHandle:
    """Start the hub (`python -m hub.app -f jupyterhub_config.py`) for `settings_file`; wait until the
    proxied hub and the records service answer. On failure every process it started is stopped."""
    settings = yaml.safe_load(settings_file.read_text(encoding="utf-8"))
    url = f"http://127.0.0.1:{settings['public_port']}"
    log_path = settings_file.parent / "hub.log"
    environment = {**os.environ, "MENTORHUB_SETTINGS": str(settings_file), **(env or {})}
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "hub.app", "-f", str(REPO_ROOT / "jupyterhub_config.py")],
            cwd=settings_file.parent, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
    token_file = settings_file.parent / settings["state_dir"] / "secrets" / "admin_service_token"
    handle = HubHandle(url, settings_file, process, log_path, "")
    try:
        wait_for(lambda: _hub_answers(process, url, log_path), timeout=timeout, what="hub")
        handle.admin_token = token_file.read_text().strip()
        wait_for(lambda: requests.get(f"{url}/services/records/api/v1/health", timeout=5).status_code == 200,
                 timeout=90, what="records service")
    except BaseException:
        handle.shutdown()
        raise
    return handle


def _hub_answers(process: subprocess.Popen, url: str, log_path: Path) -> bool:
    if process.poll() is not None:
        raise RuntimeError(f"hub exited with {process.returncode}; log:\n{log_path.read_text()[-4000:]}")
    # The proxied health check answers 200 once the hub has added its routes.
    return requests.get(f"{url}/hub/health", timeout=5).status_code == 200


def wait_for(predicate, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        try:
            result = predicate()
            if result:
                return result
        except (requests.RequestException, OSError) as exc:  # not up yet: try again
            last_error = exc
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {timeout} s (last error: {last_error})")


# -- kernels -----------------------------------------------------------------------------------------
def run_in_kernel(server_url: str, token: str, code: str, timeout: float = 60) -> str:
    """Start a kernel in a user's server, run `code`, return its stdout, shut the kernel down."""
    return asyncio.run(_run_in_kernel(server_url.rstrip("/"), token, code, timeout))


async def _run_in_kernel(server_url: str, token: str, code: str, timeout: float) -> str:
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    headers = {"Authorization": f"token {token}"}
    kernel = requests.post(f"{server_url}/api/kernels", headers=headers, json={"name": "python3"}, timeout=60)
    kernel.raise_for_status()
    kernel_id = kernel.json()["id"]
    ws_url = server_url.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels"
    connection = await websocket_connect(HTTPRequest(ws_url, headers=headers, connect_timeout=30))
    msg_id = uuid.uuid4().hex
    connection.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test", "session": msg_id,
                   "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    output, error = [], None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            raw = await asyncio.wait_for(connection.read_message(), timeout=deadline - time.monotonic())
            if raw is None:
                break
            message = json.loads(raw)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["header"]["msg_type"]
            if kind == "stream":
                output.append(message["content"]["text"])
            elif kind == "error":
                error = "\n".join(message["content"]["traceback"])
            elif kind == "status" and message["content"]["execution_state"] == "idle":
                break
    finally:
        connection.close()
        requests.delete(f"{server_url}/api/kernels/{kernel_id}", headers=headers, timeout=30)
    if error:
        raise RuntimeError(f"kernel error:\n{error}")
    return "".join(output)


PROBE_CODE = """
import os, subprocess
print(subprocess.run(['id', '-un'], capture_output=True, text=True).stdout.strip())
def probe(path):
    try:
        os.listdir(path) if os.path.isdir(path) else open(path, 'rb').read(1)
        return 'readable'
    except PermissionError:
        return 'denied'
    except FileNotFoundError:
        return 'missing'
for path in {paths!r}:
    print(probe(path))
"""


def probe_paths(hub: HubHandle, user: str, paths: list[str]) -> tuple[str, list[str]]:
    """From a kernel in ``user``'s server: its Unix account, and for each path 'readable', 'denied' or
    'missing' (opened as that account, as any code the user runs would)."""
    out = run_in_kernel(f"{hub.url}/user/{user}", hub.user_token(user), PROBE_CODE.format(paths=paths)).split()
    return out[0], out[1:]


@contextmanager
def server_mode_hub(prefix: str, name: str, artifacts_dir: Path):
    """A seeded server-mode hub whose Unix accounts start with ``prefix`` (its users' and its graders'); on
    leaving: the hub stopped (its log kept as ``hub-<name>.log``), the accounts it made and its folder removed,
    and the users' network policy taken away. Needs root."""
    import pytest

    from hub import netpolicy

    if os.geteuid() != 0:
        pytest.skip("server mode creates Unix accounts and needs root (CI runs as root)")
    remove_stale_accounts(prefix)
    before = unix_accounts()
    folder = Path(tempfile.mkdtemp(prefix=f"mh-{name}-"))
    folder.chmod(0o755)  # traversable, so only the files' own modes protect them
    try:
        settings = write_hub_settings(folder, seed=True, mode="server", extra={
            "server": {"user_prefix": prefix, "home_root": "/home"}, "culler": {"enabled": False}})
        hub = start_hub(settings)
        try:
            yield hub
        finally:
            hub.shutdown(log_copy=artifacts_dir / f"hub-{name}.log")
    finally:
        remove_accounts_made_since(before, (prefix,))
        shutil.rmtree(folder, ignore_errors=True)
        netpolicy.remove()
