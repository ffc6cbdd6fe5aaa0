"""The documentation in docs/: it builds without a warning, its generated pages hold what the code says, every
screenshot a guide shows exists and is taken by a browser test, and every command it names exists.

The build (``built_docs``) is the one ``make docs`` runs, so ``make test`` (CI) builds the docs too.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from hub import cli, settings
from hub.store import access
from tests.docs.conftest import SPHINX_OPTIONS
from tests.docs_support import (
    DOCS_DIR,
    REPO_ROOT,
    SCREENSHOTS_DIR,
    doc_pages,
    referenced_screenshots,
    screenshots_shown_in,
    screenshots_taken_by_browser_tests,
    screenshots_taken_in,
)

pytestmark = pytest.mark.docs

ROLE_GUIDES = ("teacher", "trainer", "studio-leader", "school-admin", "psychology", "district")
MAX_SCREENSHOT_BYTES = 400_000


def page_text(built: Path, name: str) -> str:
    """A built page's text: tags removed, entities decoded, whitespace collapsed."""
    raw = (built / f"{name}.html").read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>|<!--.*?-->", " ", raw, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", raw)).split())


def schema_keys(schema: dict, prefix: str = "") -> list[str]:
    keys = []
    for name, sub in schema.get("properties", {}).items():
        keys.append(prefix + name)
        keys += schema_keys(sub, f"{prefix}{name}.")
    return keys


# --- the build ------------------------------------------------------------------------------------------
def test_make_docs_builds_as_the_tests_do():
    recipe = (REPO_ROOT / "Makefile").read_text(encoding="utf-8").split("\ndocs:", 1)[1].split("\n\n", 1)[0]
    assert "sphinx-build " + " ".join(SPHINX_OPTIONS) + " docs docs/_build/html" in recipe


def test_the_build_folder_is_ignored_by_git():
    assert "docs/_build/" in (REPO_ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()


def test_every_page_is_built(built_docs):
    for page in doc_pages():
        name = page.relative_to(DOCS_DIR).with_suffix(".html")
        assert (built_docs / name).exists(), f"{name} was not built (not in any toctree?)"


def test_a_guide_in_chinese_for_each_role(built_docs):
    for role in ROLE_GUIDES:
        text = page_text(built_docs, f"guides/{role}/index")
        assert len(re.findall(r"[\u4e00-\u9fff]", text)) > 100, role


# --- generated pages ------------------------------------------------------------------------------------
def test_settings_reference_names_every_key_of_the_schema_with_its_default(built_docs):
    schema = json.loads(settings.SCHEMA_PATH.read_text(encoding="utf-8"))
    text = page_text(built_docs, "operators/settings")
    missing = [key for key in schema_keys(schema) if key not in text]
    assert missing == []
    for key, default in (("public_port", "8000"), ("spawner.start_timeout_seconds", "300"),
                         ("server.user_prefix", "mh-"), ("database.records_url", "null")):  # fmt: skip
        assert re.search(rf"{re.escape(key)} [^|]{{0,60}}? {re.escape(default)} ", text), key
    assert schema["properties"]["exchange"]["properties"]["window_seconds"]["description"] in text


def test_settings_reference_would_notice_a_key_it_left_out():
    schema = {"properties": {"a": {"type": "object", "properties": {"b": {"type": "string"}}}}}
    assert schema_keys(schema) == ["a", "a.b"]


def test_access_table_is_the_policy(built_docs):
    text = page_text(built_docs, "architecture")
    for line in access.markdown_table().splitlines()[2:]:
        cells = [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        assert " ".join(cells) in text, cells[0]


# --- screenshots ----------------------------------------------------------------------------------------
def test_every_role_guide_shows_screenshots():
    shown = {page for pages in referenced_screenshots().values() for page in pages}
    for role in ROLE_GUIDES:
        assert any(page.startswith(f"guides/{role}/") for page in shown), role


def test_every_screenshot_a_guide_shows_is_committed_and_taken_by_a_browser_test():
    taken = screenshots_taken_by_browser_tests()
    for name, pages in sorted(referenced_screenshots().items()):
        assert (SCREENSHOTS_DIR / f"{name}.png").exists(), f"{name}.png (shown in {pages}) is missing: run the " \
            "browser test that takes it with MENTORHUB_DOCS_SCREENSHOTS=1"
        assert name in taken, f"{name}.png (shown in {pages}) is taken by no browser test"


def test_no_screenshot_is_left_over_and_each_is_small():
    shown = referenced_screenshots()
    for png in sorted(SCREENSHOTS_DIR.glob("*")):
        assert png.suffix == ".png" and png.stem in shown, f"{png.name} is shown by no page: delete it"
        assert png.stat().st_size < MAX_SCREENSHOT_BYTES, png.name


def test_a_renamed_screenshot_is_noticed():
    shown = screenshots_shown_in("步骤……\n\n![首页](../_static/screenshots/home-teacher1.png)\n")
    assert shown == {"home-teacher1"}
    renamed = 'def test_x(screenshot, page):\n    screenshot(page, "home-teacher-renamed")\n'
    assert screenshots_taken_in(renamed) == {"home-teacher-renamed"}
    assert not shown <= screenshots_taken_in(renamed)


# --- commands -------------------------------------------------------------------------------------------
def code_in(markdown: str) -> list[str]:
    """The fenced code blocks' lines and the inline code spans of a Markdown text."""
    pieces = []
    for block in re.findall(r"^(`{3,}|~{3,})[^\n]*\n(.*?)^\1", markdown, flags=re.S | re.M):
        pieces += block[1].splitlines()
    prose = re.sub(r"^(`{3,}|~{3,})[^\n]*\n.*?^\1", "", markdown, flags=re.S | re.M)
    return pieces + re.findall(r"`([^`\n]+)`", prose)


COMMAND = re.compile(r"(?:^|\s--\s|\$\s|&&\s|\|\s|/bin/)mentorhub((?:\s+[a-z][a-z-]*)+)")


def commands_named(markdown: str) -> set[tuple[str, ...]]:
    """``mentorhub`` command lines named in code (where a command starts), as their leading words."""
    found = set()
    for piece in code_in(markdown):
        for match in COMMAND.finditer(piece.strip()):
            found.add(tuple(match.group(1).split()[:2]))
    return found


def unknown_commands(named: set[tuple[str, ...]]) -> list[str]:
    """The named commands that ``mentorhub --help`` (the real parser) does not have."""
    top = cli.build_parser()._subparsers._group_actions[0].choices
    unknown = []
    for words in sorted(named):
        if words[0] not in top:
            unknown.append(" ".join(words))
            continue
        actions = [a for a in top[words[0]]._actions if a.__class__.__name__ == "_SubParsersAction"]
        if len(words) > 1 and actions and words[1] not in actions[0].choices:
            unknown.append(" ".join(words))
    return unknown


def documented_markdown() -> dict[str, str]:
    pages = {str(p.relative_to(REPO_ROOT)): p.read_text(encoding="utf-8") for p in doc_pages()}
    for included in ("deploy/README.md", "README.md"):  # cluster.md includes the first; the second links here
        pages[included] = (REPO_ROOT / included).read_text(encoding="utf-8")
    return pages


def test_every_mentorhub_command_the_docs_name_exists():
    named = {name: commands_named(text) for name, text in documented_markdown().items()}
    assert ("db", "upgrade") in named["docs/operators/upgrade.md"]
    assert {page: unknown_commands(found) for page, found in named.items() if unknown_commands(found)} == {}


def test_a_command_that_does_not_exist_is_noticed():
    text = "Move it with `mentorhub teleport`:\n\n```sh\nkubectl -n mentorhub create secret x\n" \
           "mentorhub course publish foundations x\nmentorhub course release foundations x\n```\n"
    assert commands_named(text) == {("teleport",), ("course", "publish"), ("course", "release")}
    assert unknown_commands(commands_named(text)) == ["course publish", "teleport"]


# --- README ---------------------------------------------------------------------------------------------
def test_readme_links_into_the_docs_and_every_link_resolves():
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    links = [link for link in re.findall(r"\]\(([^)#\s]+)", readme) if "://" not in link]
    assert any(link.startswith("docs/") for link in links)
    assert [link for link in links if not (REPO_ROOT / link).exists()] == []
