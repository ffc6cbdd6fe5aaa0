"""The shipped case library: schema, coverage, PII check; and loading errors on bad files."""

from pathlib import Path

import pytest
import yaml

from hub.cases import library, texts
from hub.cases.errors import Invalid

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "casestudies" / "cases"
SCHEMA = ROOT / "casestudies" / "cases.schema.json"


@pytest.fixture(scope="module")
def shipped():
    return library.load_library(CASES)


@pytest.fixture(scope="module")
def schema():
    return library.load_schema(SCHEMA)


def test_at_least_twelve_cases_covering_every_stage_and_domain(shipped):
    assert len(shipped) >= 12
    assert {case.stage for case in shipped} == set(texts.STAGES)
    assert {domain for case in shipped for domain in case.domains} == set(texts.DOMAINS)


def test_schema_refuses_unknown_keys(schema):
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("path", sorted(CASES.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_shipped_case_passes_the_pii_checker(path, schema):
    case = library.load_case(path, schema)
    findings = library.check_pii(case)
    assert findings == [], [(field, finding.kind, finding.text) for field, finding in findings]
    library.ensure_shareable(case)


def good_case():
    return yaml.safe_load((CASES / "b01-new-student-alone.yaml").read_text(encoding="utf-8"))


def write_case(folder: Path, data: dict, name: str | None = None) -> Path:
    path = folder / f"{name or data['id']}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_round_trip_to_dict(schema):
    data = good_case()
    case = library.parse_case(data, schema)
    assert case.to_dict() == data


@pytest.mark.parametrize(
    "change, fragment",
    [
        (lambda d: d.update(stage="大学"), "学段"),
        (lambda d: d.update(domains=["体育锻炼"]), "指导领域"),
        (lambda d: d.pop("reflection"), "反思"),
        (lambda d: d.update(color="red"), "未定义的字段：color"),
        (lambda d: d.update(questions=[]), "讨论题"),
    ],
)
def test_bad_case_is_refused_with_the_field_named(schema, change, fragment):
    data = good_case()
    change(data)
    with pytest.raises(Invalid) as raised:
        library.parse_case(data, schema, file="x.yaml")
    assert fragment in str(raised.value) and "x.yaml" in str(raised.value)


def test_library_is_all_or_nothing(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    (tmp_path / "cases.schema.json").write_text(SCHEMA.read_text(encoding="utf-8"), encoding="utf-8")
    write_case(folder, good_case())
    broken = good_case() | {"id": "b02-broken"}
    del broken["title"]
    write_case(folder, broken)
    with pytest.raises(Invalid, match="b02-broken.yaml"):
        library.load_library(folder)


def test_file_name_must_match_id(tmp_path, schema):
    path = write_case(tmp_path, good_case(), name="other-name")
    with pytest.raises(Invalid, match="文件名"):
        library.load_case(path, schema)


def test_unreadable_yaml_is_reported(tmp_path, schema):
    path = tmp_path / "bad-yaml.yaml"
    path.write_text("title: [unclosed", encoding="utf-8")
    with pytest.raises(Invalid, match="bad-yaml.yaml"):
        library.load_case(path, schema)


def test_case_with_identifiers_is_not_shareable(schema):
    data = good_case()
    data["background"] += "家长电话13812345678。"
    case = library.parse_case(data, schema)
    with pytest.raises(Invalid, match="电话号码 1 处"):
        library.ensure_shareable(case)


def test_filter_by_stage_domain_tag_and_text(shipped):
    primary = library.filter_cases(shipped, stage="小学")
    assert primary and all(case.stage == "小学" for case in primary)
    career = library.filter_cases(shipped, domain="生涯指导")
    assert {case.id for case in career} >= {"b10-subject-choice"}
    visits = library.filter_cases(shipped, tag="家访")
    assert all("家访" in case.tags for case in visits) and visits
    found = library.filter_cases(shipped, text="选科")
    assert "b10-subject-choice" in {case.id for case in found}
    assert library.filter_cases(shipped, stage="小学", domain="生涯指导", text="不存在的词语") == []
    assert len(library.filter_cases(shipped)) == len(shipped)
