"""Turn a mentor's own record into a draft case with identifying details replaced.

The draft is a case mapping in the library's shape (see ``casestudies/cases.schema.json``) for the
mentor to edit: the student's name becomes the pseudonym 小A, every other identifier found by the
PII checker becomes a placeholder such as 【电话】, and the sections the record cannot fill carry
a prompt. ``replacements`` lists what was replaced, so the mentor can check it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from hub import pii
from hub.cases import texts

PSEUDONYM = "小A"
#: Record fields read, in order, for each case section.
SECTION_SOURCES = {
    "background": ("background", "family_situation", "trigger"),
    "problem": ("summary", "observed", "parent_concerns", "student_voice"),
    "process": ("agreed_actions", "school_suggestions", "next_step", "follow_up"),
}
RECORD_KIND_TOPICS = {"talk": "谈心谈话", "home_visit": "家访", "parent_communication": "家校沟通"}


@dataclass
class Draft:
    case: dict
    replacements: list[pii.PiiFinding] = field(default_factory=list)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9-]", "", text.lower()) or "record"


def _pseudonymise(text: str, student_name: str) -> str:
    if not student_name:
        return text
    text = text.replace(student_name, PSEUDONYM)
    given = student_name[2:] if student_name[:2] in pii._COMPOUND_SURNAMES else student_name[1:]
    return text.replace(given, PSEUDONYM) if len(given) >= 2 else text


def draft_from_record(
    record: Mapping,
    roster_names: Iterable[str] = (),
    schools: Iterable[str] = (),
) -> Draft:
    """Build a de-identified draft case from one record mapping (talk, home visit...)."""
    student_name = str(record.get("student_name") or "").strip()
    names = tuple(name for name in roster_names if name != student_name)
    school_names = tuple(schools) + ((str(record["school"]),) if record.get("school") else ())
    replacements: list[pii.PiiFinding] = []
    case: dict = {}
    for section, keys in SECTION_SOURCES.items():
        parts = [str(record[key]).strip() for key in keys if str(record.get(key) or "").strip()]
        text = _pseudonymise("\n".join(parts), student_name)
        findings = pii.find_pii(text, names=names, schools=school_names)
        replacements += findings
        case[section] = pii.redact(text, findings) if text else texts.DRAFT_PLACEHOLDER
    topic = RECORD_KIND_TOPICS.get(str(record.get("kind", "")), "育人案例")
    domains = [d for d in record.get("domains", ()) if d in texts.DOMAINS] or [texts.DOMAINS[0]]
    case = {
        "id": f"draft-{_slug(str(record.get('id', 'record')))}",
        "title": texts.DRAFT_TITLE.format(topic=topic),
        "stage": record.get("stage") if record.get("stage") in texts.STAGES else texts.STAGES[1],
        "domains": domains,
        "tags": [topic],
        **case,
        "outcome": texts.DRAFT_PLACEHOLDER,
        "reflection": texts.DRAFT_PLACEHOLDER,
        "questions": [texts.DRAFT_PLACEHOLDER],
    }
    return Draft(case=case, replacements=replacements)
