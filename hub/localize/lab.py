"""nbgrader's JupyterLab extension in Chinese: a Jupyter server extension of users' servers (enabled in
``hub/user_config/jupyter_server_config.d``).

JupyterLab translates itself through its language pack, but nbgrader's extension has no translations: its
English ("No courses found.", "Fetch", "Submit", the "Nbgrader" menu) is compiled into its JavaScript. This
extension serves, at the very addresses JupyterLab loads them from (``<base>lab/extensions/@jupyter/nbgrader/
static/<file>``), translated copies of the files that hold those texts (``lab_texts``), made in memory from the
installed extension when the server starts. It is loaded before JupyterLab (extensions load in the order of
their names), so its handler is found first; every other file is JupyterLab's as before. A phrase that is no
longer found (nbgrader changed) is logged, and the unit tests fail on it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from jupyter_core.paths import jupyter_path
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join

from . import translate
from .lab_texts import NBGRADER_LAB

PACKAGE = "@jupyter/nbgrader"


def nbgrader_labextension_dir() -> Path | None:
    """The installed nbgrader Lab extension that JupyterLab serves (the first on the data path)."""
    for folder in jupyter_path("labextensions"):
        if (Path(folder) / PACKAGE / "package.json").is_file():
            return Path(folder) / PACKAGE
    return None


@cache
def translated_files(extension_dir: Path) -> tuple[dict[str, bytes], list[str]]:
    """({file name under static/: translated JavaScript} for every file that holds phrases, the phrases found
    in none)."""
    files, found = {}, set()
    for path in sorted((extension_dir / "static").glob("*.js")):
        source = path.read_text(encoding="utf-8")
        present = [(english, chinese) for english, chinese in NBGRADER_LAB if english in source]
        if present:
            files[path.name] = translate(source, present).encode("utf-8")
            found.update(english for english, _ in present)
    return files, [english for english, _ in NBGRADER_LAB if english not in found]


class TranslatedFileHandler(JupyterHandler):
    """The translated copies (public code, like JupyterLab's own static files)."""

    def initialize(self, files: dict[str, bytes]):
        self.files = files

    def check_xsrf_cookie(self):
        return None

    def get(self, name: str):
        self.set_header("Content-Type", "application/javascript; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")  # an English copy cached earlier is checked again
        self.finish(self.files[name])


def _load_jupyter_server_extension(serverapp) -> None:
    extension_dir = nbgrader_labextension_dir()
    if extension_dir is None:
        return  # nbgrader's Lab extension is not installed here: nothing to translate
    files, missing = translated_files(extension_dir)
    for phrase in missing:
        serverapp.log.warning("Lab translation: %r is no longer in nbgrader's Lab extension", phrase)
    version = json.loads((extension_dir / "package.json").read_text(encoding="utf-8")).get("version")
    serverapp.log.debug("Lab translation: nbgrader %s, files %s", version, sorted(files))
    names = "|".join(re.escape(name) for name in files)
    route = url_path_join(serverapp.base_url, "lab/extensions", PACKAGE, "static", f"({names})")
    serverapp.web_app.add_handlers(".*$", [(route, TranslatedFileHandler, {"files": files})])


def _jupyter_server_extension_points():
    return [{"module": "hub.localize.lab"}]

