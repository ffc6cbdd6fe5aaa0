"""Site settings: one YAML file, validated against a JSON Schema, turned into a `Settings` object.

Order of precedence (later wins): built-in defaults → the site settings file → `jupyterhub_config.d/*.py`
(the hub's single escape hatch, loaded by `jupyterhub_config.py`).

The settings file is found, in order, from an explicit path, the `MENTORHUB_SETTINGS` environment
variable, or `mentorhub.yaml` in the working directory; with none of these the embedded demo defaults apply.
"""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = Path(__file__).with_name("settings.schema.json")
SETTINGS_ENV = "MENTORHUB_SETTINGS"
DEFAULT_FILE_NAME = "mentorhub.yaml"

DEFAULTS: dict[str, Any] = {
    "mode": "demo",
    "state_dir": "state",
    "public_ip": "127.0.0.1",
    "public_port": 8000,
    "hub_port": 8081,
    "proxy_api_port": 8001,
    "records_port": 10101,
    "exchange_port": 10102,
    "formgrader_base_port": 10200,
    "database": {"records_url": None, "hub_url": None},
    "authenticator": {
        "kind": "roster",
        "max_failed_logins": 5,
        "lockout_seconds": 300,
        "ip_attempts_per_minute": 30,
    },
    "culler": {"enabled": True, "timeout_seconds": 3600},
    # the exchange's own defaults (hub/exchange/store.py and limits.py) are the same numbers
    "exchange": {"quota_mb_per_teacher": 50, "submissions_per_window": 10, "window_seconds": 600},
    "spawner": {"cpu_nice": 19, "start_nice": 10, "start_concurrency": 0, "page_concurrency": 0, "page_backpressure_seconds": 45,
                "max_pending_starts": 500,
                "warm_start": True,
                "start_timeout_seconds": 300},
    # Users' accounts get uids of their own range, outside Debian's 1000-60000 and the subordinate uids
    # (100000 on): the network policy (hub/netpolicy.py) knows users' processes by it.
    "server": {"user_prefix": "mh-", "home_root": "/home", "service_user": "root", "uid_min": 70000,
               "uid_max": 99999},
    "cluster": {"singleuser_image": "mentorhub/singleuser:latest", "hub_image": "mentorhub/hub:latest",
                "namespace": "mentorhub", "storage_class": None},
    # reminders of the 三个一 (hub/reminders.py: the same defaults), both channels off
    "notifications": {
        "link": None,
        "email": {"enabled": False, "port": 587, "security": "starttls", "username": None, "password_file": None,
                  "recipients": {}, "timeout_seconds": 30},
        "wecom": {"enabled": False, "webhook_url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
                  "key_files": {}, "timeout_seconds": 30},
    },
}


class SettingsError(ValueError):
    """A settings file that cannot be used; the message names the key and how to fix it."""


def _merge(base: dict, override: dict) -> dict:
    merged = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate(raw: dict, source: str = "<settings>") -> None:
    """Raise SettingsError naming the first offending key (unknown keys included)."""
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    error = errors[0]
    key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    if error.validator == "additionalProperties":
        unknown = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        key = ".".join([*(str(p) for p in error.absolute_path), *unknown[:1]])
        raise SettingsError(f"{source}: unknown setting '{key}'; allowed here: "
                            f"{', '.join(sorted(error.schema.get('properties', {})))}")
    raise SettingsError(f"{source}: setting '{key}' is invalid: {error.message}")


@dataclass(frozen=True)
class Settings:
    """Validated settings with every path resolved. Build with `load_settings()` or `Settings.from_dict()`."""

    raw: dict = field(repr=False)
    base_dir: Path

    @classmethod
    def from_dict(cls, overrides: dict | None = None, base_dir: Path | None = None,
                  source: str = "<settings>") -> Settings:
        overrides = overrides or {}
        if not isinstance(overrides, dict):
            raise SettingsError(f"{source}: the settings file must hold a mapping of keys, not {type(overrides).__name__}")
        validate(overrides, source)
        return cls(raw=_merge(DEFAULTS, overrides), base_dir=(base_dir or Path.cwd()).resolve())

    # -- plain values -------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        return self.raw["mode"]

    @property
    def public_ip(self) -> str:
        return self.raw["public_ip"]

    @property
    def public_port(self) -> int:
        return self.raw["public_port"]

    @property
    def public_url(self) -> str:
        return f"http://{self.public_ip}:{self.public_port}"

    @property
    def hub_port(self) -> int:
        return self.raw["hub_port"]

    @property
    def proxy_api_port(self) -> int:
        return self.raw["proxy_api_port"]

    @property
    def records_port(self) -> int:
        return self.raw["records_port"]

    @property
    def exchange_port(self) -> int:
        return self.raw["exchange_port"]

    @property
    def formgrader_base_port(self) -> int:
        return self.raw["formgrader_base_port"]

    @property
    def authenticator(self) -> dict:
        return self.raw["authenticator"]

    @property
    def exchange(self) -> dict:
        return self.raw["exchange"]

    @property
    def culler(self) -> dict:
        return self.raw["culler"]

    @property
    def spawner(self) -> dict:
        return self.raw["spawner"]

    @property
    def server(self) -> dict:
        return self.raw["server"]

    @property
    def cluster(self) -> dict:
        return self.raw["cluster"]

    # -- paths ----------------------------------------------------------------------------------
    @property
    def state_dir(self) -> Path:
        return (self.base_dir / self.raw["state_dir"]).resolve()

    @property
    def secrets_dir(self) -> Path:
        return self.state_dir / "secrets"

    @property
    def users_dir(self) -> Path:
        """Demo mode: each hub user's home folder lives here."""
        return self.state_dir / "users"

    @property
    def kernel_queue_dir(self) -> Path:
        """The machine's queue of Voilà pages waiting for their kernel (hub.kernel_queue)."""
        return self.state_dir / "kernel-queue"

    @property
    def exchange_dir(self) -> Path:
        return self.state_dir / "exchange"

    @property
    def course_state_dir(self) -> Path:
        return self.state_dir / "courses"

    @property
    def courses_dir(self) -> Path:
        """The repository's course sources (`courses/<course_id>/`)."""
        return REPO_ROOT / "courses"

    @property
    def apps_dir(self) -> Path:
        """Voilà apps served read-only to every user's server."""
        return REPO_ROOT / "casestudies"

    @property
    def records_db_url(self) -> str:
        return self.raw["database"]["records_url"] or f"sqlite:///{self.state_dir / 'records.sqlite'}"

    @property
    def hub_db_url(self) -> str:
        return self.raw["database"]["hub_url"] or f"sqlite:///{self.state_dir / 'jupyterhub.sqlite'}"


def find_settings_file(path: str | os.PathLike | None = None, environ: dict | None = None) -> Path | None:
    environ = os.environ if environ is None else environ
    if path:
        return Path(path)
    if environ.get(SETTINGS_ENV):
        return Path(environ[SETTINGS_ENV])
    default = Path.cwd() / DEFAULT_FILE_NAME
    return default if default.exists() else None


def load_settings(path: str | os.PathLike | None = None, environ: dict | None = None) -> Settings:
    """Read and validate the site settings; embedded demo defaults when there is no file."""
    settings_file = find_settings_file(path, environ)
    if settings_file is None:
        return Settings.from_dict({})
    if not settings_file.exists():
        raise SettingsError(f"settings file {settings_file} does not exist (set {SETTINGS_ENV} or pass --settings)")
    try:
        raw = yaml.safe_load(settings_file.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SettingsError(f"{settings_file}: not valid YAML: {exc}") from exc
    return Settings.from_dict(raw, base_dir=settings_file.resolve().parent, source=str(settings_file))
