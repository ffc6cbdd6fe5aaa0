"""Validation of record payloads: pure functions, table-driven per record kind.

``validate_record(payload, term_start, term_end, today)`` returns the cleaned values or raises
``Invalid`` naming the first bad field (with a Chinese and an English message). Every text is checked
after normalisation (``check_text``): it must be valid Unicode (a lone surrogate such as ``"\\ud800"`` is
refused, it could be stored but never sent back), it is kept in NFC, and it must hold no control
characters. Free text is scanned for ID-card and phone numbers, which must never be recorded
(``hub.pii.find_id_and_phone_numbers``: what ``find_pii`` finds of those two kinds, without its slower
name and place detectors; it reads the text NFKC-normalised, without zero-width characters, and Chinese
numerals as digits).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from hub.pii import KIND_LABELS, find_id_and_phone_numbers

from .errors import Invalid
from .messages import msg
from .models import FLAG_STATUSES, RECORD_KINDS

GUIDANCE_DOMAINS = ("思想引导", "学习辅导", "心理疏导", "生活指导", "生涯指导")
HOME_VISIT_FORMS = ("入户", "视频", "电话", "来校")
TALK_TYPES = ("例行关怀", "问题解决", "预警干预", "生涯规划", "信息核实")
DELIVERY = ("手写卡", "平台", "面交")
CONTACT_CHANNELS = ("面谈", "电话", "视频", "平台消息", "上门")
REFERRAL_TARGETS = ("", "心理教师", "德育处", "医疗机构")
#: Where a psychology teacher or school leader refers a concern outside the school.
EXTERNAL_REFERRALS = ("医疗机构（精神或心理专科）", "区未成年人心理健康辅导中心", "社区或街道（社工）", "公安或司法机关",
                      "其他专业机构")  # fmt: skip
#: How a follow-up was done.
FOLLOW_UP_METHODS = ("个别辅导", "与学生谈话", "与家长沟通", "与班主任或导师沟通", "观察", "团体辅导", "其他")
#: What a closed concern came to.
FLAG_OUTCOMES = ("情况缓解，结束跟进", "经评估无需干预", "已转介，由校外机构继续跟进", "学生转学或离校", "其他")
FLAG_SIGNALS = ("认知", "情绪", "行为", "家庭", "安全")
FORBIDDEN_PII = ("id_card", "phone")
RANK_WORDS = re.compile(r"rank|position|名次|排名|排位|第几名", re.IGNORECASE)
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SURROGATE = re.compile(r"[\ud800-\udfff]")
#: Ids the database can hold (a 64-bit signed integer): a larger one is simply not found.
MAX_ROW_ID = 2**63 - 1
#: How much of a bad field name or value is repeated in a message.
ECHO = 40


@dataclass(frozen=True)
class Text:
    limit: int
    required: bool = False
    min_len: int = 0


@dataclass(frozen=True)
class Choice:
    choices: tuple[str, ...]
    required: bool = False


@dataclass(frozen=True)
class Choices:  # a list of choices
    choices: tuple[str, ...]
    required: bool = False


@dataclass(frozen=True)
class Flag:  # a boolean
    required: bool = False


@dataclass(frozen=True)
class Day:  # an ISO date; the event date is handled separately
    required: bool = False


COMMON = {"summary": Text(2000), "follow_up_date": Day(), "guidance_domains": Choices(GUIDANCE_DOMAINS)}

KIND_FIELDS: dict[str, dict[str, object]] = {
    "home_visit": {
        **COMMON, "form": Choice(HOME_VISIT_FORMS, True), "purpose": Text(500, True),
        "participants": Text(200), "family_situation": Text(1000), "parent_concerns": Text(1000),
        "school_suggestions": Text(1000),
    },
    "talk": {
        **COMMON, "summary": Text(2000, True), "talk_type": Choice(TALK_TYPES, True),
        "key_timepoint": Text(50), "trigger": Text(100), "student_voice": Text(1000),
        "agreed_actions": Text(1000), "escalation": Flag(),
    },
    "growth_message": {
        "text": Text(1000, True, min_len=10), "strengths_cited": Text(500), "expectation": Text(500),
        "delivered_via": Choice(DELIVERY),
    },
    "parent_contact": {
        **COMMON, "channel": Choice(CONTACT_CHANNELS, True), "guardian_relation": Text(20),
        "topic": Text(100, True), "content_summary": Text(2000, True),
    },
    "guidance": {
        **COMMON, "domains": Choices(GUIDANCE_DOMAINS, True), "summary": Text(2000, True),
        "agreed_actions": Text(1000),
    },
}  # fmt: skip

FLAG_FIELDS = {
    "signals": Choices(FLAG_SIGNALS), "immediate_risk": Flag(), "details": Text(2000),
    "referred_to": Choice(REFERRAL_TARGETS), "status": Choice(FLAG_STATUSES),
}  # fmt: skip

#: The fields of each step of a concern's handling (``POST flags/{id}/actions``; ``level`` of a triage apart).
NOTE = Text(2000)
FLAG_ACTION_FIELDS = {
    "triage": {"note": NOTE},
    "assign": {"assignee": Text(64, True), "note": NOTE},
    "follow_up": {"follow_up_method": Choice(FOLLOW_UP_METHODS, True), "note": Text(2000, True)},
    "refer": {"referred_out_to": Choice(EXTERNAL_REFERRALS, True), "guardian_informed": Flag(), "note": Text(2000, True)},
    "close": {"outcome": Choice(FLAG_OUTCOMES, True), "note": Text(2000, True)},
    "reopen": {"note": Text(2000, True)},
}  # fmt: skip

ENVELOPE = ("student_id", "kind", "date", "client_ref")


def invalid(key: str, field: str | None = None, **values) -> Invalid:
    english, chinese = msg(key, field=field, **values)
    return Invalid(english, chinese, field)


def check_text(value, field: str | None, label: str | None = None) -> str:
    """``value`` as it is stored: text, valid Unicode, in NFC, without control characters (not stripped).
    ``label`` names the field in the Chinese message when the field's usual label does not fit."""
    named = {"label": label} if label else {}
    if not isinstance(value, str):
        raise invalid("not_text", field, **named)
    if SURROGATE.search(value):
        raise invalid("bad_unicode", field, **named)
    value = unicodedata.normalize("NFC", value)
    if CONTROL.search(value):
        raise invalid("control_chars", field, **named)
    return value


def echo(value) -> str:
    """A bad name or value as a message may repeat it: short, and without what cannot be shown."""
    return SURROGATE.sub("\ufffd", CONTROL.sub("\ufffd", str(value)[:ECHO]))


def check_field_name(name) -> None:
    if not isinstance(name, str) or SURROGATE.search(name) or CONTROL.search(name):
        raise invalid("unknown_field", echo(name))
    if RANK_WORDS.search(name):
        raise invalid("rank_field", echo(name))


def check_row_id(value) -> int | None:
    """A record or flag id as the database can hold it; None for anything else (which is not found)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ROW_ID:
        return None
    return value


def parse_day(value, field: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise invalid("bad_date", field)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise invalid("bad_date", field) from None


def clean_text(value, field: str, spec: Text) -> str:
    value = check_text(value, field).strip()
    if len(value) > spec.limit:
        raise invalid("too_long", field, limit=spec.limit)
    if spec.required and not value:
        raise invalid("required", field)
    if value and len(value) < spec.min_len:
        raise invalid("too_short", field, limit=spec.min_len)
    kinds = sorted({f.kind for f in find_id_and_phone_numbers(value) if f.kind in FORBIDDEN_PII})
    if kinds:
        raise invalid("pii", field, kinds="、".join(KIND_LABELS.get(k, k) for k in kinds))
    return value


def clean_value(value, field: str, spec):
    """One field against its spec; returns the cleaned value (``None`` for an empty optional)."""
    if value is None or value == "" or value == []:
        if spec.required:
            raise invalid("required", field)
        return None
    if isinstance(spec, Text):
        return clean_text(value, field, spec)
    if isinstance(spec, Choice):
        if not isinstance(value, str) or value not in spec.choices:
            raise invalid("bad_choice", field, choices="、".join(c for c in spec.choices if c))
        return value
    if isinstance(spec, Choices):
        if not isinstance(value, list):
            raise invalid("not_list", field)
        if any(not isinstance(v, str) or v not in spec.choices for v in value):
            raise invalid("bad_choice", field, choices="、".join(spec.choices))
        return list(dict.fromkeys(value))
    if isinstance(spec, Flag):
        if not isinstance(value, bool):
            raise invalid("not_bool", field)
        return value
    if isinstance(spec, Day):
        return parse_day(value, field).isoformat()
    raise TypeError(f"unknown field spec {spec!r}")  # programming error


def clean_fields(payload: dict, specs: dict, *, partial: bool = False) -> dict:
    """Check every key of ``payload`` against ``specs``; with ``partial`` (PATCH) required is not enforced."""
    cleaned = {}
    for name in payload:
        check_field_name(name)
        if name not in specs:
            raise invalid("unknown_field", echo(name))
    for name, spec in specs.items():
        if name not in payload and (partial or not getattr(spec, "required", False)):
            continue
        value = clean_value(payload.get(name), name, spec)
        if value is not None:
            cleaned[name] = value
    return cleaned


def check_event_date(day: dt.date, term_start: dt.date, term_end: dt.date, today: dt.date, term_id="") -> None:
    if day > today:
        raise invalid("future_date", "date")
    if not term_start <= day <= term_end:
        raise invalid("outside_term", "date", term=term_id, start=term_start, end=term_end)


def check_follow_up(fields: dict, day: dt.date) -> None:
    follow = fields.get("follow_up_date")
    if follow and dt.date.fromisoformat(follow) < day:
        raise invalid("follow_up_before", "follow_up_date")


def validate_kind(kind) -> str:
    if kind is None or kind == "":
        raise invalid("required", "kind")
    if not isinstance(kind, str) or kind not in RECORD_KINDS:
        raise invalid("unknown_kind", "kind", value=echo(kind))
    return kind


def split_payload(payload) -> tuple[dict, dict]:
    """(envelope, kind-specific fields) of a POST body; refuses non-objects."""
    if not isinstance(payload, dict):
        raise invalid("not_object")
    envelope = {k: payload[k] for k in ENVELOPE if k in payload}
    rest = {k: v for k, v in payload.items() if k not in ENVELOPE}
    return envelope, rest


def validate_record_fields(kind: str, fields: dict, day: dt.date, *, partial: bool = False) -> dict:
    cleaned = clean_fields(fields, KIND_FIELDS[kind], partial=partial)
    check_follow_up(cleaned, day)
    return cleaned


def validate_student_id(value, field: str = "student_id") -> str:
    """A student, staff or term id from a request body: short text (it is looked up, never stored as is)."""
    if value is None or value == "":
        raise invalid("required", field)
    if not isinstance(value, str) or len(value) > 32:
        raise invalid("not_text", field)
    return check_text(value, field)


def validate_flag_level(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in (1, 2, 3):
        raise invalid("bad_level", "level")
    return value
