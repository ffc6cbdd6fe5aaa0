"""Placement steps around deferred acceptance: additional mentors (多对一) and completeness fills.

Both steps are greedy and deterministic: students are taken in a fixed order, candidate mentors
are compared by explicit keys ending in the mentor_id string order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from heapq import heapify, heappop, heappush, heapreplace

from hub.matching import messages as msg
from hub.matching.errors import InfeasibleError, Problem
from hub.matching.model import Instance


class LeastLoaded:
    """Mentors by (load, mentor_id order), with lazy updates: loads only grow, room only shrinks."""

    def __init__(self, mentors: Iterable[int], load: list[int], tiebreak: list[int]):
        self.heap = [(load[m], tiebreak[m], m) for m in mentors]
        heapify(self.heap)

    def pick(self, load: list[int], has_room: Callable[[int], bool], excluded: Iterable[int] = ()) -> int:
        """The least-loaded mentor with room that is not excluded, or -1. Does not change loads."""
        heap = self.heap
        aside = []
        found = -1
        while heap:
            entry_load, order, m = heap[0]
            if not has_room(m):
                heappop(heap)
            elif entry_load != load[m]:
                heapreplace(heap, (load[m], order, m))
            elif m in excluded:
                aside.append(heappop(heap))
            else:
                found = m
                break
        for entry in aside:
            heappush(heap, entry)
        return found


def mentors_by_class(instance: Instance) -> list[list[int]]:
    by_class: list[list[int]] = [[] for _ in instance.class_ids]
    for m, classes in enumerate(instance.mentor_classes):
        for c in classes:
            by_class[c].append(m)
    return by_class


def place_additional(instance: Instance) -> list[tuple[int, ...]]:
    """Choose k-1 additional mentors for every student with needs_mentors = k >= 2.

    The first additional mentor always holds a priority role; later ones prefer priority roles.
    Among candidates: mentors who teach the student's class, then mentors who listed the student,
    then the least loaded; ties by mentor_id. Students with more needs go first, then by student_id.
    """
    n, n_mentors = instance.n_students, instance.n_mentors
    additional: list[tuple[int, ...]] = [()] * n
    special = [s for s in range(n) if instance.needs[s] >= 2]
    if not special:
        return additional
    special.sort(key=lambda s: (-instance.needs[s], instance.student_tiebreak[s]))
    by_class = mentors_by_class(instance)
    listed_by: dict[int, list[int]] = {}
    for m, prefs in enumerate(instance.mentor_prefs):
        for s in prefs:
            listed_by.setdefault(s, []).append(m)

    load = [0] * n_mentors
    capacity = instance.capacity
    priority = instance.priority
    tiebreak = instance.mentor_tiebreak

    def has_room(m: int) -> bool:
        return load[m] < capacity[m]

    priority_pool = LeastLoaded((m for m in range(n_mentors) if priority[m]), load, tiebreak)
    any_pool = LeastLoaded(range(n_mentors), load, tiebreak)
    for s in special:
        teaches = set(by_class[instance.student_class[s]])
        # (group, mentor): group 0 teaches the student's class, 1 listed the student.
        local = [(0, m) for m in teaches]
        local += [(1, m) for m in listed_by.get(s, ()) if m not in teaches]
        chosen: list[int] = []
        for slot in range(instance.needs[s] - 1):
            m = _best_local(local, chosen, load, has_room, priority, tiebreak, need_priority=True)
            if m < 0:
                m = priority_pool.pick(load, has_room, chosen)
            if m < 0 and slot > 0:
                m = _best_local(local, chosen, load, has_room, priority, tiebreak, need_priority=False)
                if m < 0:
                    m = any_pool.pick(load, has_room, chosen)
            if m < 0:
                text = msg.NO_ROOM_ADDITIONAL.format(student=instance.student_ids[s], slot=slot + 2)
                raise InfeasibleError([Problem(instance.mentors_source, None, "capacity", text)])
            chosen.append(m)
            load[m] += 1
        additional[s] = tuple(chosen)
    return additional


def _best_local(local, chosen, load, has_room, priority, tiebreak, need_priority: bool) -> int:
    """The best (group, load, mentor_id order) candidate with room that is not chosen yet, or -1."""
    best, best_key = -1, None
    for group, m in local:
        if m in chosen or not has_room(m) or (need_priority and not priority[m]):
            continue
        key = (group, load[m], tiebreak[m])
        if best_key is None or key < best_key:
            best, best_key = m, key
    return best


def fill_unmatched(
    instance: Instance, primary: list[int], residual: list[int], additional: list[tuple[int, ...]]
) -> list[bool]:
    """Give every student still without a primary mentor one from the spare capacity.

    Prefer teachers of the student's class, then the least-loaded mentor (total load); never one of
    the student's additional mentors. Students are taken in student_id order. Returns the fill flags.
    """
    n = instance.n_students
    filled = [False] * n
    waiting = [s for s in range(n) if primary[s] < 0]
    if not waiting:
        return filled
    waiting.sort(key=instance.student_tiebreak.__getitem__)
    primary_load = [0] * instance.n_mentors
    for m in primary:
        if m >= 0:
            primary_load[m] += 1
    total_load = [c - r + p for c, r, p in zip(instance.capacity, residual, primary_load, strict=True)]
    tiebreak = instance.mentor_tiebreak
    by_class = mentors_by_class(instance)

    def has_room(m: int) -> bool:
        return primary_load[m] < residual[m]

    pool = LeastLoaded(range(instance.n_mentors), total_load, tiebreak)
    for s in waiting:
        skip = additional[s]
        best, best_key = -1, None
        for m in by_class[instance.student_class[s]]:
            if has_room(m) and m not in skip:
                key = (total_load[m], tiebreak[m])
                if best_key is None or key < best_key:
                    best, best_key = m, key
        if best < 0:
            best = pool.pick(total_load, has_room, skip)
        if best < 0:
            text = msg.NO_ROOM_PRIMARY.format(student=instance.student_ids[s])
            raise InfeasibleError([Problem(instance.mentors_source, None, "capacity", text)])
        primary[s] = best
        primary_load[best] += 1
        total_load[best] += 1
        filled[s] = True
    return filled
