"""The case library: load case files (YAML), validate them against cases.schema.json, filter them.

A case file is refused as a whole with a message naming the file and the field; nothing is half
loaded. ``check_pii`` runs the PII checker over every text field of a case.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from hub import pii
from hub.cases import texts
from hub.cases.errors import Invalid

if TYPE_CHECKING:
    import jsonschema

TEXT_FIELDS = ("title", "background", "problem", "process", "outcome", "reflection")


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    stage: str
    domains: tuple[str, ...]
    tags: tuple[str, ...]
    background: str
    problem: str
    process: str
    outcome: str
    reflection: str
    questions: tuple[str, ...]
    grade: str = ""
    scenario: int | None = None

    @classmethod
    def from_dict(cls, data: dict) -> Case:
        values = dict(data)
        for key in ("domains", "tags", "questions"):
            values[key] = tuple(values[key])
        return cls(**values)

    def to_dict(self) -> dict:
        data = asdict(self)
        for key in ("domains", "tags", "questions"):
            data[key] = list(data[key])
        return data

    def text_items(self) -> list[tuple[str, str]]:
        """(field, text) pairs of every free text, discussion questions included."""
        items = [(field, getattr(self, field)) for field in TEXT_FIELDS]
        items += [("questions", question) for question in self.questions]
        return items


def default_schema_path(cases_folder: Path) -> Path:
    """The schema lives next to the cases folder: ``casestudies/cases.schema.json``."""
    return Path(cases_folder).parent / "cases.schema.json"


def load_schema(path: Path) -> dict:
    schema = json.loads(Path(path).read_text(encoding="utf-8"))
    import jsonschema  # slow to import (format grammars): only when a library is validated

    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


def _describe(error: jsonschema.ValidationError, file: str) -> str:
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        return texts.CASE_UNKNOWN_FIELD.format(file=file, fields="、".join(extra))
    path = [str(part) for part in error.absolute_path]
    field = texts.FIELD_LABELS.get(path[0], path[0]) if path else texts.FIELD_LABELS["id"]
    if error.validator == "required":
        missing = error.message.split("'")[1]
        field = texts.FIELD_LABELS.get(missing, missing)
    return texts.CASE_FIELD_INVALID.format(file=file, field=field, reason=error.message)


def parse_case(data: object, schema: dict, file: str = "<内存>", expected_id: str | None = None) -> Case:
    """Validate one case mapping; raise ``Invalid`` naming the file and field on the first error."""
    if not isinstance(data, dict):
        raise Invalid(texts.CASE_FILE_NOT_MAPPING.format(file=file))
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(e.absolute_path), e.message))
    if errors:
        raise Invalid(_describe(errors[0], file))
    if expected_id is not None and data["id"] != expected_id:
        raise Invalid(texts.CASE_ID_MISMATCH.format(file=file, case_id=data["id"]))
    return Case.from_dict(data)


def load_case(path: Path, schema: dict) -> Case:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise Invalid(texts.CASE_FILE_UNREADABLE.format(file=path.name, reason=error)) from error
    return parse_case(data, schema, file=path.name, expected_id=path.stem)


def load_library(folder: Path, schema_path: Path | None = None) -> list[Case]:
    """Load every ``*.yaml`` case in ``folder`` (sorted by id); all or nothing."""
    folder = Path(folder)
    if not folder.is_dir():
        raise Invalid(texts.CASE_FOLDER_MISSING.format(folder=folder))
    schema = load_schema(schema_path or default_schema_path(folder))
    cases = [load_case(path, schema) for path in sorted(folder.glob("*.yaml"))]
    seen: dict[str, str] = {}
    for case in cases:
        if case.id in seen:
            raise Invalid(texts.CASE_DUPLICATE_ID.format(case_id=case.id, files=seen[case.id]))
        seen[case.id] = case.id
    return sorted(cases, key=lambda case: case.id)


def check_pii(case: Case, names: Iterable[str] = (), schools: Iterable[str] = ()) -> list[tuple[str, pii.PiiFinding]]:
    """Every (field, finding) of the PII checker over the case's texts; empty when the case may be shared."""
    names, schools = tuple(names), tuple(schools)
    return [
        (field, finding)
        for field, text in case.text_items()
        for finding in pii.find_pii(text, names=names, schools=schools)
    ]


def ensure_shareable(case: Case, names: Iterable[str] = (), schools: Iterable[str] = ()) -> None:
    """Raise ``Invalid`` when the PII check of a case finds anything."""
    findings = check_pii(case, names, schools)
    if findings:
        field = findings[0][0]
        details = pii.summarize(finding for _, finding in findings)
        raise Invalid(
            texts.CASE_HAS_PII.format(title=case.title, field=texts.FIELD_LABELS[field], details=details)
        )


def filter_cases(
    cases: Iterable[Case],
    stage: str | None = None,
    domain: str | None = None,
    tag: str | None = None,
    text: str | None = None,
) -> list[Case]:
    """Cases matching every given criterion; ``text`` is searched in titles, tags and all texts."""
    needle = (text or "").strip().lower()
    selected = []
    for case in cases:
        if stage and case.stage != stage:
            continue
        if domain and domain not in case.domains:
            continue
        if tag and tag not in case.tags:
            continue
        if needle:
            haystack = " ".join([*case.tags, *(value for _, value in case.text_items())]).lower()
            if needle not in haystack:
                continue
        selected.append(case)
    return selected


def all_tags(cases: Iterable[Case]) -> list[str]:
    return sorted({tag for case in cases for tag in case.tags})
