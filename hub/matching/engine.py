"""The matching engine: additional mentors first, then student-proposing deferred acceptance for the
primary mentor on the residual capacity, then completeness fills.

Data layout for district scale: students and mentors are integers; each mentor holds its tentative
primaries in a heap keyed by its own order (worst on top), so a proposal costs O(log capacity) and
creates no Python objects beyond one tuple.
"""

from __future__ import annotations

import logging
from heapq import heappush, heapreplace

from hub.matching.model import Assignment, Instance
from hub.matching.placement import fill_unmatched, place_additional

log = logging.getLogger("mentorhub.matching")


def match(instance: Instance) -> Assignment:
    """Match every student; deterministic for a given instance. Raises InfeasibleError."""
    additional = place_additional(instance)
    residual = list(instance.capacity)
    for extra in additional:
        for m in extra:
            residual[m] -= 1
    primary = deferred_acceptance(instance, residual, additional)
    filled = fill_unmatched(instance, primary, residual, additional)
    log.debug(
        "matched %d students to %d mentors (%d filled outside choices)",
        instance.n_students,
        instance.n_mentors,
        sum(filled),
    )
    return Assignment(primary, additional, filled)


def deferred_acceptance(
    instance: Instance, residual: list[int], additional: list[tuple[int, ...]]
) -> list[int]:
    """Student-proposing deferred acceptance; returns the primary mentor per student (-1 = none).

    A student proposes down their own list, skipping mentors already serving them as additional
    mentors; a mentor holds at most ``residual[m]`` students and, when full, keeps the ones it
    prefers (``Instance.mentor_key``). The result is the student-optimal stable matching.
    """
    n = instance.n_students
    prefs = instance.student_prefs
    pref_pos = instance.mentor_pref_pos
    classes = instance.mentor_classes
    student_class = instance.student_class
    tiebreak = instance.student_tiebreak
    held: list[list[tuple[int, int]]] = [[] for _ in range(instance.n_mentors)]
    primary = [-1] * n
    next_choice = [0] * n
    free = list(range(n - 1, -1, -1))
    while free:
        s = free.pop()
        own = prefs[s]
        skip = additional[s]
        i = next_choice[s]
        while i < len(own):
            m = own[i]
            i += 1
            cap = residual[m]
            if cap == 0 or (skip and m in skip):
                continue
            key = pref_pos[m].get(s)
            if key is None:
                key = tiebreak[s] + (n if student_class[s] in classes[m] else 2 * n)
            heap = held[m]
            if len(heap) < cap:
                heappush(heap, (-key, s))
                primary[s] = m
                break
            worst_key, worst = heap[0]
            if -worst_key > key:
                heapreplace(heap, (-key, s))
                primary[s] = m
                primary[worst] = -1
                free.append(worst)
                break
        next_choice[s] = i
    return primary
