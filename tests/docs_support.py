"""What the documentation's tests and the browser tests share about the guides' screenshots.

The guides in ``docs/`` show screenshots from ``docs/_static/screenshots/<name>.png``. Each is taken by a
browser test (``screenshot(page, "<name>")``); a browser run with ``MENTORHUB_DOCS_SCREENSHOTS=1`` writes the
ones the guides use into that folder, as small palette PNGs:

    MENTORHUB_DOCS_SCREENSHOTS=1 .venv/bin/pytest tests/browser
"""

from __future__ import annotations

import ast
import os
import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DOCS_DIR = REPO_ROOT / "docs"
SCREENSHOTS_DIR = DOCS_DIR / "_static" / "screenshots"
BROWSER_TESTS_DIR = REPO_ROOT / "tests" / "browser"
DOCS_SCREENSHOTS_ENV = "MENTORHUB_DOCS_SCREENSHOTS"
SCREENSHOT_REFERENCE = re.compile(r"_static/screenshots/([A-Za-z0-9_-]+)\.png")
#: palette size of the committed PNGs: small files, text still crisp
DOCS_COLOURS = 128


def doc_pages() -> list[Path]:
    return sorted(path for path in DOCS_DIR.rglob("*.md") if "_build" not in path.parts)


def screenshots_shown_in(text: str) -> set[str]:
    """Names of the screenshots a page's Markdown shows (``_static/screenshots/<name>.png``)."""
    return set(SCREENSHOT_REFERENCE.findall(text))


def referenced_screenshots() -> dict[str, list[str]]:
    """screenshot name -> the pages (relative to docs/) that show it."""
    found: dict[str, list[str]] = {}
    for page in doc_pages():
        for name in sorted(screenshots_shown_in(page.read_text(encoding="utf-8"))):
            found.setdefault(name, []).append(str(page.relative_to(DOCS_DIR)))
    return found


def screenshots_taken_in(source: str) -> set[str]:
    """Names given as a constant to ``screenshot(page, "<name>")`` calls in a test module's source."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "screenshot"
                and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
                and isinstance(node.args[1].value, str)):  # fmt: skip
            names.add(node.args[1].value)
    return names


def screenshots_taken_by_browser_tests() -> dict[str, str]:
    """screenshot name -> the browser test module that takes it."""
    taken = {}
    for module in sorted(BROWSER_TESTS_DIR.glob("test_*.py")):
        for name in screenshots_taken_in(module.read_text(encoding="utf-8")):
            taken[name] = module.name
    return taken


def writing_docs_screenshots() -> bool:
    return os.environ.get(DOCS_SCREENSHOTS_ENV) == "1"


def save_for_docs(png: Path, name: str) -> Path | None:
    """Copy a browser test's screenshot into the docs when a guide shows it (as a palette PNG)."""
    if name not in referenced_screenshots():
        return None
    from PIL import Image

    target = SCREENSHOTS_DIR / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(png) as image:
        image.convert("RGB").quantize(colors=DOCS_COLOURS, dither=Image.Dither.NONE).save(target, optimize=True)
    return target
