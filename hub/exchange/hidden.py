"""Keep hidden tests out of feedback: fingerprints taken at release, checked on every feedback upload.

At release the trainer's side (which has the source notebooks) sends ``fingerprints``: the sha256 of each
normalised line between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` that does not also appear
in the released (visible) notebooks. The server keeps them privately and refuses feedback whose text holds
the marker or any fingerprinted line. Pure functions, used by both sides.
"""

from __future__ import annotations

import hashlib
import html
import re

BEGIN = "BEGIN HIDDEN TESTS"
END = "END HIDDEN TESTS"
MIN_LINE = 6  # shorter lines ("pass", ")") are too common to mean anything
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def normalise(line: str) -> str:
    return _SPACE.sub(" ", line).strip()


def fingerprint(line: str) -> str:
    return hashlib.sha256(normalise(line).encode("utf-8")).hexdigest()


def _code_sources(notebook: dict):
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            source = cell.get("source", "")
            yield "".join(source) if isinstance(source, list) else source


def hidden_lines(notebook: dict) -> list[str]:
    """The normalised lines inside hidden-test blocks of a (source) notebook."""
    lines, inside = [], False
    for source in _code_sources(notebook):
        for line in source.splitlines():
            if BEGIN in line:
                inside = True
            elif END in line:
                inside = False
            elif inside and len(normalise(line)) >= MIN_LINE:
                lines.append(normalise(line))
    return lines


def visible_lines(notebook: dict) -> set[str]:
    return {normalise(line) for source in _code_sources(notebook) for line in source.splitlines()}


def fingerprints(source_notebooks: list[dict], released_notebooks: list[dict]) -> list[str]:
    visible = set().union(*(visible_lines(nb) for nb in released_notebooks)) if released_notebooks else set()
    hidden = {line for nb in source_notebooks for line in hidden_lines(nb)} - visible
    return sorted(fingerprint(line) for line in hidden)


def html_text_lines(document: str) -> list[str]:
    """The text lines a reader sees in an HTML document (tags removed, entities decoded)."""
    text = html.unescape(_TAG.sub("", document))
    return [normalise(line) for line in text.splitlines() if normalise(line)]


def leaks_hidden_tests(document: str, known: set[str] | frozenset = frozenset()) -> bool:
    """True if ``document`` (feedback HTML) shows the hidden-test marker or a fingerprinted line."""
    if BEGIN.lower() in html.unescape(document).lower():
        return True
    return any(fingerprint(line) in known for line in html_text_lines(document)) if known else False
