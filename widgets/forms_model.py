"""The record forms' model: which fields each kind has, and the checks made before anything is sent.

No ipywidgets here. The field lists mirror the records service's validation (``hub.store.validation``);
``tests/unit/test_forms_model.py`` checks that they agree. The service stays the judge: these checks
only spare a round trip and put the message next to the field.

    errors = validate(KIND_FORMS["talk"], values, today=date.today(), term=TermDates(...))
    payload = build_payload("talk", values)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .texts import label, t

GUIDANCE_DOMAINS = ("思想引导", "学习辅导", "心理疏导", "生活指导", "生涯指导")
HOME_VISIT_FORMS = ("入户", "视频", "电话", "来校")
TALK_TYPES = ("例行关怀", "问题解决", "预警干预", "生涯规划", "信息核实")
DELIVERY = ("手写卡", "平台", "面交")
CONTACT_CHANNELS = ("面谈", "电话", "视频", "平台消息", "上门")
KEY_TIMEPOINTS = ("开学", "期中", "期末", "考试前后", "假期前", "家庭变化后", "其他")

# widget kinds: text (one line), area (several lines), choice, multi, date, flag
TEXT, AREA, CHOICE, MULTI, DATE, FLAG = "text", "area", "choice", "multi", "date", "flag"


@dataclass(frozen=True)
class Field:
    name: str
    kind: str = TEXT
    required: bool = False
    limit: int = 0  # maximum length of text; 0 = not text
    min_len: int = 0
    choices: tuple[str, ...] = ()


def _common() -> tuple[Field, ...]:
    return (
        Field("guidance_domains", MULTI, choices=GUIDANCE_DOMAINS),
        Field("follow_up_date", DATE),
    )


KIND_FORMS: dict[str, tuple[Field, ...]] = {
    "home_visit": (
        Field("form", CHOICE, True, choices=HOME_VISIT_FORMS),
        Field("purpose", TEXT, True, 500),
        Field("participants", TEXT, False, 200),
        Field("family_situation", AREA, False, 1000),
        Field("parent_concerns", AREA, False, 1000),
        Field("school_suggestions", AREA, False, 1000),
        Field("summary", AREA, False, 2000),
        *_common(),
    ),
    "talk": (
        Field("talk_type", CHOICE, True, choices=TALK_TYPES),
        Field("key_timepoint", CHOICE, False, 50, choices=KEY_TIMEPOINTS),
        Field("trigger", TEXT, False, 100),
        Field("summary", AREA, True, 2000),
        Field("student_voice", AREA, False, 1000),
        Field("agreed_actions", AREA, False, 1000),
        Field("escalation", FLAG),
        *_common(),
    ),
    "growth_message": (
        Field("text", AREA, True, 1000, min_len=10),
        Field("strengths_cited", TEXT, False, 500),
        Field("expectation", TEXT, False, 500),
        Field("delivered_via", CHOICE, False, choices=DELIVERY),
    ),
    "parent_contact": (
        Field("channel", CHOICE, True, choices=CONTACT_CHANNELS),
        Field("guardian_relation", TEXT, False, 20),
        Field("topic", TEXT, True, 100),
        Field("content_summary", AREA, True, 2000),
        Field("summary", AREA, False, 2000),
        *_common(),
    ),
    "guidance": (
        Field("domains", MULTI, True, choices=GUIDANCE_DOMAINS),
        Field("summary", AREA, True, 2000),
        Field("agreed_actions", AREA, False, 1000),
        *_common(),
    ),
}
RECORD_KINDS = tuple(KIND_FORMS)


@dataclass(frozen=True)
class TermDates:
    """What a form needs to know about the term: its id and first and last day (None when unknown)."""

    term_id: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


def is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or value in ((), [])


def check_field(spec: Field, value) -> str | None:
    """The Chinese message for one field's value, or None when it is acceptable."""
    name = label(spec.name)
    if is_empty(value):
        if not spec.required:
            return None
        return t("choose_some" if spec.kind == MULTI else "choose_one" if spec.kind == CHOICE else "required",
                 label=name)  # fmt: skip
    if spec.kind in (TEXT, AREA):
        text = str(value).strip()
        if spec.limit and len(text) > spec.limit:
            return t("too_long", label=name, limit=spec.limit, length=len(text))
        if spec.min_len and len(text) < spec.min_len:
            return t("too_short", label=name, limit=spec.min_len)
    if spec.kind == CHOICE and value not in spec.choices:
        return t("choose_one", label=name)
    if spec.kind == MULTI and any(v not in spec.choices for v in value):
        return t("choose_some", label=name)
    return None


def check_date(value, today: dt.date, term: TermDates) -> str | None:
    name = label("date")
    if value is None:
        return t("required", label=name)
    if value > today:
        return t("future_date", label=name)
    if term.start and term.end and not term.start <= value <= term.end:
        return t("outside_term", label=name, start=term.start.isoformat(), end=term.end.isoformat())
    return None


def validate(kind: str, values: dict, *, today: dt.date, term: TermDates) -> dict[str, str]:
    """Messages per field name for ``values`` (``student_id``, ``date`` and the kind's fields).

    An empty result means the form may be sent."""
    errors: dict[str, str] = {}
    if is_empty(values.get("student_id")):
        errors["student_id"] = t("no_student")
    date_error = check_date(values.get("date"), today, term)
    if date_error:
        errors["date"] = date_error
    for spec in KIND_FORMS[kind]:
        message = check_field(spec, values.get(spec.name))
        if message:
            errors[spec.name] = message
    follow = values.get("follow_up_date")
    if follow and values.get("date") and "date" not in errors and follow < values["date"]:
        errors["follow_up_date"] = t("follow_up_before")
    return errors


def build_payload(kind: str, values: dict, client_ref: str | None = None) -> dict:
    """The POST body for ``values``: empty optional fields left out, dates as ISO text, text trimmed."""
    payload = {"kind": kind, "student_id": values["student_id"], "date": values["date"].isoformat()}
    for spec in KIND_FORMS[kind]:
        value = values.get(spec.name)
        if spec.kind == FLAG:
            if value:
                payload[spec.name] = True
            continue
        if is_empty(value):
            continue
        if spec.kind == DATE:
            payload[spec.name] = value.isoformat()
        elif spec.kind == MULTI:
            payload[spec.name] = list(value)
        elif spec.kind in (TEXT, AREA):
            payload[spec.name] = str(value).strip()
        else:
            payload[spec.name] = value
    if client_ref:
        payload["client_ref"] = client_ref
    return payload


def record_summary(record: dict) -> str:
    """A one-line summary of a stored record for lists (no labels or PII added)."""
    for key in ("summary", "content_summary", "text", "purpose", "topic"):
        value = record.get(key)
        if value:
            value = str(value)
            return value if len(value) <= 60 else value[:59] + "…"
    return ""
