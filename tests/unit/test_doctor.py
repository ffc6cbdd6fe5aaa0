"""`mentorhub doctor` reports what is wrong and how to fix it."""

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

from hub.doctor import check_database_passwords, run_checks
from hub.settings import Settings, load_settings
from tests.helpers import free_port
from tests.postgres_support import PG_BIN_DIRS, PrivatePostgres

MENTORHUB = str(Path(sys.executable).parent / "mentorhub")


def settings_file(folder: Path, **overrides) -> Path:
    values = {"mode": "server", "public_port": free_port(), "hub_port": free_port(),
              "proxy_api_port": free_port(), "records_port": free_port(), **overrides}
    path = folder / "mentorhub.yaml"
    path.write_text(yaml.safe_dump(values))
    return path


def test_unmigrated_database_and_busy_port_are_reported_with_a_fix(tmp_path):
    path = settings_file(tmp_path)
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "records.sqlite").write_bytes(b"")  # exists, but no schema
    settings = load_settings(path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", settings.public_port))
        busy.listen()
        checks = {check.name: check for check in run_checks(settings)}
    assert checks["proxy"].ok, checks["proxy"].detail
    assert not checks["records database"].ok
    assert "mentorhub db upgrade" in checks["records database"].fix
    public = checks[f"port {settings.public_port} (public)"]
    assert not public.ok and "in use" in public.detail
    assert checks[f"port {settings.hub_port} (hub)"].ok


def test_doctor_command_exit_code_follows_the_checks(tmp_path):
    path = settings_file(tmp_path, mode="demo")
    result = subprocess.run([MENTORHUB, "doctor", "--settings", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 to fix" in result.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("mode: demo\nsurprise: 1\n")
    result = subprocess.run([MENTORHUB, "doctor", "--settings", str(bad)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "unknown setting 'surprise'" in result.stdout


# -- PostgreSQL needs a password in server and cluster mode (issue 16, finding 11) --------------------------
def checks_for(mode: str, url: str) -> list:
    return check_database_passwords(Settings.from_dict({"mode": mode, "database": {"records_url": url}}))


def test_a_postgresql_url_without_a_password_is_refused_outside_demo_mode(monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    for mode in ("server", "cluster"):
        (check,) = checks_for(mode, "postgresql://mentorhub@127.0.0.1:5432/mentorhub")
        assert not check.ok and check.name == "database.records_url password"
        assert "no password" in check.detail and "PGPASSWORD" in check.fix
    assert checks_for("demo", "postgresql://postgres@127.0.0.1:5432/test") == []
    assert checks_for("server", "sqlite:////var/lib/mentorhub/records.sqlite") == []


@pytest.mark.postgres
def test_a_server_that_lets_anyone_in_is_reported_even_when_the_url_has_a_password(pg_url):
    url = make_url(pg_url).set(password="not-needed-there").render_as_string(hide_password=False)
    (check,) = checks_for("server", url)
    assert not check.ok
    assert "accepts a connection without a password" in check.detail and "pg_hba.conf" in check.fix


@pytest.fixture
def password_postgres():
    """A private PostgreSQL cluster that asks every connection for a password (scram-sha-256)."""
    if os.geteuid() != 0 or not PG_BIN_DIRS:
        pytest.skip("needs root and the PostgreSQL server binaries (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="mentorhub-pg-doctor-", dir="/tmp"))
    account = pwd.getpwnam("postgres")
    os.chown(folder, account.pw_uid, account.pw_gid)
    (folder / "password").write_text("s3cret-doctor\n")
    pg = PrivatePostgres(PG_BIN_DIRS[-1], folder, free_port())
    try:
        pg.run("initdb", "-D", str(folder / "data"), "-U", "postgres", "--auth=scram-sha-256",
               f"--pwfile={folder / 'password'}", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        pg.start()
        yield pg
    finally:
        try:
            pg.stop("immediate")
        except RuntimeError:
            pass  # not running
        shutil.rmtree(folder, ignore_errors=True)


def test_a_server_that_asks_for_the_password_passes(password_postgres, monkeypatch):
    monkeypatch.delenv("PGPASSWORD", raising=False)
    url = f"postgresql://postgres:s3cret-doctor@127.0.0.1:{password_postgres.port}/postgres"
    (check,) = checks_for("server", url)
    assert check.ok, check.detail
    # and the same server, named without the password, is refused for the URL
    (check,) = checks_for("server", f"postgresql://postgres@127.0.0.1:{password_postgres.port}/postgres")
    assert not check.ok and "no password" in check.detail


def test_the_cpu_tiers_mechanism_is_reported(tmp_path):
    from hub.doctor import check_cpu_tiers
    from hub.priority import mechanism

    check = check_cpu_tiers(load_settings(None))
    found, where = mechanism()
    assert check.ok and check.detail == f"{found} ({where})"
    assert bool(check.fix) == (found not in ("systemd-slices", "cgroup-v2", "cgroup-v1"))


def test_the_systemd_unit_leaves_cgroups_to_systemd_and_starts_what_make_run_starts():
    import configparser

    from hub.settings import REPO_ROOT

    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.read(REPO_ROOT / "deploy" / "systemd" / "mentorhub.service")
    assert "Delegate" not in unit["Service"]  # the CPU tiers are systemd's slices (hub.priority.SystemdTiers)
    assert unit["Service"]["KillMode"] == "process"
    assert unit["Service"]["ExecStart"].endswith("-m hub.app -f /opt/mentorhub/jupyterhub_config.py")
    assert "python -m hub.app -f jupyterhub_config.py" in (REPO_ROOT / "Makefile").read_text()


def test_the_field_key_file_is_checked(tmp_path):
    """Minors' data (issue 21): the key file of the encrypted fields must exist outside demo mode, be a key
    ring, and be readable by the hub's account alone."""
    from hub.doctor import check_field_keys
    from hub.privacy import field_key_file
    from hub.store.crypto import ensure_key_file

    server = load_settings(settings_file(tmp_path))
    missing = check_field_keys(server)
    assert not missing.ok and "mentorhub keys init" in missing.fix
    (tmp_path / "demo").mkdir()
    demo = load_settings(settings_file(tmp_path / "demo", mode="demo"))
    assert check_field_keys(demo).ok, "demo mode makes it at the first start"

    path = field_key_file(server)
    ensure_key_file(path)
    assert check_field_keys(server).ok
    path.chmod(0o644)
    loose = check_field_keys(server)
    assert not loose.ok and loose.fix == f"chmod 600 {path}"
    path.write_text("{not json")
    path.chmod(0o600)
    broken = check_field_keys(server)
    assert not broken.ok and "cannot be used" in broken.detail
