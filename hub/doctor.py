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


SOCKET_DIRS = ("/var/run/postgresql", "/tmp")  # where PostgreSQL servers put their Unix sockets
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
PASSWORD_FIX = ("give the database role a password (ALTER ROLE <role> PASSWORD '...') and put it in the URL, "
                "postgresql://<role>:<password>@<host>:5432/<database>, or in PGPASSWORD; keep the settings file "
                "readable by root only (chmod 600)")
PG_HBA_FIX = ("in pg_hba.conf require scram-sha-256 (not trust) on every host and local line, then reload "
              "PostgreSQL (systemctl reload postgresql)")


def postgres_urls(settings: Settings) -> dict[str, str]:
    """{setting: URL} of the databases on PostgreSQL."""
    urls = {"database.records_url": settings.records_db_url, "database.hub_url": settings.hub_db_url}
    return {name: url for name, url in urls.items() if url.split(":", 1)[0].split("+")[0] in ("postgresql", "postgres")}


def open_without_password(host: str, port: int, user: str, dbname: str) -> bool:
    """Whether PostgreSQL at ``host`` (an address or a socket folder) lets ``user`` in with no password."""
    import psycopg

    saved = {name: os.environ.pop(name) for name in ("PGPASSWORD", "PGPASSFILE") if name in os.environ}
    try:
        with psycopg.connect(host=host, port=port, user=user, dbname=dbname, passfile="/nonexistent/.pgpass",
                             connect_timeout=5):
            return True
    except psycopg.Error:
        return False
    finally:
        os.environ.update(saved)


def ways_in_without_password(url: str) -> list[str]:
    """Where (address or Unix socket) the database server of ``url`` accepts its role, or the superuser
    `postgres`, without a password."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    host, port = parsed.host or "127.0.0.1", parsed.port or 5432
    places = [host]
    if host in LOCAL_HOSTS:
        places += [folder for folder in SOCKET_DIRS if Path(folder, f".s.PGSQL.{port}").exists()]
    found = []
    for place in places:
        for user, dbname in {(parsed.username or "postgres", parsed.database or "postgres"), ("postgres", "postgres")}:
            if open_without_password(place, port, user, dbname):
                where = f"the Unix socket in {place}" if place.startswith("/") else f"{place}:{port}"
                found.append(f"{where} as {user}")
    return sorted(set(found))


def check_database_passwords(settings: Settings) -> list[Check]:
    """Server and cluster mode: PostgreSQL with password authentication only (users' code runs on the machine
    or in the cluster; a database that lets anyone in is everyone's)."""
    if settings.mode == "demo":
        return []
    from sqlalchemy.engine import make_url

    checks = []
    for name, url in postgres_urls(settings).items():
        if not make_url(url).password and not os.environ.get("PGPASSWORD"):
            checks.append(Check(f"{name} password", False, "the URL has no password (and PGPASSWORD is not set)",
                                PASSWORD_FIX))
            continue
        open_ways = ways_in_without_password(url)
        checks.append(Check(f"{name} password", not open_ways,
                            f"the server accepts a connection without a password: {'; '.join(open_ways)}"
                            if open_ways else "required by the server", PG_HBA_FIX))
    return checks


def check_network_policy(settings: Settings) -> list[Check]:
    """Server mode: the hub can keep users' processes off its internal ports (hub.netpolicy)."""
    from hub.netpolicy import NetworkPolicyError, nft_command

    if settings.mode != "server":
        return []
    try:
        nft_command()
    except NetworkPolicyError as error:
        return [Check("users' network policy", False, str(error), "run the hub as root, with nftables installed")]
    return [Check("users' network policy", True, f"nft present; users' uids {settings.server['uid_min']}-"
                                                 f"{settings.server['uid_max']}")]


def check_cpu_tiers(settings: Settings) -> Check:
    """Which mechanism keeps users' servers and kernels behind the hub (``hub.priority``); informational."""
    from hub.priority import mechanism

    found, where = mechanism()
    fix = "" if found in ("systemd-slices", "cgroup-v2", "cgroup-v1") else (
        "run the hub as root (deploy/systemd/mentorhub.service), or give it a cgroup-v2 subtree with the cpu "
        "controller")
    return Check("CPU tiers", True, f"{found} ({where})", fix)


def check_field_keys(settings: Settings) -> Check:
    """The key file of the encrypted fields (minors' data, hub.store.crypto): present, readable as a key ring,
    and private (0600). Demo mode makes it at the first start."""
    import stat

    from hub.privacy import field_key_file
    from hub.store.crypto import KeyFileError, KeyRing

    path = field_key_file(settings)
    if not path.exists():
        if settings.mode == "demo":
            return Check("field keys", True, f"{path} (will be created at the first start)")
        return Check("field keys", False, f"{path} does not exist", "run `mentorhub keys init`, then back the file "
                     "up apart from the database backups (see the backup guide)")
    try:
        ring = KeyRing.from_file(path)
    except KeyFileError as exc:
        return Check("field keys", False, str(exc), "restore the key file from its own backup")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return Check("field keys", False, f"{path} is readable by others (mode {mode:04o})", f"chmod 600 {path}")
    return Check("field keys", True, f"{path}: {len(ring.keys)} key(s), current {ring.current_id}")


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
    checks = [check_proxy(), check_state_dir(settings), check_database(settings), *check_database_passwords(settings),
              *check_network_policy(settings), check_field_keys(settings)]
    if settings.mode != "cluster":
        checks.append(check_cpu_tiers(settings))
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
