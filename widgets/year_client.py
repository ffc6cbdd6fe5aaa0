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


# --- 导师团, parent-contact requests, 多对一 -----------------------------------------------------------------
def class_teams(client) -> list[dict]:
    return client.request("GET", "class-teams")["class_teams"]


def class_team(client, class_id: str) -> dict:
    return client.request("GET", f"class-teams/{quote(class_id, safe='')}")


def add_meeting(client, class_id: str, body: dict) -> dict:
    return client.request("POST", f"class-teams/{quote(class_id, safe='')}/meetings", json=body)


def meeting_minutes(client, meeting_id: int) -> bytes:
    return client.request("GET", f"meetings/{int(meeting_id)}/minutes.docx", raw=True)


def contact_targets(client) -> list[dict]:
    return client.request("GET", "contact-targets")["students"]


def contact_requests(client) -> list[dict]:
    return client.request("GET", "contact-requests")["requests"]


def add_contact_request(client, student_id: str, topic: str, reason: str) -> dict:
    return client.request("POST", "contact-requests", json={"student_id": student_id, "topic": topic, "reason": reason})


def answer_contact_request(client, request_id: int, action: str, **fields) -> dict:
    return client.request("POST", f"contact-requests/{int(request_id)}/answer", json={"action": action, **fields})


def support_plans(client) -> list[dict]:
    return client.request("GET", "support-plans")["plans"]


def add_support_review(client, team_id: int, **fields) -> dict:
    return client.request("POST", f"support-plans/{int(team_id)}/reviews", json=fields)
