"""Issue 19, items 6 and 7: `make run` stops cleanly on Ctrl-C, and a clean start and use log no noise.

One demo hub of this module's own, started the way `make run` starts it (`python -m hub.app -f
jupyterhub_config.py`, in a terminal: a pseudo-terminal as its input and output, in a process group of its
own as a shell's foreground job, SIGINT not ignored). Three teachers log in and start their servers, each
starts two kernels and opens a Voilà page; a trainer opens the formgrader. Then Ctrl-C: SIGINT to the whole
process group, as the terminal sends it.

- The hub exits within a minute, prints no Python traceback, and leaves no process behind (servers,
  kernels, services, the proxy, the warm starter).
- Its log and the servers' logs hold no WARNING or ERROR line but the ones of ``ALLOWED``, each justified.
"""

from __future__ import annotations

import os
import pty
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
import requests
import yaml

from tests.helpers import REPO_ROOT, HubHandle, wait_for, write_hub_settings

pytestmark = pytest.mark.app

TEACHERS = ("teacher5", "teacher6", "teacher7")
STOP_WITHIN = 60  # seconds: stopping six services and three servers with their kernels
WORKBENCH = "/voila/render/apps/%E5%AF%BC%E5%B8%88%E5%B7%A5%E4%BD%9C%E5%8F%B0.ipynb"
# (what the line says, why it may stay)
ALLOWED = [
    (r"'extra_template_paths' (was|is) found in both",
     "jupyterhub-singleuser sets NotebookApp.extra_template_paths and notebook_shim warns while the server "
     "links its extensions, before any configuration of the project can filter its log (hub.quiet)"),
    (r"DeprecationWarning: ServerApp\.token config is deprecated",
     "printed by jupyterhub-singleuser while it links its extensions, before its configuration is read"),
    (r"^\s+return self\._get_trait_default_generator",
     "the source line Python prints under that DeprecationWarning"),
]
WARNING_OR_ERROR = re.compile(r"\[(W|E|C|WARNING|ERROR|CRITICAL)[ \]]|\b(error|warn)\b.*\[ConfigProxy\]|"
                              r"\[ConfigProxy\].*\b(error|warn)\b|Warning:|Traceback", re.IGNORECASE)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]|\x1b\(B")


def noise(text: str) -> list[str]:
    lines = [ANSI.sub("", line) for line in text.splitlines()]
    return [line for line in lines if WARNING_OR_ERROR.search(line)
            and not any(re.search(pattern, line) for pattern, _ in ALLOWED)]


@pytest.fixture(scope="module")
def stopped_hub(tmp_path_factory):
    """Runs the whole scenario once; the facts the tests check."""
    folder = tmp_path_factory.mktemp("stop-hub")
    settings_file = write_hub_settings(folder, seed=True)
    settings = yaml.safe_load(settings_file.read_text())
    url = f"http://127.0.0.1:{settings['public_port']}"
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "hub.app", "-f", str(REPO_ROOT / "jupyterhub_config.py")], cwd=folder,
        env={**os.environ, "MENTORHUB_SETTINGS": str(settings_file)}, stdin=terminal, stdout=terminal,
        stderr=terminal, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # as a shell's foreground job
    os.close(terminal)
    output = bytearray()

    def read_terminal():
        while True:
            try:
                data = os.read(controller, 65536)
            except OSError:
                return
            if not data:
                return
            output.extend(data)

    reader = threading.Thread(target=read_terminal, daemon=True)
    reader.start()
    facts = {"folder": folder}
    try:
        token_file = folder / "state" / "secrets" / "admin_service_token"
        wait_for(lambda: token_file.exists() and requests.get(
            f"http://127.0.0.1:{settings['hub_port']}/hub/health", timeout=5).status_code == 200, 180, "hub API")
        # the hub answers on its own port before it has added its route to the proxy; polling the proxy
        # before the hub says it is running is what makes the proxy log a 404
        wait_for(lambda: "is now running at" in bytes(output).decode("utf-8", "replace"), 180, "hub running")
        wait_for(lambda: requests.get(f"{url}/hub/health", timeout=5).status_code == 200, 180, "proxied hub")
        hub = HubHandle(url, settings_file, process, folder / "hub.log", token_file.read_text().strip())
        # as a person would: once the hub says its services are up (polling through the proxy before that
        # is what makes the proxy log 503s)
        for service in ("records", "exchange", "foundations"):
            wait_for(lambda s=service: f"Service {s} is up" in bytes(output).decode("utf-8", "replace"), 180,
                     f"service {service}")
        for teacher in TEACHERS:
            session = hub.login(teacher)
            hub.spawn(teacher)
            token = hub.user_token(teacher)
            for _ in range(2):
                requests.post(f"{url}/user/{teacher}/api/kernels", headers={"Authorization": f"token {token}"},
                              json={"name": "python3"}, timeout=120).raise_for_status()
            page = session.get(f"{url}/user/{teacher}{WORKBENCH}", timeout=180)
            assert page.status_code == 200
            assert session.get(f"{url}/user/{teacher}/lab", timeout=60).status_code == 200
        trainer = hub.login("trainer1")
        assert trainer.get(f"{url}/services/foundations/formgrader/manage_assignments", timeout=60).ok
        time.sleep(2)  # let the servers log what they log after a page load
        facts["before"] = psutil.Process(process.pid).children(recursive=True)
        facts["kernels"] = [p for p in facts["before"] if "ipykernel_launcher" in " ".join(p.cmdline())]
        facts["log_before_stop"] = bytes(output).decode("utf-8", errors="replace")
        facts["log_before_stop"] = facts["log_before_stop"].split("Received signal")[0].rsplit("\n", 1)[0]
        facts["server_logs"] = {p.parent.parent.name: p.read_text(errors="replace")
                                for p in (folder / "state" / "users").glob("*/.mentorhub/server.log")}
        started = time.monotonic()
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=STOP_WITHIN)
            facts["stopped_after"] = time.monotonic() - started
        except subprocess.TimeoutExpired:
            facts["stopped_after"] = None
        # the warm starter exits when it sees the hub's socket closed: give the last ones a moment to go
        _, alive = psutil.wait_procs(facts["before"], timeout=15)
        facts["left"] = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        facts["output"] = bytes(output).decode("utf-8", errors="replace")
        yield facts
    finally:
        for proc in [psutil.Process(process.pid)] if process.poll() is None else []:
            for child in proc.children(recursive=True):
                child.kill()
            proc.kill()
        for proc in facts.get("left", []):
            try:
                proc.kill()
            except psutil.NoSuchProcess:
                pass
        os.close(controller)
        (REPO_ROOT / "test-artifacts").mkdir(exist_ok=True)
        Path(REPO_ROOT / "test-artifacts" / "hub-clean-stop.log").write_text(facts.get("output", ""))


def test_ctrl_c_stops_everything_promptly_without_a_traceback(stopped_hub):
    assert len(stopped_hub["kernels"]) >= 2 * len(TEACHERS), "the scenario did not start its kernels"
    assert stopped_hub["stopped_after"] is not None, f"the hub still runs {STOP_WITHIN} s after Ctrl-C"
    left = [(p.pid, " ".join(p.cmdline())[:100]) for p in stopped_hub["left"] if p.is_running()]
    assert not left, f"processes left running after Ctrl-C: {left}"
    assert "Traceback" not in stopped_hub["output"]
    assert "AttributeError" not in stopped_hub["output"]


def test_a_clean_start_and_use_log_no_warning_that_needs_no_action(stopped_hub):
    assert noise(stopped_hub["log_before_stop"]) == []
    for user, text in stopped_hub["server_logs"].items():
        assert noise(text) == [], f"the server of {user} logged noise"


def test_the_noise_check_sees_warnings():
    """The check itself: a warning and an error are seen, the justified lines are not."""
    log = ("[W 2026-01-01 00:00:00.000 MentorHub app:1] Something odd\n"
           "2026-01-01T00:00:00Z [ConfigProxy] \x1b[31merror\x1b[39m: 503 GET /x\n"
           "[I 2026-01-01 00:00:00.000 MentorHub app:1] fine\n"
           "[W 2026-01-01 00:00:00.000 LabApp] 'extra_template_paths' was found in both NotebookApp and ServerApp.")
    assert len(noise(log)) == 2
