"""Engine rules on small hand-made instances: mentor order, 多对一, completeness fills, refusals."""

from __future__ import annotations

import pytest

from hub.matching import InfeasibleError, InputError, Instance
from hub.matching.engine import match
from hub.matching.model import MentorRecord as M
from hub.matching.model import StudentRecord as S
from hub.matching.report import build_report, choice_histogram, choice_label
from hub.matching.verify import verify


def run(students, mentors):
    instance = Instance.from_records(students, mentors)
    assignment = match(instance)
    check = verify(instance, assignment)
    assert check.ok, check
    primary = {instance.student_ids[s]: instance.mentor_ids[m] for s, m in enumerate(assignment.primary)}
    extra = {
        instance.student_ids[s]: [instance.mentor_ids[m] for m in a]
        for s, a in enumerate(assignment.additional)
        if a
    }
    return instance, assignment, primary, extra


def test_full_mentor_keeps_the_student_it_lists():
    students = [S("s1", "c1", prefs=("A", "B")), S("s2", "c1", prefs=("A", "B"))]
    mentors = [M("A", capacity=1, prefs=("s2",)), M("B", capacity=1)]
    _, _, primary, _ = run(students, mentors)
    assert primary == {"s1": "B", "s2": "A"}


def test_unlisted_students_of_own_class_come_before_others():
    students = [S("S9", "c2", prefs=("A", "B")), S("S5", "c1", prefs=("A", "B"))]
    mentors = [M("A", capacity=1, classes=("c1",)), M("B", capacity=1)]
    _, _, primary, _ = run(students, mentors)
    assert primary == {"S5": "A", "S9": "B"}


def test_remaining_ties_follow_plain_string_order_of_student_id():
    # "S10" < "S9" as strings, although 10 > 9 as numbers.
    students = [S("S9", "c1", prefs=("A", "B")), S("S10", "c1", prefs=("A", "B"))]
    mentors = [M("A", capacity=1), M("B", capacity=1)]
    _, _, primary, _ = run(students, mentors)
    assert primary == {"S10": "A", "S9": "B"}


def test_listed_students_come_before_class_students():
    students = [S("S5", "c1", prefs=("A", "B")), S("S9", "c2", prefs=("A", "B"))]
    mentors = [M("A", capacity=1, classes=("c1",), prefs=("S9",)), M("B", capacity=1)]
    _, _, primary, _ = run(students, mentors)
    assert primary == {"S9": "A", "S5": "B"}


def test_special_needs_get_distinct_mentors_with_a_priority_role_first():
    students = [
        S("x", "c1", needs_mentors=3, prefs=("T1",)),
        S("y", "c1", prefs=("H", "T1")),
    ]
    mentors = [
        M("T1", roles=frozenset({"subject"}), capacity=2, classes=("c1",)),
        M("H", roles=frozenset({"head_teacher"}), capacity=1, classes=("c1",)),
        M("P", roles=frozenset({"psychology"}), capacity=1),
        M("T2", roles=frozenset({"subject"}), capacity=1),
    ]
    instance, assignment, primary, extra = run(students, mentors)
    # The head teacher of x's class is taken first, then the other priority-role mentor.
    assert extra == {"x": ["H", "P"]}
    assert primary["x"] == "T1"
    # H's only place went to x as an additional mentor, so y cannot have H as primary.
    assert primary["y"] == "T1"
    assert assignment.loads(instance.n_mentors)[instance.mentor_index["H"]] == 1


def test_special_needs_student_never_gets_the_same_mentor_twice():
    students = [S("x", "c1", needs_mentors=2, prefs=("H", "T"))]
    mentors = [M("H", roles=frozenset({"head_teacher"}), classes=("c1",)), M("T")]
    _, _, primary, extra = run(students, mentors)
    assert extra == {"x": ["H"]}
    assert primary == {"x": "T"}


def test_rejected_student_is_filled_by_a_teacher_of_the_class_first():
    students = [
        S("a", "c1", prefs=("A",)),
        S("b", "c2", prefs=("A",)),
    ]
    mentors = [
        M("A", capacity=1, prefs=("a",)),
        M("Z", capacity=5),  # least loaded overall
        M("K", capacity=5, classes=("c2",)),  # teaches b's class
    ]
    instance, assignment, primary, _ = run(students, mentors)
    assert primary == {"a": "A", "b": "K"}
    b = instance.student_index["b"]
    assert assignment.filled[b] and not assignment.filled[instance.student_index["a"]]
    assert choice_histogram(instance, assignment) == {"1": 1, "unlisted": 1}


def test_fill_without_class_teacher_room_goes_to_the_least_loaded_mentor():
    students = [S("a", "c1", prefs=("B",)), S("b", "c1", prefs=("B",)), S("c", "c9")]
    mentors = [M("A", capacity=3), M("B", capacity=3), M("C", capacity=3)]
    _, _, primary, _ = run(students, mentors)
    assert primary["c"] == "A"  # A and C both empty; A first by mentor_id


def test_report_counts():
    students = [S("a", "c1", prefs=("A", "B")), S("b", "c1", prefs=("A",)), S("c", "c1", needs_mentors=2)]
    mentors = [M("A", capacity=1, prefs=("b",)), M("B", roles=frozenset({"leader"}), capacity=4), M("C", capacity=1)]
    instance, assignment, _, _ = run(students, mentors)
    report = build_report(instance, assignment, blocking_pairs=0, seconds=0.01)
    assert report["students"] == 3 and report["mentors"] == 3
    assert report["primary_rank_histogram"] == {"1": 1, "2": 1, "unlisted": 1}
    assert report["filled_outside_prefs"] == 1
    assert report["special_needs_students"] == 1 and report["additional_assignments"] == 1
    assert report["max_load"] == 2  # B: additional for c + primary for a


def test_choice_labels_are_chinese():
    assert [choice_label(1), choice_label(2), choice_label(None)] == ["第1志愿", "第2志愿", "志愿外"]


def test_shortfall_is_refused_with_the_numbers():
    students = [S(f"s{i}", "c1") for i in range(16)]
    with pytest.raises(InfeasibleError) as caught:
        Instance.from_records(students, [M("A")], "students.csv", "mentors.csv")
    text = str(caught.value)
    assert "mentors.csv" in text and "16" in text and "15" in text and "缺 1 个" in text


def test_special_needs_without_priority_roles_is_refused():
    students = [S("x", "c1", needs_mentors=2)]
    with pytest.raises(InfeasibleError, match="班主任"):
        Instance.from_records(students, [M("A"), M("B")])


def test_needs_more_mentors_than_exist_names_the_row():
    students = [S("x", "c1", needs_mentors=3, row=2)]
    with pytest.raises(InputError) as caught:
        Instance.from_records(students, [M("A", roles=frozenset({"leader"})), M("B")], "s.csv", "m.csv")
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column) == ("s.csv", 2, "needs_mentors")


def test_every_problem_is_listed_with_file_row_and_column():
    students = [
        S("a", "c1", prefs=("NOPE",), row=2),
        S("a", "c1", row=3),
        S("b", "c1", needs_mentors=0, row=4),
        S("c", "c1", prefs=("A", "A"), row=5),
    ]
    mentors = [M("A", capacity=16, row=2), M("B", roles=frozenset({"janitor"}), prefs=("zz",), row=3)]
    with pytest.raises(InputError) as caught:
        Instance.from_records(students, mentors, "s.csv", "m.csv")
    found = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert found == {
        ("s.csv", 2, "prefs"),
        ("s.csv", 3, "student_id"),
        ("s.csv", 4, "needs_mentors"),
        ("s.csv", 5, "prefs"),
        ("m.csv", 2, "capacity"),
        ("m.csv", 3, "roles"),
        ("m.csv", 3, "prefs"),
    }
    text = str(caught.value)
    assert "NOPE" in text and "第 3 行" in text and "“capacity”列" in text


def test_empty_tables_are_refused():
    with pytest.raises(InputError) as caught:
        Instance.from_records([], [], "s.csv", "m.csv")
    assert {p.file for p in caught.value.problems} == {"s.csv", "m.csv"}


def test_verifier_reports_broken_rules():
    students = [S("x", "c1", needs_mentors=2), S("y", "c1", prefs=("A",))]
    mentors = [M("A", capacity=1), M("B", capacity=1), M("L", roles=frozenset({"leader"}))]
    instance = Instance.from_records(students, mentors)
    good = match(instance)
    assert verify(instance, good).ok
    broken = good.copy()
    x, y = instance.student_index["x"], instance.student_index["y"]
    a, b = instance.mentor_index["A"], instance.mentor_index["B"]
    broken.primary[x], broken.additional[x] = a, (b,)  # A now over capacity, x has no priority role
    check = verify(instance, broken)
    assert not check.ok
    assert any("“A”将带 2 名学生" in v for v in check.violations)
    assert any("“x”需要多位导师" in v for v in check.violations)
    broken = good.copy()
    broken.additional[x] = (broken.primary[x],)
    assert any("重复" in v for v in verify(instance, broken).violations)
    broken = good.copy()
    broken.primary[y] = instance.mentor_index["L"]  # y wants A, A has room: a blocking pair
    check = verify(instance, broken)
    assert check.blocking_pairs == 1 and check.examples == [("y", "A")]
