"""Run an assignment's autograder tests against answer values, in a fresh interpreter.

This file is run on its own (``python -I answer_check.py``, inside the grading sandbox, standard library
only): it reads one JSON document from standard input and writes one to standard output.

Input: ``{"setup": [source, ...], "answers": {name: value}, "tests": [{"id": grade_id, "source": source}]}``
- the course's own locked code cells (``setup``) run first, in order, then the answers become globals, then
  each test cell runs in that namespace, in order, as it would in a notebook.

Output: ``{"results": [{"id", "status": "ok" | "error", "value"?, "ename"?, "evalue"?, "traceback"?}]}``,
one per test; ``value`` is the ``repr`` of a test cell's last expression (nbgrader reads a number there as
partial credit).

No teacher code ever runs here: the answers are plain JSON data.
"""

from __future__ import annotations

import ast
import builtins
import json
import sys
import traceback


def run_cell(source: str, namespace: dict, filename: str) -> dict:
    """Execute one cell like IPython does (a last expression is evaluated); the outcome as a dict."""
    try:
        tree = ast.parse(source, filename=filename)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            last = ast.Expression(tree.body.pop().value)
        exec(compile(tree, filename, "exec"), namespace)
        value = eval(compile(last, filename, "eval"), namespace) if last is not None else None
    except (Exception, SystemExit) as exc:  # every failure of a test is its result, never the runner's end
        lines = traceback.format_exception_only(type(exc), exc)
        return {"status": "error", "ename": type(exc).__name__, "evalue": str(exc),
                "traceback": [line.rstrip("\n") for line in lines]}
    result = {"status": "ok"}
    if value is not None:
        result["value"] = repr(value)
    return result


def run(document: dict) -> dict:
    namespace = {"__name__": "__main__", "__builtins__": builtins}
    for index, source in enumerate(document.get("setup", [])):
        run_cell(source, namespace, f"<setup-{index}>")
    namespace.update(document.get("answers", {}))
    results = []
    for test in document.get("tests", []):
        results.append({"id": test["id"], **run_cell(test["source"], namespace, f"<{test['id']}>")})
    return {"results": results}


def main() -> None:
    document = json.loads(sys.stdin.read())
    json.dump(run(document), sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
