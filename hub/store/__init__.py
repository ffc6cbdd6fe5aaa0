"""The records store: models, migrations and the one domain API (``RecordStore``).

    from hub.store import upgrade, open_store
    upgrade("sqlite:///state/records.sqlite")      # what `mentorhub db upgrade` does
    store = open_store("sqlite:///state/records.sqlite")   # raises NotMigrated when not migrated
"""

from .db import make_engine, upgrade
from .errors import Conflict, Forbidden, Invalid, NotFound, NotMigrated, StoreError, Unavailable

__all__ = [
    "Conflict",
    "Forbidden",
    "Invalid",
    "NotFound",
    "NotMigrated",
    "StoreError",
    "Unavailable",
    "make_engine",
    "open_store",
    "upgrade",
]


def open_store(db_url, **kwargs):
    """Open the store at ``db_url`` (a URL or an engine); raises ``NotMigrated`` on an outdated schema."""
    from .store import RecordStore

    return RecordStore.open(db_url, **kwargs)
