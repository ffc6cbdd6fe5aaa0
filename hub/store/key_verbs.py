"""Re-encrypt every sensitive field with the newest field key (``mentorhub keys rotate``, hub.store.crypto).

The values are read as stored (ciphertext, or plain text written before a key existed) page by page, opened
with whichever key sealed them and written back, which seals them with the newest key. Values already
sealed with it are left alone, so an interrupted run can simply be run again. One audit row gives the
counts (never contents).
"""

from __future__ import annotations

from sqlalchemy import JSON, Text, select, type_coerce, update

from . import crypto
from .focus_models import FocusDecision, FocusNomination
from .models import ConcernFlag, Guardian, Record
from .privacy_models import GuardianRequest, RecordVersion

#: (table's model, its key column, the sealed column, whether the column is a JSON object of fields)
SEALED_COLUMNS = (
    (ConcernFlag, "flag_id", "details", False),
    (Guardian, "guardian_id", "contact_channel", False),
    (GuardianRequest, "request_id", "details", False),
    (Record, "record_id", "fields", True),
    (RecordVersion, "version_id", "fields", True),
    (FocusNomination, "nomination_id", "reason", False),  # 排摸重点对象 (focus_verbs)
    (FocusDecision, "decision_id", "note", False),
)
PAGE = 500


def stale(value, ring: crypto.KeyRing, is_json: bool) -> bool:
    """Does this stored value hold something not sealed with the ring's newest key?"""
    if is_json:
        values = [value.get(k) for k in crypto.SEALED_RECORD_FIELDS] if isinstance(value, dict) else []
    else:
        values = [value]
    return any(isinstance(v, str) and v and not ring.sealed_with_current(v) for v in values)


def opened(value, ring: crypto.KeyRing, is_json: bool):
    if is_json:
        return {k: ring.open(v) if crypto.is_sealed(v) else v for k, v in value.items()}
    return ring.open(value) if crypto.is_sealed(value) else value


class KeyVerbs:
    """Mixin for ``RecordStore``."""

    def count_sealed(self) -> dict[str, dict[str, int]]:
        """Per table: how many stored values are sealed with each key id, and how many are plain text."""
        counts: dict[str, dict[str, int]] = {}
        for model, _key, column, is_json in SEALED_COLUMNS:
            table = model.__table__
            raw = type_coerce(table.c[column], JSON() if is_json else Text())
            tally: dict[str, int] = {}
            with self.reading() as s:
                for value in s.execute(select(raw)).scalars():
                    values = ([value.get(k) for k in crypto.SEALED_RECORD_FIELDS] if isinstance(value, dict)
                              else [] if is_json else [value])  # fmt: skip
                    for v in values:
                        if isinstance(v, str) and v:
                            name = crypto.split_sealed(v)[0] if crypto.is_sealed(v) else "plain"
                            tally[name] = tally.get(name, 0) + 1
            counts[table.name] = tally
        return counts

    def reseal_sensitive_fields(self, actor: str = "mentorhub-keys") -> dict[str, int]:
        """Seal every sensitive value with the newest key; returns how many values changed per table."""
        ring = crypto.keyring_of(self.engine.dialect)
        if ring is None:
            raise crypto.KeyMissing(None)
        changed = {}
        for model, key, column, is_json in SEALED_COLUMNS:
            table = model.__table__
            pk, raw = table.c[key], type_coerce(table.c[column], JSON() if is_json else Text())
            changed[table.name], last = 0, None
            while True:
                query = select(pk, raw).order_by(pk).limit(PAGE)
                with self.reading() as s:
                    page = s.execute(query if last is None else query.where(pk > last)).all()
                if not page:
                    break
                last = page[-1][0]
                todo = [(row_id, opened(value, ring, is_json)) for row_id, value in page if stale(value, ring, is_json)]
                if todo:
                    with self.writing_core() as connection:
                        for row_id, value in todo:  # the column's type seals the value with the newest key
                            connection.execute(update(table).where(pk == row_id).values({column: value}))
                    changed[table.name] += len(todo)
        with self.writing() as s:
            self._audit(s, actor, "keys.reseal", "field_keys", ring.current_id, detail={"changed": changed})
        return changed
