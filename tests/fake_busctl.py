"""A stand-in for ``busctl call`` to systemd's manager, for the machines without systemd as PID 1 (this one,
CI): what matters of ``StartTransientUnit`` and ``SetUnitProperties`` for slices and scopes, with systemd's
rules and messages, and the arguments parsed strictly by their D-Bus signature as busctl(1) reads them, so
that a call the real busctl would reject is rejected here too. State (units, their properties, the pids of
each scope) is a JSON file named by ``FAKE_SYSTEMD_STATE``; each call is appended to its ``calls``.

systemd's behaviour as documented in org.freedesktop.systemd1(5), systemd.scope(5) and systemd.slice(5):
a unit name may be started once (``UnitExists``: "Unit … was already loaded or has a fragment file."); a
scope needs ``PIDs`` and fails as a whole if one of them does not exist; a process is in one unit at a time
(moving it empties its old scope, which is then collected); a slice's parent is named by its dashes.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

MANAGER = ["org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager"]


class BusError(Exception):
    pass


def split_signature(signature: str) -> list[str]:
    """Complete types of a signature: "ssa(sv)a(sa(sv))" -> ["s", "s", "a(sv)", "a(sa(sv))"]."""
    types, i = [], 0
    while i < len(signature):
        j = end_of_type(signature, i)
        types.append(signature[i:j])
        i = j
    return types


def end_of_type(signature: str, i: int) -> int:
    if signature[i] == "a":
        return end_of_type(signature, i + 1)
    if signature[i] == "(":
        depth = 0
        for j in range(i, len(signature)):
            depth += {"(": 1, ")": -1}.get(signature[j], 0)
            if depth == 0:
                return j + 1
        raise BusError(f"unbalanced signature {signature!r}")
    if signature[i] not in "sbtuiox v":
        raise BusError(f"unsupported type {signature[i]!r}")
    return i + 1


def read(kind: str, args: list[str]):
    """Consume the arguments of one value of ``kind`` from ``args`` (busctl's order)."""
    if not args:
        raise BusError("Too few parameters for signature.")
    if kind.startswith("a"):
        count = int(args.pop(0))
        return [read(kind[1:], args) for _ in range(count)]
    if kind.startswith("("):
        return tuple(read(part, args) for part in split_signature(kind[1:-1]))
    if kind == "v":
        inner = args.pop(0)
        return (inner, read(inner, args))
    value = args.pop(0)
    if kind in "tuix":
        number = int(value)
        if kind in "tu" and number < 0:
            raise BusError(f"Failed to parse as unsigned: {value}")
        return number
    if kind == "b":
        if value not in ("true", "false", "yes", "no", "1", "0"):
            raise BusError(f"Failed to parse as boolean: {value}")
        return value in ("true", "yes", "1")
    return value


def parse(signature: str, args: list[str]) -> list:
    args = list(args)
    values = [read(kind, args) for kind in split_signature(signature)]
    if args:
        raise BusError("Too many parameters for signature.")
    return values


def parent_slice(name: str) -> str:
    stem = name[: -len(".slice")]
    return stem.rsplit("-", 1)[0] + ".slice" if "-" in stem else "-.slice"


def exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def start_transient_unit(state: dict, name: str, mode: str, props: list, aux: list) -> str:
    if mode not in ("fail", "replace"):
        raise BusError(f"Invalid job mode {mode}")
    if aux:
        raise BusError("auxiliary units are not expected here")
    if name in state["units"]:
        raise BusError(f"Unit {name} was already loaded or has a fragment file.")
    values = {key: value for key, (_, value) in props}
    if name.endswith(".scope"):
        pids = values.get("PIDs", [])
        if not pids:
            raise BusError("Scope has no PIDs. Refusing.")
        for pid in pids:
            if not exists(pid):
                raise BusError(f"Failed to add PIDs to scope's control group: No such process ({pid})")
        slice_name = values.get("Slice", "system.slice")
        if slice_name not in state["units"]:
            state["units"][slice_name] = {"implicit": True}
        for unit in state["units"].values():  # a process is in one unit at a time
            if "PIDs" in unit:
                unit["PIDs"] = [pid for pid in unit["PIDs"] if pid not in pids]
        state["units"] = {key: unit for key, unit in state["units"].items() if unit.get("PIDs", True)}
    elif not name.endswith(".slice"):
        raise BusError(f"unit type of {name} not handled here")
    state["units"][name] = values
    state["jobs"] += 1
    return f'o "/org/freedesktop/systemd1/job/{state["jobs"]}"'


def set_unit_properties(state: dict, name: str, runtime: bool, props: list) -> str:
    if name not in state["units"]:
        raise BusError(f"Unit {name} not loaded.")
    state["units"][name].update({key: value for key, (_, value) in props})
    return ""


def main(argv: list[str]) -> int:
    state_file = Path(os.environ["FAKE_SYSTEMD_STATE"])
    state = json.loads(state_file.read_text()) if state_file.exists() else {"units": {}, "jobs": 0, "calls": []}
    if os.environ.get("FAKE_SYSTEMD_REFUSE"):
        print("Call failed: Access denied", file=sys.stderr)
        return 1
    try:
        if argv[:1] != ["call"] or argv[1:4] != MANAGER:
            raise BusError(f"not a call to systemd's manager: {argv[:5]}")
        method, signature, args = argv[4], argv[5], argv[6:]
        values = parse(signature, args)
        state["calls"].append([method, *argv[6:]])
        if method == "StartTransientUnit" and signature == "ssa(sv)a(sa(sv))":
            reply = start_transient_unit(state, *values)
        elif method == "SetUnitProperties" and signature == "sba(sv)":
            reply = set_unit_properties(state, *values)
        else:
            raise BusError(f"Unknown method {method} or interface with signature {signature}")
    except (BusError, ValueError, IndexError) as error:
        state_file.write_text(json.dumps(state))
        print(f"Call failed: {error}", file=sys.stderr)
        return 1
    state_file.write_text(json.dumps(state))
    if reply:
        print(reply)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
