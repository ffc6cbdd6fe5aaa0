"""What a teacher's own code can reach in server mode (security review, issue 16, findings 6 and 11).

Everything is tried from a kernel of the teacher's own server (Unix account ``<prefix>teacher1``), as any
code a teacher runs would try it:

- course sources (model answers, hidden tests): by every path that could lead to them, in the checkout
  (directly, through ``~/apps``, through symlinks of one's own, through ``/proc/<pid>/cwd``, ``root`` and
  open descriptors), in the state folder, the planted answers of the tests and ``.git``; and a scan of
  whatever the teacher can read in the checkout and the state folder for the hidden tests' text;
- the databases and the hub's internal ports (hub API, proxy API, records service, exchange, formgraders,
  PostgreSQL at 127.0.0.1:5432): no connection opens, while the public port, the teacher's own server,
  the hub API, the records service and the exchange through it all work, and the workbench builds.

Each refusal is checked against the test's own (root) view: the same files exist and the same ports listen.
"""

from __future__ import annotations

import json
import os
import pwd
import re
import socket
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
import yaml

from hub.courses.hubconfig import grader_unix_account
from hub.exchange.hidden import hidden_lines
from tests.helpers import (
    REPO_ROOT,
    run_in_kernel,
    server_mode_hub,
    start_hub,
    wait_for,
    write_hub_settings,
)
from tests.nbgrader.course_notebooks import COURSES_DIR

pytestmark = [pytest.mark.server_mode, pytest.mark.app]

PREFIX = "mhiso-"
TEACHER = "teacher1"
COURSE, ASSIGNMENT = "foundations", "policy-basics"
RELATIVE_SOURCE = f"courses/{COURSE}/source/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"


@pytest.fixture(scope="module")
def server_hub(artifacts_dir):
    with server_mode_hub(PREFIX, "isolation", artifacts_dir) as hub:
        hub.wait_for_service(COURSE)
        hub.spawn(TEACHER)
        yield hub


def in_teacher_kernel(hub, code: str) -> dict:
    """Run ``code`` (which prints one JSON document last) in a kernel of the teacher's server."""
    output = run_in_kernel(f"{hub.url}/user/{TEACHER}", hub.user_token(TEACHER), code, timeout=300)
    return json.loads(output.strip().splitlines()[-1])


# -- finding 6: course sources ----------------------------------------------------------------------------
def hidden_test_texts() -> list[str]:
    """Texts that only the source notebooks hold: the messages of the hidden tests (in double quotes)."""
    texts = set()
    for source in COURSES_DIR.glob("*/source/*/*.ipynb"):
        for line in hidden_lines(json.loads(source.read_text(encoding="utf-8"))):
            texts |= {text for text in re.findall(r'"([^"\\]{12,})"', line) if re.search(r"[\u4e00-\u9fff]", text)}
    return sorted(texts)


SCAN_CODE = r'''
import json, os
def scan(roots, skip, texts, suffixes=("",)):
    """Readable files under roots (not under skip; named with one of suffixes) holding one of texts:
    (hits, files read)."""
    needles = [text.encode() for text in texts]
    hits, read = [], 0
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if os.path.join(folder, d) not in skip]
            for name in files:
                path = os.path.join(folder, name)
                if not name.endswith(tuple(suffixes)):
                    continue
                try:
                    if os.path.islink(path) or os.path.getsize(path) > 5_000_000:
                        continue
                    with open(path, "rb") as handle:
                        data = handle.read()
                except OSError:
                    continue
                read += 1
                if any(needle in data for needle in needles):
                    hits.append(path)
    return hits, read
'''

PROBE_CODE = SCAN_CODE + r'''
import glob
def attempt(path):
    try:
        if os.path.isdir(path):
            os.listdir(path)
        else:
            with open(path, "rb") as handle:
                handle.read(1)
        return "readable"
    except FileNotFoundError:
        return "missing"
    except OSError as error:
        return type(error).__name__
home = os.path.expanduser("~")
paths = [os.path.join(home, path) for path in {home_relative!r}] + {paths!r}
# one's own symlink to the source, and a hard link to it
link = os.path.join(home, "source-link.ipynb")
if not os.path.lexists(link):
    os.symlink({source!r}, link)
paths.append(link)
try:
    os.link({source!r}, os.path.join(home, "source-hardlink.ipynb"))
    paths.append(os.path.join(home, "source-hardlink.ipynb"))
except OSError:
    pass
# every process's working folder, root and open descriptors that this account may follow
def ways(pid):
    try:
        descriptors = ["fd/" + fd for fd in os.listdir(f"/proc/{{pid}}/fd")]
    except OSError:
        descriptors = []
    for way in ["cwd", "root", *descriptors]:
        try:
            os.stat(f"/proc/{{pid}}/{{way}}")
        except OSError:
            continue
        yield f"/proc/{{pid}}/{{way}}"
for pid in [entry for entry in os.listdir("/proc") if entry.isdigit()] + ["self", "thread-self"]:
    for base in ways(pid):
        paths += [os.path.join(base, relative) for relative in {relatives!r}]
results = {{path: attempt(path) for path in paths}}
hits, read = scan({scan_roots!r}, {scan_skip!r}, {texts!r})
installed_hits, installed_read = scan([{venv!r}], [], {texts!r}, (".ipynb", ".yaml", ".yml", ".json", ".txt"))
hits, read = hits + installed_hits, read + installed_read
print(json.dumps({{"account": os.popen("id -un").read().strip(), "results": results, "hits": hits, "read": read}}))
'''


def test_no_path_from_a_teachers_kernel_leads_to_course_sources(server_hub):
    state = server_hub.state_dir
    source = REPO_ROOT / RELATIVE_SOURCE
    state_source = state / "courses" / COURSE / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert source.is_file() and state_source.is_file(), "no source notebook where the probes look"
    venv = Path(sys.prefix)
    paths = [str(source), str(state_source), f"/proc/self/root{source}", f"/proc/self/root{state_source}",
             str(REPO_ROOT / "courses"), str(REPO_ROOT / "tests" / "nbgrader" / "planted_answers.yaml"),
             str(REPO_ROOT / ".git"), str(state / "courses" / COURSE)]
    names = {path.name for path in COURSES_DIR.glob("*/source/*/*.ipynb")}
    paths += [str(path) for path in venv.rglob("*.ipynb") if path.name in names]
    relatives = [RELATIVE_SOURCE, f"apps/../{RELATIVE_SOURCE}", f"../{RELATIVE_SOURCE}",
                 str(state_source.relative_to(state.parent)), str(state_source.relative_to(state))]
    texts = hidden_test_texts()
    assert len(texts) >= 10, texts
    scan_roots, scan_skip = [str(REPO_ROOT), str(state)], [str(venv)]

    found = in_teacher_kernel(server_hub, PROBE_CODE.format(
        home_relative=[f"apps/../{RELATIVE_SOURCE}", f"apps/../../{REPO_ROOT.name}/{RELATIVE_SOURCE}"],
        paths=paths, source=str(source), relatives=relatives, scan_roots=scan_roots, scan_skip=scan_skip,
        venv=str(venv), texts=texts))

    assert found["account"] == f"{PREFIX}{TEACHER}"
    readable = sorted(path for path, result in found["results"].items() if result == "readable")
    assert readable == [], readable
    assert found["results"][str(source)] == "PermissionError"
    assert found["results"][str(state_source)] == "PermissionError"
    assert any("/proc/self/cwd/apps/../courses" in path for path in found["results"])  # ~/apps was followed
    assert found["hits"] == [], found["hits"]
    # the scan read what a teacher legitimately reads (the packages, the apps), and as root it finds the
    # sources: the texts it looks for are the right ones
    assert found["read"] > 50
    scope = {}
    exec(SCAN_CODE, scope)
    root_hits, _ = scope["scan"](scan_roots, scan_skip, texts)
    assert str(source) in root_hits and str(state_source) in root_hits


def test_the_graders_still_read_the_checkouts_sources(server_hub):
    grader = grader_unix_account(PREFIX, COURSE)
    result = subprocess.run(["runuser", "-u", grader, "--", "head", "-c", "1", str(REPO_ROOT / RELATIVE_SOURCE)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


# -- finding 11: databases and internal ports ---------------------------------------------------------------
NETWORK_CODE = r'''
import json, os, shutil, socket, subprocess
import psycopg, requests
from widgets.client import RecordsClient
from widgets.workbench import Workbench
from hub.exchange.client import ExchangeClient

def connect(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=10).close()
        return "open"
    except OSError as error:
        return type(error).__name__

ports = {ports!r}
found = {{"ports": {{name: connect(port) for name, port in ports.items()}}}}
try:
    psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", connect_timeout=10).close()
    found["psycopg"] = "connected"
except psycopg.Error as error:
    found["psycopg"] = str(error)
if shutil.which("psql"):
    listing = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-l"], capture_output=True, text=True,
                             timeout=60, env={{**os.environ, "PGCONNECT_TIMEOUT": "10"}})
    found["psql"] = [listing.returncode, listing.stdout[-300:], listing.stderr[-300:]]
token = {{"Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"]}}
api = os.environ["JUPYTERHUB_API_URL"]
found["api_url"] = api
found["hub_user"] = requests.get(api + "/user", headers=token, timeout=30).json().get("name")
found["own_server"] = requests.get({own_server!r}, headers=token, timeout=30).status_code
client = RecordsClient.from_environment()
found["records_url"] = client.base_url
found["records_me"] = sorted(client.me())
found["workbench"] = type(Workbench.from_client(client)).__name__
found["exchange_courses"] = ExchangeClient.from_environment().courses() is not None
print(json.dumps(found))
'''


def internal_ports(hub) -> dict[str, int]:
    settings = yaml.safe_load(hub.settings_file.read_text(encoding="utf-8"))
    return {"postgresql": 5432, "hub api": settings["hub_port"], "proxy api": settings["proxy_api_port"],
            "records": settings["records_port"], "exchange": settings["exchange_port"],
            **{f"formgrader {index}": settings["formgrader_base_port"] + index for index in range(3)}}


def test_a_teachers_code_reaches_no_database_and_no_internal_port(server_hub):
    internal = internal_ports(server_hub)
    public_port = int(server_hub.url.rsplit(":", 1)[1])
    for port in [*internal.values(), public_port]:  # all of them listen: root gets in
        socket.create_connection(("127.0.0.1", port), timeout=10).close()

    found = in_teacher_kernel(server_hub, NETWORK_CODE.format(
        ports={**internal, "public": public_port}, own_server=f"{server_hub.url}/user/{TEACHER}/api/status"))

    assert {name: found["ports"][name] for name in internal} == {name: "ConnectionRefusedError" for name in internal}
    assert found["ports"]["public"] == "open"
    assert "refused" in found["psycopg"], found["psycopg"]
    if "psql" in found:
        assert found["psql"][0] != 0 and "List of databases" not in found["psql"][1], found["psql"]
    # what users' servers need still works, through the public port
    assert found["api_url"] == f"{server_hub.url}/hub/api"
    assert found["hub_user"] == TEACHER
    assert found["own_server"] == 200
    assert found["records_url"].startswith(f"{server_hub.url}/services/records/")
    assert "mentees" in found["records_me"], found["records_me"]
    assert found["workbench"] == "Workbench"
    assert found["exchange_courses"] is True


def test_an_account_outside_the_policys_uids_gets_no_server(server_hub):
    name = f"{PREFIX}teacher3"
    # made for teacher3 (so it is theirs, not someone else's) but with an ordinary uid, of 1000 on
    subprocess.run(["useradd", "--no-create-home", "--comment", "Mentor Hub user teacher3", name], check=True,
                   capture_output=True)
    assert pwd.getpwnam(name).pw_uid < 70000
    server_hub.api("POST", "/users/teacher3/server")
    wait_for(lambda: f"Unix account {name} has uid" in server_hub.log_path.read_text(errors="replace"),
             timeout=120, what="the spawner's refusal")
    wait_for(lambda: not server_hub.api("GET", "/users/teacher3").json().get("servers"), timeout=60,
             what="the failed server gone")
    assert not any(proc.username() == name for proc in psutil.process_iter())


def test_the_hub_refuses_server_mode_when_it_cannot_set_up_the_policy(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("server mode needs root")
    tmp_path.chmod(0o755)
    settings = write_hub_settings(tmp_path, seed=False, mode="server", extra={"server": {"user_prefix": PREFIX}})
    # no /usr/sbin on the PATH: nft cannot be found, as on a machine without nftables
    with pytest.raises(RuntimeError) as refused:
        start_hub(settings, timeout=120, env={"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"})
    assert "cannot start in server mode" in str(refused.value)
    assert "apt-get install nftables" in str(refused.value)
