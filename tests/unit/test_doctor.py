"""`mentorhub doctor` reports what is wrong and how to fix it."""

import socket
import subprocess
import sys
from pathlib import Path

import yaml

from hub.doctor import run_checks
from hub.settings import load_settings
from tests.helpers import free_port

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
