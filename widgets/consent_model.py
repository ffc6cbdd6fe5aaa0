"""What may be recorded for each student, from ``GET consents`` / ``GET consents/missing`` (no ipywidgets here).

A row per student in the service's order (class, then id): the status of each consent scope in Chinese
and, in one phrase, which records the mentor may write (a home visit needs both ``mentor_records`` and
``home_visit``). The service decides; this only says what it will decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import consent_texts as T

GIVEN = "given"


@dataclass(frozen=True)
class ConsentRow:
    student_id: str
    display_name: str
    class_id: str
    age: str
    scopes: dict[str, str]  # scope -> Chinese status
    may_record: str


def may_record(row: dict) -> str:
    if not row.get("needed"):
        return T.MAY_RECORD_ALL
    status = {scope: state["status"] for scope, state in row["scopes"].items()}
    if status.get("mentor_records") != GIVEN:
        return T.MAY_RECORD_NOTHING
    allowed = ["谈心、成长寄语、指导、家校沟通"]
    if status.get("home_visit") == GIVEN:
        allowed.append("家访")
    if status.get("referral") == GIVEN:
        allowed.append("校外转介")
    return "、".join(allowed)


def consent_rows(rows: list[dict]) -> list[ConsentRow]:
    return [ConsentRow(row["student_id"], row.get("display_name", ""), row.get("class_id", ""),
                       T.AGE[row.get("under_14")],
                       {scope: T.STATUS[state["status"]] for scope, state in row["scopes"].items()},
                       may_record(row)) for row in rows]  # fmt: skip


def missing_text(row: dict) -> str:
    if row.get("reason") == "age_unknown":
        return T.AGE_UNKNOWN_REASON
    return "、".join(f"{T.SCOPES[scope]}（{T.STATUS[row['scopes'][scope]['status']]}）" for scope in row["missing"])
