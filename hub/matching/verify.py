"""An independent check of a finished assignment.

It does not reuse the engine's code paths: mentor orders are recomputed with numpy from the raw
instance arrays, and every (student, listed mentor) pair is tested for blocking at once.

A pair (s, m) blocks when s lists m, m is not already one of s's additional mentors, s prefers m to
its primary mentor (any listed mentor beats an unlisted one), and m either has primary room left on
its residual capacity (capacity minus additional load) or prefers s to its worst primary mentee.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from hub.matching import messages as msg
from hub.matching.model import MAX_CAPACITY, PRIORITY_ROLES, Assignment, Instance


@dataclass
class Verification:
    blocking_pairs: int
    examples: list[tuple[str, str]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.blocking_pairs == 0 and not self.violations


def verify(instance: Instance, assignment: Assignment, max_examples: int = 5) -> Verification:
    violations = rule_violations(instance, assignment)
    if violations:
        # Blocking pairs are only meaningful on an assignment that keeps the rules.
        return Verification(blocking_pairs=-1, violations=violations)
    count, examples = blocking_pairs(instance, assignment, max_examples)
    return Verification(blocking_pairs=count, examples=examples)


def rule_violations(
    instance: Instance,
    assignment: Assignment,
    students: Iterable[int] | None = None,
    mentors: Iterable[int] | None = None,
) -> list[str]:
    """Chinese messages for every rule broken (for the given students/mentors, default all)."""
    sids, mids = instance.student_ids, instance.mentor_ids
    n_mentors = instance.n_mentors
    problems = []
    for s in range(instance.n_students) if students is None else students:
        team = assignment.mentors_of(s)
        if not 0 <= team[0] < n_mentors:
            problems.append(msg.RULE_NO_PRIMARY.format(student=sids[s]))
            continue
        if len(team) != instance.needs[s]:
            problems.append(msg.RULE_COUNT.format(student=sids[s], needs=instance.needs[s], count=len(team)))
        if len(set(team)) != len(team):
            repeated = next(m for m in team if team.count(m) > 1)
            problems.append(msg.RULE_REPEAT.format(student=sids[s], mentor=mids[repeated]))
        if instance.needs[s] >= 2 and not any(instance.mentor_roles[m] & PRIORITY_ROLES for m in team):
            problems.append(msg.RULE_PRIORITY.format(student=sids[s]))
    load = assignment.loads(n_mentors)
    for m in range(n_mentors) if mentors is None else mentors:
        cap = min(instance.capacity[m], MAX_CAPACITY)
        if load[m] > cap:
            problems.append(msg.RULE_OVERLOAD.format(mentor=mids[m], load=load[m], capacity=cap))
    return problems


def blocking_pairs(
    instance: Instance, assignment: Assignment, max_examples: int = 5
) -> tuple[int, list[tuple[str, str]]]:
    n, n_mentors = instance.n_students, instance.n_mentors
    primary = np.asarray(assignment.primary, dtype=np.int64)

    lengths = np.fromiter((len(p) for p in instance.student_prefs), dtype=np.int64, count=n)
    pair_student = np.repeat(np.arange(n, dtype=np.int64), lengths)
    pair_mentor = np.fromiter(
        (m for p in instance.student_prefs for m in p), dtype=np.int64, count=int(lengths.sum())
    )
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    pair_pos = np.arange(pair_mentor.size, dtype=np.int64) - np.repeat(starts, lengths)

    # Position of each student's primary in its own list; unlisted counts as after the whole list.
    primary_pos = lengths.copy()
    is_primary = pair_mentor == primary[pair_student]
    primary_pos[pair_student[is_primary]] = pair_pos[is_primary]

    extra_student = np.repeat(
        np.arange(n, dtype=np.int64),
        np.fromiter((len(a) for a in assignment.additional), dtype=np.int64, count=n),
    )
    extra_mentor = np.fromiter((m for a in assignment.additional for m in a), dtype=np.int64)
    extra_codes = np.sort(extra_mentor * n + extra_student)

    wanted = pair_pos < primary_pos[pair_student]
    cand_s, cand_m = pair_student[wanted], pair_mentor[wanted]
    if extra_codes.size:
        cand_code = cand_m * n + cand_s
        cand_keep = ~_contains(extra_codes, cand_code)
        cand_s, cand_m = cand_s[cand_keep], cand_m[cand_keep]

    order_key = _MentorOrder(instance)
    residual = np.asarray(instance.capacity, dtype=np.int64) - np.bincount(extra_mentor, minlength=n_mentors)
    primary_load = np.bincount(primary, minlength=n_mentors)
    worst = np.full(n_mentors, -1, dtype=np.int64)
    np.maximum.at(worst, primary, order_key(primary, np.arange(n, dtype=np.int64)))

    blocking = (primary_load[cand_m] < residual[cand_m]) | (order_key(cand_m, cand_s) < worst[cand_m])
    hits = np.flatnonzero(blocking)
    examples = [
        (instance.student_ids[int(cand_s[i])], instance.mentor_ids[int(cand_m[i])]) for i in hits[:max_examples]
    ]
    return int(hits.size), examples


class _MentorOrder:
    """Vectorised mentor order: listed position, else class students, else all others, by id."""

    def __init__(self, instance: Instance):
        n = instance.n_students
        self.n = n
        ids = np.array(instance.student_ids, dtype=str)
        self.tiebreak = np.empty(n, dtype=np.int64)
        self.tiebreak[np.argsort(ids, kind="stable")] = np.arange(n, dtype=np.int64)
        pref_m = np.repeat(
            np.arange(instance.n_mentors, dtype=np.int64),
            [len(p) for p in instance.mentor_prefs],
        )
        pref_s = np.fromiter((s for p in instance.mentor_prefs for s in p), dtype=np.int64)
        pref_pos = np.concatenate([np.arange(len(p), dtype=np.int64) for p in instance.mentor_prefs] or [[]])
        codes = pref_m * n + pref_s
        order = np.argsort(codes)
        self.pref_codes, self.pref_pos = codes[order], pref_pos[order].astype(np.int64)
        n_classes = max(len(instance.class_ids), 1)
        self.n_classes = n_classes
        class_m = np.repeat(
            np.arange(instance.n_mentors, dtype=np.int64), [len(c) for c in instance.mentor_classes]
        )
        class_c = np.fromiter((c for cs in instance.mentor_classes for c in cs), dtype=np.int64)
        self.class_codes = np.sort(class_m * n_classes + class_c)
        self.student_class = np.asarray(instance.student_class, dtype=np.int64)

    def __call__(self, mentors: np.ndarray, students: np.ndarray) -> np.ndarray:
        n = self.n
        teaches = _contains(self.class_codes, mentors * self.n_classes + self.student_class[students])
        key = self.tiebreak[students] + np.where(teaches, n, 2 * n)
        codes = mentors * n + students
        if self.pref_codes.size:
            at = np.searchsorted(self.pref_codes, codes)
            at_clipped = np.minimum(at, self.pref_codes.size - 1)
            listed = self.pref_codes[at_clipped] == codes
            key = np.where(listed, self.pref_pos[at_clipped], key)
        return key


def _contains(sorted_codes: np.ndarray, codes: np.ndarray) -> np.ndarray:
    if sorted_codes.size == 0:
        return np.zeros(codes.shape, dtype=bool)
    at = np.minimum(np.searchsorted(sorted_codes, codes), sorted_codes.size - 1)
    return sorted_codes[at] == codes
