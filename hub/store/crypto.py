"""Sensitive fields encrypted at rest, with a key kept outside the database.

What is encrypted: a concern flag's ``details``, a home visit's ``family_situation`` (inside the record's
JSON ``fields``, in its earlier versions too) and a guardian's ``contact_channel``. Each value is stored as
``enc:v1:<key id>:<Fernet token>`` (``cryptography``'s Fernet: AES-128-CBC with HMAC-SHA256, a timestamp
and a random IV), so a database file, a dump or a backup holds only ciphertext.

The keys live in a JSON file (``privacy.key_file`` in the site settings; by default
``state/secrets/field-keys.json``), mode 0600, newest key first::

    {"keys": [{"id": "k20261203031000", "key": "<urlsafe base64, 32 bytes>", "created": "2026-12-03T03:10:00"}]}

New values are sealed with the newest key; every key in the file can open values. ``rotate_keys`` puts a new
key in front, and ``RecordStore.reseal_sensitive_fields`` (``mentorhub keys rotate``) re-encrypts every
sensitive value with it; ``--retire`` then drops the older keys from the file (keep them as long as
backups made under them are kept).

The column types ``SealedText`` and ``SealedJSON`` do the work on every read and write, Core or ORM,
with the key ring attached to the store's engine (``attach``): code that reads a flag or a record sees
plain text and never handles keys. Without a key ring a value is written as it is (only a test store has
none: the records service refuses to start without a key file, the command line takes it from the
settings) and ciphertext cannot be read (``KeyMissing``, a 503 with a Chinese message).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import JSON, Text
from sqlalchemy.engine import Engine
from sqlalchemy.types import TypeDecorator

from .errors import StoreError

log = logging.getLogger(__name__)

PREFIX = "enc:v1:"
#: Keys of a record's ``fields`` that are sealed (home visits' family situation).
SEALED_RECORD_FIELDS = ("family_situation",)
KEY_FILE_NAME = "field-keys.json"
KEY_FILE_ENV = "MENTORHUB_FIELD_KEY_FILE"
DIALECT_ATTRIBUTE = "mentorhub_keyring"


class KeyMissing(StoreError):
    """Ciphertext the key ring cannot open (no key ring, or its key is not in the file)."""

    status = 503

    def __init__(self, key_id: str | None):
        which = f"key {key_id}" if key_id else "a field key"
        super().__init__(
            f"an encrypted field needs {which}, which this process does not have (privacy.key_file)",
            "敏感字段已加密，但当前服务没有可用的密钥（请检查设置中的 privacy.key_file 与密钥文件）",
        )
        self.key_id = key_id


class KeyFileError(StoreError):
    """A key file that cannot be used."""

    status = 503


@dataclass(frozen=True)
class FieldKey:
    key_id: str
    key: str  # urlsafe base64 of 32 random bytes, as Fernet wants it
    created: str


class KeyRing:
    """The field keys, newest first: ``seal`` with the newest, ``open`` with whichever sealed the value."""

    def __init__(self, keys: Iterable[FieldKey], path: Path | None = None):
        self.keys = list(keys)
        if not self.keys:
            raise KeyFileError("the key file holds no key", "密钥文件中没有密钥")
        self.path = path
        self._fernets = {key.key_id: Fernet(key.key.encode()) for key in self.keys}

    @property
    def current_id(self) -> str:
        return self.keys[0].key_id

    @classmethod
    def from_file(cls, path: str | os.PathLike) -> KeyRing:
        path = Path(path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            keys = [FieldKey(k["id"], k["key"], k.get("created", "")) for k in data["keys"]]
            return cls(keys, path)
        except FileNotFoundError:
            raise KeyFileError(f"key file {path} does not exist",
                               f"找不到密钥文件 {path}（设置项 privacy.key_file）") from None  # fmt: skip
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise KeyFileError(f"key file {path} cannot be used: {error}",
                               f"密钥文件 {path} 无法使用（格式不正确或无法读取）") from None  # fmt: skip

    @classmethod
    def ephemeral(cls) -> KeyRing:
        """A ring with one new key held only in memory (tests)."""
        return cls([new_key()])

    def seal(self, text: str) -> str:
        token = self._fernets[self.current_id].encrypt(text.encode("utf-8")).decode("ascii")
        return f"{PREFIX}{self.current_id}:{token}"

    def open(self, value: str) -> str:
        key_id, token = split_sealed(value)
        fernet = self._fernets.get(key_id)
        if fernet is None:
            raise KeyMissing(key_id)
        try:
            return fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise KeyMissing(key_id) from None

    def sealed_with_current(self, value) -> bool:
        return is_sealed(value) and split_sealed(value)[0] == self.current_id


def is_sealed(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def split_sealed(value: str) -> tuple[str, str]:
    key_id, _, token = value[len(PREFIX):].partition(":")
    return key_id, token


def new_key() -> FieldKey:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    key_id = "k" + now.strftime("%Y%m%d%H%M%S") + base64.b32encode(os.urandom(5)).decode().lower()
    return FieldKey(key_id, Fernet.generate_key().decode("ascii"), now.isoformat())


def write_key_file(path: Path, keys: list[FieldKey]) -> None:
    """Write the key file atomically, mode 0600 (its folder 0700 when made here)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    data = {"keys": [{"id": k.key_id, "key": k.key, "created": k.created} for k in keys]}
    temporary = path.with_name(path.name + ".new")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def ensure_key_file(path: str | os.PathLike) -> KeyRing:
    """The key ring of ``path``, made with one new key when the file does not exist yet."""
    path = Path(path)
    if not path.exists():
        write_key_file(path, [new_key()])
        log.info("made a new field key file %s", path)
    return KeyRing.from_file(path)


def rotate_keys(path: str | os.PathLike) -> KeyRing:
    """Put a new key in front of the file's keys; returns the new ring (re-encrypt with it next)."""
    ring = KeyRing.from_file(path)
    write_key_file(Path(path), [new_key(), *ring.keys])
    return KeyRing.from_file(path)


def retire_old_keys(path: str | os.PathLike) -> list[str]:
    """Keep only the newest key in the file; returns the ids dropped."""
    ring = KeyRing.from_file(path)
    write_key_file(Path(path), ring.keys[:1])
    return [key.key_id for key in ring.keys[1:]]


def default_key_file(db_url: str) -> Path | None:
    """Where a store finds its keys when none is named: $MENTORHUB_FIELD_KEY_FILE, else, for a SQLite file,
    ``secrets/field-keys.json`` beside it (the state folder's layout), when that file exists."""
    if os.environ.get(KEY_FILE_ENV):
        return Path(os.environ[KEY_FILE_ENV])
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and db_url != "sqlite:///:memory:":
        candidate = Path(db_url[len(prefix):]).parent / "secrets" / KEY_FILE_NAME
        if candidate.exists():
            return candidate
    return None


# --- the column types -----------------------------------------------------------------------------
def attach(engine: Engine, keyring: KeyRing | None) -> None:
    """Give ``engine`` (its dialect, which every connection of it shares) the key ring its columns use."""
    setattr(engine.dialect, DIALECT_ATTRIBUTE, keyring)


def keyring_of(dialect) -> KeyRing | None:
    return getattr(dialect, DIALECT_ATTRIBUTE, None)


_warned = set()


def _seal(value: str, dialect) -> str:
    ring = keyring_of(dialect)
    if ring is None or is_sealed(value) or value == "":
        if ring is None and value and id(dialect) not in _warned:
            _warned.add(id(dialect))
            log.warning("sensitive fields are written unencrypted: this store has no field key file")
        return value
    return ring.seal(value)


def _open(value, dialect):
    if not is_sealed(value):
        return value
    ring = keyring_of(dialect)
    if ring is None:
        raise KeyMissing(split_sealed(value)[0])
    return ring.open(value)


class SealedText(TypeDecorator):
    """Text encrypted with the engine's key ring on the way in, decrypted on the way out."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return _seal(value, dialect) if isinstance(value, str) else value

    def process_result_value(self, value, dialect):
        return _open(value, dialect)


class SealedJSON(TypeDecorator):
    """A JSON object whose ``SEALED_RECORD_FIELDS`` are encrypted (the other keys stay readable to SQL)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if isinstance(value, dict) and any(isinstance(value.get(k), str) for k in SEALED_RECORD_FIELDS):
            value = {k: _seal(v, dialect) if k in SEALED_RECORD_FIELDS and isinstance(v, str) else v
                     for k, v in value.items()}  # fmt: skip
        return value

    def process_result_value(self, value, dialect):
        if isinstance(value, dict) and any(is_sealed(value.get(k)) for k in SEALED_RECORD_FIELDS):
            value = {k: _open(v, dialect) if k in SEALED_RECORD_FIELDS else v for k, v in value.items()}
        return value
