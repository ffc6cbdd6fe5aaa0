"""Pages generated from the code at build time, so the documentation cannot drift from it.

- ``settings-reference``: every key of ``hub/settings.schema.json`` (nested keys dotted), with its type, its
  default from ``hub.settings.DEFAULTS`` and its description; one table per top-level block.
- ``access-table``: the access policy as ``python -m hub.store.access`` prints it.

Both directives write MyST Markdown and let the page's parser render it, like any text of the page.
"""

from __future__ import annotations

import json

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util.docutils import SphinxDirective

from hub import settings as hub_settings
from hub.store import access

NO_DEFAULT = "—"


def value_text(value) -> str:
    """A value as it is written in the YAML settings file."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def type_text(schema: dict) -> str:
    if "enum" in schema:
        return " / ".join(f"`{value_text(choice)}`" for choice in schema["enum"])
    kinds = schema.get("type", "object")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    text = " or ".join(kinds)
    if "array" in kinds and "items" in schema:
        text = text.replace("array", f"list of {schema['items'].get('type', 'values')}")
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        text += f", {low}–{high}"
    elif low is not None:
        text += f", ≥ {low}"
    elif high is not None:
        text += f", ≤ {high}"
    if "pattern" in schema:
        text += f", pattern `{schema['pattern']}`"
    return text


def default_of(key: str) -> str:
    node = hub_settings.DEFAULTS
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return NO_DEFAULT
        node = node[part]
    return NO_DEFAULT if isinstance(node, dict) else f"`{value_text(node)}`"


def settings_rows(schema: dict, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(dotted key, type, default, description) for every key under ``schema``, depth first."""
    rows = []
    required = set(schema.get("required", []))
    for name, sub in schema.get("properties", {}).items():
        key = prefix + name
        description = sub.get("description", "")
        if name in required:
            description = f"**Required** in `{prefix.rstrip('.')}`. {description}"
        if "examples" in sub:
            description += " Example: " + ", ".join(f"`{value_text(v)}`" for v in sub["examples"]) + "."
        rows.append((key, type_text(sub), default_of(key), description))
        rows += settings_rows(sub, key + ".")
    return rows


def cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def settings_markdown(schema: dict) -> str:
    """One section per top-level block (plain keys first, under "Top level"), one table each."""
    header = ["| key | type | default | description |", "|---|---|---|---|"]
    groups: dict[str, list[str]] = {"Top level": list(header)}
    for key, kind, default, description in settings_rows(schema):
        top = key.split(".")[0]
        if key == top and "properties" in schema["properties"][top]:
            continue  # a block: its section's title and text
        group = f"`{top}`" if "properties" in schema["properties"][top] else "Top level"
        groups.setdefault(group, list(header))
        groups[group].append(f"| `{key}` | {cell(kind)} | {cell(default)} | {cell(description)} |")
    parts = []
    for title, lines in groups.items():
        parts += [f"## {title}", ""]
        top = title.strip("`")
        if top in schema["properties"] and schema["properties"][top].get("description"):
            parts += [schema["properties"][top]["description"], ""]
        parts += [*lines, ""]
    return "\n".join(parts)


class MarkdownDirective(SphinxDirective):
    """A directive whose body is MyST Markdown made by ``markdown()``; ``sources`` are rebuild triggers."""

    has_content = False
    sources: tuple = ()

    def markdown(self) -> str:
        raise NotImplementedError

    def run(self) -> list[nodes.Node]:
        for source in self.sources:
            self.env.note_dependency(str(source))
        container = nodes.container()
        self.state.nested_parse(StringList(self.markdown().splitlines(), source=type(self).__name__),
                                self.content_offset, container, match_titles=True)
        return container.children


class SettingsReference(MarkdownDirective):
    sources = (hub_settings.SCHEMA_PATH, hub_settings.__file__)

    def markdown(self) -> str:
        return settings_markdown(json.loads(hub_settings.SCHEMA_PATH.read_text(encoding="utf-8")))


class AccessTable(MarkdownDirective):
    sources = (access.__file__,)

    def markdown(self) -> str:
        return access.markdown_table()


def setup(app):
    app.add_directive("settings-reference", SettingsReference)
    app.add_directive("access-table", AccessTable)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
