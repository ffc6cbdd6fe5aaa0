"""The adversarial submission table: what a hostile teacher writes into an answer cell of policy-basics.

Every hostile submission answers question 1 honestly (``答案1 = "B"``, worth ``q1-tests`` points) and puts
its attack into the answer cell of question 2. So each must score exactly the points of question 1 (its
honest answer) — an attack that worked would score more — and whatever it prints lands in the graded
notebook, where the tests look for what it must not have been able to see or do.

``Target`` carries what the attacks aim at: the course folder, a port of the grading machine's own that
stands for the hub's, a secret in the grader's environment, the submission of another teacher.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil

AID = "policy-basics"
NOTEBOOK = "policy-basics.ipynb"
HONEST_Q1 = '答案1 = "B"'
DAEMON_MARK = "6000.517"  # the argument of the sleep a daemon leaves behind; found later if it survived
OUTPUT_CHUNK = 1_000_000


@dataclass
class Target:
    course_dir: Path
    listener_port: int
    secret: str
    victim: str = "honest-model"
    extra_ports: tuple[int, ...] = ()  # more ports of this machine to try (a test hub's)

    def addresses(self) -> list[tuple[str, int]]:
        """Where the network attack tries to connect: this machine's ports, a private and a public address."""
        local = [self.listener_port, 5432, 8081, *self.extra_ports]
        return [("127.0.0.1", port) for port in local] + [("10.0.0.1", 80), ("1.1.1.1", 53)]


def attacks(target: Target) -> dict[str, str]:
    """Student id -> source of the question-2 answer cell."""
    course = str(target.course_dir)
    victim_nb = f"{course}/submitted/{target.victim}/{AID}/{NOTEBOOK}"
    paths = [f"{course}/source/{AID}/{NOTEBOOK}", f"{course}/release/{AID}/{NOTEBOOK}", victim_nb,
             f"{course}/gradebook.db", f"{course}/nbgrader_config.py", NOTEBOOK, f"../{NOTEBOOK}"]
    return {
        # The three tricks that once gave blank answers full marks.
        "x-ast-transformer": """
import ast
class _NoAssert(ast.NodeTransformer):
    def visit_Assert(self, node):
        return ast.Pass()
get_ipython().ast_transformers.append(_NoAssert())
答案2 = ""
""",
        "x-shadow-builtins": """
import builtins
class _Always(str):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    __hash__ = str.__hash__
    def strip(self, *args): return self
    def upper(self): return self
class _Everything(set):
    def __eq__(self, other): return True
    def __and__(self, other): return _Everything()
    def __sub__(self, other): return _Everything("ACE")
    def __bool__(self): return True
builtins.str = _Always
builtins.set = _Everything
答案2 = ""
""",
        "x-event-callback": """
import re
def _peek(info):
    # Read the expected answer out of any test cell that passes through, and answer with it.
    found = re.findall(r'== set\\("([A-Z]+)"\\)|== "([A-Z]+)"', info.raw_cell or "")
    for pair in found:
        globals()["答案2"] = pair[0] or pair[1]
        print("PEEKED", pair)
def _replay(result):
    globals()["答案2"] = globals().get("答案2") or ""
get_ipython().events.register("pre_run_cell", _peek)
get_ipython().events.register("post_run_cell", _replay)
答案2 = ""
""",
        # Reading what only the course may read, and using it.
        "x-read-files": f"""
import re
答案2 = ""
for _path in {paths!r}:
    try:
        with open(_path, "rb") as _handle:
            _text = _handle.read().decode("utf-8", "replace")
        print("READ", _path, len(_text))
        _match = re.search(r'答案2 = \\\\"([A-Z]+)\\\\"', _text)
        if _match:
            答案2 = _match.group(1)
    except OSError as _error:
        print("DENIED", _path, type(_error).__name__)
""",
        "x-write-files": f"""
for _path in {paths!r}:
    try:
        with open(_path, "ab") as _handle:
            _handle.write(b"tampered")
        print("WROTE", _path)
    except OSError as _error:
        print("DENIED", _path, type(_error).__name__)
答案2 = ""
""",
        "x-proc-environ": """
import glob
for _path in glob.glob("/proc/*/environ"):
    try:
        print("ENVIRON", _path, open(_path, "rb").read().decode("utf-8", "replace"))
    except OSError:
        pass
import os
print("OWN", dict(os.environ))
答案2 = ""
""",
        "x-network": f"""
import socket
for _host, _port in {target.addresses()!r}:
    try:
        socket.create_connection((_host, _port), timeout=2).close()
        print("CONNECTED", _host, _port)
    except OSError as _error:
        print("NO-CONNECTION", _host, _port, type(_error).__name__)
答案2 = ""
""",
        "x-daemon": f"""
import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execv("/bin/sleep", ["sleep", "{DAEMON_MARK}"])
    os._exit(0)
time.sleep(0.5)
答案2 = ""
""",
        "x-fork-bomb": """
import os
_made = 0
try:
    while True:
        if os.fork() == 0:
            while True:
                try:
                    os.fork()
                except OSError:
                    pass
        _made += 1
except OSError as _error:
    print("FORK-REFUSED", _made, type(_error).__name__)
答案2 = ""
""",
        "x-memory": """
try:
    _block = bytearray(2 * 1024 ** 3)
    print("ALLOCATED", len(_block))
except MemoryError:
    print("MEMORY-REFUSED")
答案2 = ""
""",
        "x-output": f"""
import sys
for _ in range(100):
    print("x" * {OUTPUT_CHUNK})
    sys.stdout.flush()
答案2 = ""
""",
        "x-os-exit": """
import os
os._exit(0)
""",
        "x-marker": """
# ### BEGIN HIDDEN TESTS
答案2 = ""
""",
        "x-patch-exit": """
import builtins, sys
sys.exit = lambda *args: None
builtins.AssertionError = type("AssertionError", (Exception,), {})
答案2 = ""
""",
        "x-not-data": """
答案2 = {"A", "C", "E"}
""",
    }


def hostile_submissions(released, target: Target, with_answers) -> dict[str, object]:
    """Student id -> notebook, for every attack."""
    return {student: with_answers(released, {"q1-answer": HONEST_Q1, "q2-answer": code})
            for student, code in attacks(target).items()}


def notebook_outputs(path: Path) -> str:
    """Everything a graded notebook's cells printed or showed (not their sources), as one text."""
    nb = nbformat.read(path, as_version=4)
    return json.dumps([cell.get("outputs", []) for cell in nb.cells], ensure_ascii=False)


def survivors() -> list[psutil.Process]:
    """Processes of any hostile submission still alive (the daemon's sleep)."""
    left = []
    for process in psutil.process_iter(["cmdline"]):
        if DAEMON_MARK in " ".join(process.info["cmdline"] or []):
            left.append(process)
    return left


def folder_digest(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (small course folders only)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
