"""nbgrader's formgrader in Chinese, with links that work behind the hub: a Jupyter server extension of the
course formgraders (enabled in ``hub/formgrader_config``).

nbgrader builds the formgrader's Jinja environment itself, with no option for other template folders or
translations. Once every extension is loaded (``_start_jupyter_server_extension``), this one wraps that
environment's loader so that each template is translated as it is loaded (``formgrader_texts``), and serves
translated copies of the formgrader's scripts at ``<base>/formgrader/zh/js/<name>``, which the translated
templates load instead of the English ones. The scripts also get two fixes: the links to an assignment's
files and to its preview go to this service's own pages (nbgrader links them to the server root, which
behind the hub is ``/hub/tree/...``, a 404), and a teacher with no name in the gradebook shows as their
login name instead of "None, None".
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from jinja2 import BaseLoader
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

from . import missing_phrases, translate
from .formgrader_texts import SCRIPTS, TEMPLATES

SCRIPT_ROUTE = "formgrader/zh/js"


def nbgrader_formgrader_dir() -> Path:
    from nbgrader.server_extensions.formgrader import handlers

    return Path(handlers.__file__).resolve().parent


def translated_scripts(static_dir: Path, log=None) -> dict[str, bytes]:
    """{script name: translated JavaScript} for every script with phrases."""
    scripts = {}
    for name, phrases in SCRIPTS.items():
        source = (static_dir / "js" / name).read_text(encoding="utf-8")
        for phrase in missing_phrases(source, phrases):
            if log is not None:
                log.warning("Formgrader translation: %r is no longer in nbgrader's %s", phrase, name)
        scripts[name] = translate(source, phrases).encode("utf-8")
    return scripts


def template_phrases(name: str):
    """The phrases of one template, and its scripts pointed at their translated copies."""
    redirects = [(f"/formgrader/static/js/{script}", f"/{SCRIPT_ROUTE}/{script}") for script in SCRIPTS]
    return [*TEMPLATES.get(name, ()), *[(old, new) for old, new in redirects]]


class TranslatingLoader(BaseLoader):
    """Loads through ``base`` and translates (``template_phrases``)."""

    def __init__(self, base: BaseLoader, log=None):
        self.base, self.log, self.reported = base, log, set()

    def get_source(self, environment, template):
        source, filename, uptodate = self.base.get_source(environment, template)
        phrases = template_phrases(template)
        if self.log is not None and template not in self.reported:
            self.reported.add(template)
            for phrase in missing_phrases(source, TEMPLATES.get(template, ())):
                self.log.warning("Formgrader translation: %r is no longer in nbgrader's %s", phrase, template)
        return translate(source, phrases), filename, uptodate

    def list_templates(self):
        return self.base.list_templates()


class TranslatedScriptHandler(JupyterHandler):
    """The translated formgrader scripts (public code, like nbgrader's own static files)."""

    def initialize(self, scripts: dict[str, bytes]):
        self.scripts = scripts

    def check_xsrf_cookie(self):
        return None

    def get(self, name: str):
        if name not in self.scripts:
            raise web.HTTPError(404)
        self.set_header("Content-Type", mimetypes.types_map[".js"] + "; charset=UTF-8")
        self.set_header("Cache-Control", "no-cache")
        self.finish(self.scripts[name])


def _load_jupyter_server_extension(serverapp) -> None:
    """Nothing yet: nbgrader's formgrader (loaded after this one, by name) is wrapped once all are loaded."""


async def _start_jupyter_server_extension(serverapp) -> None:
    webapp = serverapp.web_app
    environment = webapp.settings.get("nbgrader_jinja2_env")
    if environment is None:
        serverapp.log.warning("Formgrader translation: nbgrader's formgrader is not loaded; left in English")
        return
    environment.loader = TranslatingLoader(environment.loader, serverapp.log)
    if environment.cache is not None:
        environment.cache.clear()
    scripts = translated_scripts(nbgrader_formgrader_dir() / "static", serverapp.log)
    route = url_path_join(webapp.settings["base_url"], SCRIPT_ROUTE, "(.*)")
    webapp.add_handlers(".*$", [(route, TranslatedScriptHandler, {"scripts": scripts})])


def _jupyter_server_extension_points():
    return [{"module": "hub.localize.formgrader"}]
