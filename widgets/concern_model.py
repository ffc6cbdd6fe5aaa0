"""Concern flag flow, pure part: the checks and the request body. No ipywidgets here.

A mentor records observed signals and answers the immediate-safety question explicitly. A "yes" makes
the flag urgent (level 3) and routes it to the psychology teacher; the mentor then sees only its status.
"""

from __future__ import annotations

import datetime as dt

from .texts import t

FLAG_SIGNALS = ("认知", "情绪", "行为", "家庭", "安全")
LEVELS = (1, 2, 3)
URGENT_LEVEL = 3
ROUTE_URGENT = "心理教师"
DETAILS_LIMIT = 2000


def validate_concern(values: dict) -> dict[str, str]:
    """Messages per field; empty when the flag may be sent."""
    errors = {}
    if not values.get("student_id"):
        errors["student_id"] = t("no_student")
    if values.get("immediate_risk") is None:
        errors["immediate_risk"] = t("concern_need_risk")
    if not values.get("signals"):
        errors["signals"] = t("concern_need_signal")
    if values.get("level") not in LEVELS:
        errors["level"] = t("choose_one", label="关注等级")
    details = (values.get("details") or "").strip()
    if len(details) > DETAILS_LIMIT:
        errors["details"] = t("too_long", label="情况说明", limit=DETAILS_LIMIT, length=len(details))
    return errors


def concern_payload(values: dict) -> dict:
    """The ``POST flags`` body: urgent flags go to the psychology teacher at the highest level."""
    urgent = bool(values.get("immediate_risk"))
    payload = {
        "student_id": values["student_id"],
        "level": URGENT_LEVEL if urgent else values["level"],
        "signals": [s for s in FLAG_SIGNALS if s in (values.get("signals") or ())],
        "immediate_risk": urgent,
    }
    details = (values.get("details") or "").strip()
    if details:
        payload["details"] = details
    if urgent:
        payload["referred_to"] = ROUTE_URGENT
    return payload


STATUSES = ("open", "monitoring", "referred", "closed")
#: The time people read times in: China Standard Time, UTC+8 all year (the store keeps naive UTC).
DISPLAY_ZONE = dt.timezone(dt.timedelta(hours=8))


def local_time(value) -> str:
    """``2026-03-05 22:20`` from a naive-UTC ISO timestamp of the store; empty for none."""
    if not value:
        return ""
    try:
        moment = dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)
    except ValueError:
        return str(value)[:16].replace("T", " ")
    return moment.astimezone(DISPLAY_ZONE).strftime("%Y-%m-%d %H:%M")


def status_text(status: str | None) -> str:
    return t("flag_status_" + status) if status in STATUSES else (status or "")


def raised_by(flags: list[dict], username: str | None) -> list[dict]:
    """The flags ``username`` raised (all of them when no name is given)."""
    return [f for f in flags if username is None or f.get("raised_by") == username]


def status_rows(flags: list[dict], names: dict[str, str]) -> list[dict]:
    """What the mentor may see of flags: student, when, status, last change. Details are dropped even if present."""
    rows = []
    for flag in sorted(flags, key=lambda f: (f.get("raised_at") or "", f.get("flag_id") or 0)):
        student_id = flag.get("student_id")
        rows.append({
            "flag_id": flag.get("flag_id"),
            "student": names.get(student_id) or flag.get("student_name") or student_id,
            "raised_at": local_time(flag.get("raised_at")),
            "status": status_text(flag.get("status")),
            "updated_at": local_time(flag.get("updated_at")),
        })  # fmt: skip
    return rows


def open_concerns(flags: list[dict]) -> dict[str, list[str]]:
    """student_id -> statuses of the concerns about them that are not closed (for the tracker's 待跟进)."""
    found: dict[str, list[str]] = {}
    for flag in flags:
        if flag.get("status") != "closed" and flag.get("student_id"):
            found.setdefault(flag["student_id"], []).append(flag.get("status") or "open")
    return found
