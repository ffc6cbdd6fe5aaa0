"""The concern queue of a psychology teacher or school leader, pure part: rows, the handling history, the
checks and request bodies of each step. No ipywidgets here.

The choices mirror the records service's (``hub.store.validation``; ``tests/unit/test_concern_queue.py`` checks
that they agree), so the form offers exactly what the service accepts; the service stays the judge.
"""

from __future__ import annotations

from .concern_model import local_time
from .texts import LEVEL_LABELS, t

EXTERNAL_REFERRALS = ("医疗机构（精神或心理专科）", "区未成年人心理健康辅导中心", "社区或街道（社工）", "公安或司法机关",
                      "其他专业机构")  # fmt: skip
FOLLOW_UP_METHODS = ("个别辅导", "与学生谈话", "与家长沟通", "与班主任或导师沟通", "观察", "团体辅导", "其他")
FLAG_OUTCOMES = ("情况缓解，结束跟进", "经评估无需干预", "已转介，由校外机构继续跟进", "学生转学或离校", "其他")
LEVELS = (1, 2, 3)

#: (label, status filter of ``GET flags/queue``)
STATUS_FILTERS = (("queue_filter_active", "active"), ("queue_filter_open", "open"),
                  ("queue_filter_monitoring", "monitoring"), ("queue_filter_referred", "referred"),
                  ("queue_filter_closed", "closed"), ("queue_filter_all", "all"))  # fmt: skip
#: The steps offered for a flag still being handled, and for a closed one.
OPEN_STEPS = ("triage", "assign", "follow_up", "refer", "close")
CLOSED_STEPS = ("reopen",)
#: Fields each step needs (the note is optional for triage and assignment only).
REQUIRED = {"triage": ("level",), "assign": ("assignee",), "follow_up": ("follow_up_method", "note"),
            "refer": ("referred_out_to", "note"), "close": ("outcome", "note"), "reopen": ("note",)}  # fmt: skip
NOTE_LIMIT = 2000


def when(value) -> str:
    """``2026-03-05 22:20``: a timestamp as the store keeps it (naive UTC), in the district's time."""
    return local_time(value)


def status_label(status: str | None) -> str:
    key = f"flag_status_{status}"
    return t(key) if status in ("open", "monitoring", "referred", "closed") else (status or "")


def level_label(level) -> str:
    return LEVEL_LABELS.get(level, str(level or ""))


def student_label(flag: dict) -> str:
    return f"{flag.get('student_name') or flag.get('student_id')}（{flag.get('class_id', '')}）"


def queue_rows(flags: list[dict]) -> list[dict]:
    """The table of the queue, in the service's order (unhandled first)."""
    return [{
        "flag_id": flag["flag_id"],
        "student": student_label(flag),
        "level": level_label(flag.get("level")),
        "risk": t("yes") if flag.get("immediate_risk") else t("no"),
        "signals": "、".join(flag.get("signals") or []) or "—",
        "status": status_label(flag.get("status")),
        "raised": f"{when(flag.get('raised_at'))} {flag.get('raised_by_name') or flag.get('raised_by', '')}",
        "assignee": flag.get("assigned_to_name") or t("queue_unassigned"),
    } for flag in flags]  # fmt: skip


def flag_option(flag: dict) -> str:
    """How the picker names a flag."""
    return t("queue_option", student=student_label(flag), level=level_label(flag.get("level")),
             status=status_label(flag.get("status")), when=when(flag.get("raised_at"))[:10])  # fmt: skip


def step_text(note: dict) -> str:
    """One handling step as a sentence (without its free-text note)."""
    detail, action = note.get("detail") or {}, note.get("action")
    if action == "triage":
        return t("step_triage", before=level_label(detail.get("level_from")), after=level_label(detail.get("level_to")))
    if action == "assign":
        return t("step_assign", who=note.get("assignee_name") or detail.get("assignee", ""))
    if action == "follow_up":
        return t("step_follow_up", method=detail.get("follow_up_method", ""))
    if action == "refer":
        informed = t("step_informed") if detail.get("guardian_informed") else t("step_not_informed")
        return t("step_refer", to=detail.get("referred_out_to", ""), informed=informed)
    if action == "close":
        return t("step_close", outcome=detail.get("outcome", ""))
    if action == "reopen":
        return t("step_reopen")
    return action or ""


def timeline_rows(flag: dict) -> list[dict]:
    """The flag's history: its raising, then every step, oldest first."""
    rows = [{"at": when(flag.get("raised_at")), "who": flag.get("raised_by_name") or flag.get("raised_by", ""),
             "what": t("step_raised", level=level_label(first_level(flag))),
             "note": ""}]  # fmt: skip
    for note in flag.get("notes") or []:
        rows.append({"at": when(note.get("at")), "who": note.get("author_name") or note.get("author", ""),
                     "what": step_text(note), "note": note.get("text") or ""})  # fmt: skip
    return rows


def first_level(flag: dict):
    """The level the flag was raised with: before its first triage, if any."""
    for note in flag.get("notes") or []:
        if note.get("action") == "triage":
            return (note.get("detail") or {}).get("level_from")
    return flag.get("level")


def steps_for(flag: dict) -> tuple[str, ...]:
    return CLOSED_STEPS if flag.get("status") == "closed" else OPEN_STEPS


def validate_step(action: str, values: dict) -> dict[str, str]:
    """Messages per field; empty when the step may be sent."""
    errors = {}
    for field in REQUIRED[action]:
        value = values.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[field] = t("choose_one" if field != "note" else "required", label=t(f"queue_field_{field}"))
    note = (values.get("note") or "").strip()
    if len(note) > NOTE_LIMIT:
        errors["note"] = t("too_long", label=t("queue_field_note"), limit=NOTE_LIMIT, length=len(note))
    return errors


def step_payload(action: str, values: dict) -> dict:
    """The fields of ``RecordsClient.act_on_flag(flag_id, action, **fields)`` for this step."""
    fields = {"triage": ("level", "note"), "assign": ("assignee", "note"), "follow_up": ("follow_up_method", "note"),
              "refer": ("referred_out_to", "guardian_informed", "note"), "close": ("outcome", "note"),
              "reopen": ("note",)}[action]  # fmt: skip
    payload = {}
    for field in fields:
        value = values.get(field)
        if isinstance(value, str):
            value = value.strip()
        if value not in (None, ""):
            payload[field] = value
    if action == "refer":
        payload["guardian_informed"] = bool(values.get("guardian_informed"))
    return payload
