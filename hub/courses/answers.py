"""Answers as data: what the grader asks a teacher's kernel for, and what it accepts back.

The answers of these courses are data (strings, numbers, lists, dicts). After the answer cells have run
in the sandboxed kernel, ``EXTRACT_SOURCE`` is run there too: it publishes every public global name whose
value is plain JSON, and for the others only the name of their type. The grader parses that output with
``parse_extraction``; nothing else of the kernel is ever trusted. Whatever the submission did to its own
interpreter (AST transformers, shadowed builtins, event callbacks), the most it can change is the answer
values it hands over, which is what it could have written in the first place.
"""

from __future__ import annotations

import ast
import builtins
import json

ANSWERS_MIME = "application/vnd.mentorhub.answers+json"
VALUE_LIMIT = 64 * 1024      # characters of JSON per answer
TOTAL_LIMIT = 1024 * 1024    # characters of JSON in all

# Run in the teacher's kernel (their own namespace): no names of its own are left behind.
EXTRACT_SOURCE = f"""\
def _mentorhub_answers():
    import json, types
    from IPython.display import publish_display_data
    values, skipped, total = {{}}, {{}}, 0
    hidden = {{"In", "Out", "exit", "quit", "get_ipython"}}
    for name, value in list(globals().items()):
        if name.startswith("_") or name in hidden:
            continue
        if isinstance(value, (types.ModuleType, types.FunctionType, types.BuiltinFunctionType, type)):
            continue
        try:
            text = json.dumps(value, ensure_ascii=False)
        except Exception:
            skipped[name] = type(value).__name__
            continue
        if len(text) > {VALUE_LIMIT} or total + len(text) > {TOTAL_LIMIT}:
            skipped[name] = "too-large"
            continue
        values[name] = text
        total += len(text)
    publish_display_data({{"{ANSWERS_MIME}": {{"values": values, "skipped": skipped}}}})
_mentorhub_answers()
del _mentorhub_answers
"""


class Extraction:
    """Answer values taken out of one kernel: ``values`` (name -> plain data) and ``skipped`` (name -> type)."""

    def __init__(self, values: dict | None = None, skipped: dict | None = None):
        self.values = dict(values or {})
        self.skipped = dict(skipped or {})


def parse_extraction(outputs: list) -> Extraction | None:
    """The last well-formed answers document among a cell's outputs, or None when there is none."""
    found = None
    for output in outputs:
        data = output.get("data", {}) if isinstance(output, dict) else {}
        document = data.get(ANSWERS_MIME)
        if not isinstance(document, dict):
            continue
        values, skipped = document.get("values"), document.get("skipped")
        if not isinstance(values, dict) or not isinstance(skipped, dict):
            continue
        parsed, total = {}, 0
        for name, text in values.items():
            if not isinstance(name, str) or not isinstance(text, str) or len(text) > VALUE_LIMIT:
                continue
            total += len(text)
            if total > TOTAL_LIMIT:
                break
            try:
                parsed[name] = json.loads(text)
            except ValueError:
                continue
        found = Extraction(parsed, {str(k): str(v)[:40] for k, v in list(skipped.items())[:100]})
    return found


BUILTIN_NAMES = frozenset(dir(builtins))


def referenced_names(sources: list[str]) -> set[str]:
    """Global names the test cells read: names loaded (but never assigned in the tests, and not builtins),
    and the string keys of ``globals().get("…")`` / ``globals()["…"]``."""
    loaded, assigned = set(), set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                (loaded if isinstance(node.ctx, ast.Load) else assigned).add(node.id)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                assigned.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
            elif _is_globals_lookup(node):
                key = node.args[0] if isinstance(node, ast.Call) else node.slice
                if isinstance(key, ast.Constant) and isinstance(key.value, str):
                    loaded.add(key.value)
    return loaded - assigned - BUILTIN_NAMES


def _is_globals_lookup(node) -> bool:
    def is_globals_call(expr) -> bool:
        return isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "globals"

    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        return is_globals_call(node.func.value) and bool(node.args)
    return isinstance(node, ast.Subscript) and is_globals_call(node.value)
