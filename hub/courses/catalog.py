"""Course metadata: load ``courses/<course_id>/course.yaml`` and validate it against the JSON Schema.

Every course folder holds ``course.yaml`` and ``source/<assignment_id>/*.ipynb`` (nbgrader's layout).
The schema (``courses/course.schema.json``) refuses unknown keys; this module adds the checks a schema
cannot express (folder name = course id, unique assignment ids, source notebooks present).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import jsonschema
import yaml

from . import texts
from .errors import Invalid, NotFound

SCHEMA_FILENAME = "course.schema.json"
METADATA_FILENAME = "course.yaml"


@dataclass(frozen=True)
class Assignment:
    assignment_id: str
    title: str
    tier: str
    credit_hours: float
    pass_ratio: float
    due: datetime | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.assignment_id,
            "title": self.title,
            "tier": self.tier,
            "credit_hours": self.credit_hours,
            "pass_ratio": self.pass_ratio,
            "due": self.due.isoformat() if self.due else None,
        }


@dataclass(frozen=True)
class Course:
    course_id: str
    title: str
    category: str
    tier: str
    stages: tuple[str, ...]
    credit_type: str
    assignments: tuple[Assignment, ...]
    source_dir: Path
    description: str = ""
    trainers: tuple[str, ...] = field(default_factory=tuple)

    def assignment(self, assignment_id: str) -> Assignment:
        for assignment in self.assignments:
            if assignment.assignment_id == assignment_id:
                return assignment
        known = "、".join(a.assignment_id for a in self.assignments)
        raise NotFound(texts.ASSIGNMENT_NOT_FOUND.format(
            course_id=self.course_id, assignment_id=assignment_id, known=known))

    @property
    def tiers(self) -> set[str]:
        return {a.tier for a in self.assignments}

    def to_dict(self) -> dict:
        return {
            "course_id": self.course_id,
            "title": self.title,
            "category": self.category,
            "tier": self.tier,
            "stages": list(self.stages),
            "credit_type": self.credit_type,
            "description": self.description,
            "trainers": list(self.trainers),
            "assignments": [a.to_dict() for a in self.assignments],
        }


def load_schema(courses_dir: Path) -> dict:
    return json.loads((Path(courses_dir) / SCHEMA_FILENAME).read_text(encoding="utf-8"))


def _field_path(error: jsonschema.ValidationError) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path]
    return "".join(parts).lstrip(".") or texts.ROOT_FIELD


def validate_metadata(data: object, schema: dict, path: Path) -> None:
    """Raise ``Invalid`` naming the first offending field (deepest, most specific error)."""
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: (-len(e.absolute_path), str(e.absolute_path)))
    if errors:
        error = errors[0]
        raise Invalid(texts.COURSE_FIELD_INVALID.format(path=path, field=_field_path(error), error=error.message))


def course_from_metadata(data: dict, source_dir: Path) -> Course:
    """Build a ``Course`` from already validated metadata (pure; does not touch the disk)."""
    assignments = []
    seen = set()
    for item in data["assignments"]:
        if item["id"] in seen:
            raise Invalid(texts.COURSE_DUPLICATE_ASSIGNMENT.format(
                course_id=data["course_id"], assignment_id=item["id"]))
        seen.add(item["id"])
        assignments.append(Assignment(
            assignment_id=item["id"],
            title=item["title"],
            tier=item.get("tier", data["tier"]),
            credit_hours=float(item["credit_hours"]),
            pass_ratio=float(item["pass_ratio"]),
            due=datetime.fromisoformat(item["due"].replace("Z", "+00:00")) if item.get("due") else None,
        ))
    return Course(
        course_id=data["course_id"],
        title=data["title"],
        category=data["category"],
        tier=data["tier"],
        stages=tuple(data["stages"]),
        credit_type=data["credit_type"],
        description=data.get("description", ""),
        trainers=tuple(data.get("trainers", ())),
        assignments=tuple(assignments),
        source_dir=source_dir,
    )


def load_course(course_dir: Path, schema: dict) -> Course:
    course_dir = Path(course_dir)
    path = course_dir / METADATA_FILENAME
    if not path.is_file():
        raise NotFound(texts.COURSE_FILE_MISSING.format(path=path))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise Invalid(texts.COURSE_FILE_UNREADABLE.format(path=path, error=exc)) from exc
    validate_metadata(data, schema, path)
    if data["course_id"] != course_dir.name:
        raise Invalid(texts.COURSE_ID_MISMATCH.format(path=path, course_id=data["course_id"], folder=course_dir.name))
    course = course_from_metadata(data, course_dir / "source")
    for assignment in course.assignments:
        folder = course.source_dir / assignment.assignment_id
        if not any(folder.glob("*.ipynb")):
            raise Invalid(texts.COURSE_SOURCE_MISSING.format(
                course_id=course.course_id, assignment_id=assignment.assignment_id, path=folder))
    return course


def load_catalog(courses_dir: Path) -> dict[str, Course]:
    """All courses under ``courses_dir`` (each sub-folder with a course.yaml), keyed by course id."""
    courses_dir = Path(courses_dir)
    schema = load_schema(courses_dir)
    catalog = {}
    for child in sorted(courses_dir.iterdir()):
        if child.is_dir() and (child / METADATA_FILENAME).exists():
            course = load_course(child, schema)
            catalog[course.course_id] = course
    return catalog


def find_course(catalog: dict[str, Course], course_id: str) -> Course:
    try:
        return catalog[course_id]
    except KeyError:
        raise NotFound(texts.COURSE_NOT_FOUND.format(course_id=course_id, known="、".join(catalog))) from None
