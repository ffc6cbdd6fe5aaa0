"""Calls of the 排摸重点对象 and reminder endpoints on a ``widgets.client.RecordsClient`` (kept apart from
``year_client`` so the shared clients stay small). Each returns decoded JSON; errors raise ``RecordsError``."""

from __future__ import annotations

from urllib.parse import quote


def focus_review(client) -> dict:
    return client.request("GET", "focus-review")


def decide_focus(client, student_id: str, outcome: str, note: str = "") -> dict:
    return client.request("POST", f"focus-review/{quote(student_id, safe='')}/decision",
                          json={"outcome": outcome, "note": note})  # fmt: skip


def start_focus_team(client, student_id: str, body: dict) -> dict:
    return client.request("POST", f"focus-review/{quote(student_id, safe='')}/team", json=body)


def nominate(client, student_id: str, reason: str) -> dict:
    return client.request("POST", "focus-nominations", json={"student_id": student_id, "reason": reason})


def withdraw_nomination(client, nomination_id: int) -> dict:
    return client.request("POST", f"focus-nominations/{int(nomination_id)}/withdraw")


def my_nominations(client) -> list[dict]:
    return client.request("GET", "focus-nominations")["nominations"]


def reminders(client) -> dict:
    return client.request("GET", "reminders")
