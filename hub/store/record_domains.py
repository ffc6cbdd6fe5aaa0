"""Guidance domains of records in their own table (``record_domains``), kept by the store's write verbs.

A record names its guidance domains in its JSON ``fields`` (``domains`` for a guidance record, else the
optional ``guidance_domains``). Counting those for a district term meant decoding hundreds of thousands
of JSON values; the rows here let the dashboards count them from one index. The store calls:

- ``add_record_domains(session, ids, rows)`` in the transaction that inserts records (``rows`` are the
  inserted values, ``ids`` their new record ids);
- ``sync_record_domains(session, record)`` in the transaction that updates or soft-deletes a record
  (a deleted record keeps no domain rows).

Migration 0003_record_domains fills the table for records written before it existed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from sqlalchemy import delete, insert

from .models import Record, RecordDomain

INSERT_DOMAINS = insert(RecordDomain.__table__)


def domains_of(fields: Mapping | None) -> list[str]:
    """The record's guidance domains, each once: ``domains`` if given, else ``guidance_domains``."""
    fields = fields or {}
    values = fields.get("domains") or fields.get("guidance_domains") or []
    return list(dict.fromkeys(value for value in values if isinstance(value, str)))


def domain_rows(record_id: int, values: Mapping) -> list[dict]:
    return [{"record_id": record_id, "domain": domain, "term_id": values["term_id"], "student_id": values["student_id"]}
            for domain in domains_of(values.get("fields"))]  # fmt: skip


def add_record_domains(session, ids: Iterable[int], rows: Iterable[Mapping]) -> None:
    """Domain rows of newly inserted records (same transaction as the insert)."""
    new = [row for record_id, values in zip(ids, rows, strict=True) for row in domain_rows(record_id, values)]
    if new:
        session.execute(INSERT_DOMAINS, new)


def sync_record_domains(session, record: Record) -> None:
    """Replace the domain rows of an updated record; none for a soft-deleted one."""
    session.execute(delete(RecordDomain).where(RecordDomain.record_id == record.record_id))
    if record.deleted_at is None:
        values = {"term_id": record.term_id, "student_id": record.student_id, "fields": record.fields}
        add_record_domains(session, [record.record_id], [values])
