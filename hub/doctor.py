"""`mentorhub doctor`: check the environment and say what to fix, one line per check."""

from __future__ import annotations

import os
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

from hub.config import PROXY_COMMAND
from hub.settings import Settings, SettingsError, load_settings


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def check_proxy() -> Check:
    if not PROXY_COMMAND.exists():
        return Check("proxy", False, f"{PROXY_COMMAND} is missing", "run `make env` (npm ci installs it locally)")
    try:
        out = subprocess.run([str(PROXY_COMMAND), "--version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return Check("proxy", False, f"cannot run {PROXY_COMMAND}: {exc}", "install Node.js 20 (apt-get install nodejs)")
    return Check("proxy", out.returncode == 0, f"configurable-http-proxy {out.stdout.strip() or out.stderr.strip()}",
                 "" if out.returncode == 0 else "reinstall with `rm -rf node_modules && make env`")


def check_state_dir(settings: Settings) -> Check:
    state = settings.state_dir
    probe_dir = state if state.exists() else state.parent
    writable = os.access(probe_dir, os.W_OK)
    return Check("state folder", writable, f"{state} ({'exists' if state.exists() else 'will be created'})",
                 "" if writable else f"make {probe_dir} writable for the hub's account")


def check_database(settings: Settings) -> Check:
    from hub.store import NotMigrated, open_store

    if settings.records_db_url.startswith("sqlite:///") and not Path(settings.records_db_url[10:]).exists():
        fix = "run `make run` (demo seeds it)" if settings.mode == "demo" else "run `mentorhub db upgrade`"
        return Check("records database", settings.mode == "demo", "not created yet", fix)
    try:
        store = open_store(settings.records_db_url)
    except NotMigrated as exc:
        return Check("records database", False, str(exc), "run `mentorhub db upgrade`")
    except Exception as exc:  # noqa: BLE001 - report any driver error as a failed check
        return Check("records database", False, f"unreachable: {exc}", "check database.records_url and the server")
    store.close()
    return Check("records database", True, "reachable and migrated")


def check_port(name: str, port: int) -> Check:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return Check(f"port {port} ({name})", False, "in use",
                         f"stop what listens on {port} or choose another port in the settings file")
    return Check(f"port {port} ({name})", True, "free")


def run_checks(settings: Settings) -> list[Check]:
    checks = [check_proxy(), check_state_dir(settings), check_database(settings)]
    for name, port in (("public", settings.public_port), ("hub", settings.hub_port),
                       ("proxy api", settings.proxy_api_port), ("records", settings.records_port)):
        checks.append(check_port(name, port))
    return checks


def doctor(args) -> int:
    try:
        settings = load_settings(args.settings)
    except SettingsError as exc:
        print(f"FAIL settings: {exc}")
        return 1
    checks = run_checks(settings)
    for check in checks:
        line = f"{'ok  ' if check.ok else 'FAIL'} {check.name}: {check.detail}"
        print(line + (f"\n     fix: {check.fix}" if check.fix and not check.ok else ""))
    failed = [c for c in checks if not c.ok]
    print(f"{len(checks) - len(failed)} ok, {len(failed)} to fix (mode {settings.mode})")
    return 1 if failed else 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("doctor", help="检查运行环境 (check the environment and say what to fix)")
    parser.add_argument("--settings", help="site settings file (default: $MENTORHUB_SETTINGS or ./mentorhub.yaml)")
    parser.set_defaults(func=doctor)
