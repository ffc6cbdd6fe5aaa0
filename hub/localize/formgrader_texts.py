"""The formgrader's English and its Chinese (nbgrader 0.9.6), by file: see ``hub.localize.formgrader``."""

# Jinja templates of nbgrader/server_extensions/formgrader/templates, by template name
TEMPLATES: dict[str, list[tuple[str, str]]] = {}

# Scripts of nbgrader/server_extensions/formgrader/static/js, by file name
SCRIPTS: dict[str, list[tuple[str, str]]] = {}
