"""The site settings' ``privacy`` block (minors' data, issue 21), with its defaults.

    privacy:
      key_file: /etc/mentorhub/field-keys.json   # default: <state_dir>/secrets/field-keys.json
      request_days: 15                           # guardians' requests answered within this many days
      copy_concern_details: status_only          # or "full": what a guardian's copy shows of concern flags
      retention:
        records_years_after_leaving: 3           # records, their history, guardians, consents, requests
        flags_years_after_closing: 2             # closed concern flags (and every flag once records expire)
        deleted_records_days: 180                # soft-deleted records are purged this long after deletion
        run_daily_at: "03:00"                    # the hub's retention service; null: no scheduled run

The key file is the one secret the backups never hold: keep it (and its retired keys, as long as backups
made under them are kept) apart from the state folder, e.g. ``/etc/mentorhub`` (server mode), a Kubernetes
secret (cluster mode).
"""

from __future__ import annotations

import copy
from pathlib import Path

from hub.store.crypto import KEY_FILE_NAME

DEFAULTS = {
    "key_file": None,
    "request_days": 15,
    "copy_concern_details": "status_only",
    "retention": {"records_years_after_leaving": 3, "flags_years_after_closing": 2, "deleted_records_days": 180,
                  "run_daily_at": "03:00"},
}  # fmt: skip


def privacy(settings) -> dict:
    """The ``privacy`` block of ``settings`` over its defaults."""
    given = settings.raw.get("privacy") or {}
    merged = copy.deepcopy(DEFAULTS)
    for key, value in given.items():
        if isinstance(value, dict):
            merged[key] = {**merged.get(key, {}), **value}
        else:
            merged[key] = value
    return merged


def field_key_file(settings) -> Path:
    """The field key file: ``privacy.key_file`` (relative to the settings file's folder), else the state
    folder's ``secrets/field-keys.json``."""
    given = privacy(settings)["key_file"]
    if given:
        return (settings.base_dir / given).resolve()
    return settings.secrets_dir / KEY_FILE_NAME


def retention_rule(settings) -> dict:
    return privacy(settings)["retention"]
