"""Calls of the school-year endpoints, on a ``widgets.client.RecordsClient`` (kept apart from it so the
shared client stays small): terms and calendars, life events, class mentor teams, 多对一 teams, 排摸,
reminders. Each function returns decoded JSON; error answers raise ``RecordsError``."""

from __future__ import annotations

from urllib.parse import quote


def terms(client) -> list[dict]:
    """Every term with the calendar that applies to the caller's school (``own``: the school's own)."""
    return client.request("GET", "terms")["terms"]


def set_calendar(client, term_id: str, body: dict) -> dict:
    """A school admin's own calendar for ``term_id`` (``hub.records.year_openapi.CALENDAR_BODY``)."""
    return client.request("PUT", f"terms/{quote(term_id, safe='')}/calendar", json=body)


def add_life_event(client, student_id: str, kind: str, event_date: str | None = None) -> dict:
    body = {"student_id": student_id, "kind": kind}
    if event_date:
        body["event_date"] = event_date
    return client.request("POST", "life-events", json=body)


def life_events(client, student_id: str) -> list[dict]:
    return client.request("GET", f"students/{quote(student_id, safe='')}/life-events")["life_events"]
