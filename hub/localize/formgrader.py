"""nbgrader's formgrader in Chinese, with links that work behind the hub: a Jupyter server extension of the
course formgraders (enabled in ``hub/formgrader_config``).

nbgrader builds the formgrader's Jinja environment itself, with no option for other template folders or
translations. Once every extension is loaded (``_start_jupyter_server_extension``), this one wraps that
environment's loader so that each template is translated as it is loaded (``formgrader_texts``); it serves
translated copies of the formgrader's scripts at ``<base>/formgrader/zh/js/<name>`` (a route added before
nbgrader's own), which the translated templates load instead of the English ones. The grading page of a submission is rendered by nbconvert (the
formgrader's exporter), whose loader is wrapped the same way (``FORMGRADE_TEMPLATES``); there MathJax, which
nbconvert would load from a public CDN, gives way to a stub (the courses hold no formulas). The scripts also
get two fixes: the links to an assignment's files and to its preview go to this service's own pages (nbgrader
links them to the server root, which behind the hub is ``/hub/tree/...``, a 404), and a teacher shows by the
roster's name (kept whole as the last name), or else the login name, never "None, None".
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from jinja2 import BaseLoader
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web

from . import missing_phrases, translate
from .formgrader_texts import FORMGRADE_TEMPLATES, SCRIPTS, TEMPLATES

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


SCRIPT_REDIRECTS = [(f"/formgrader/static/js/{script}", f"/{SCRIPT_ROUTE}/{script}") for script in SCRIPTS]


def template_phrases(name: str):
    """The phrases of one formgrader page template, and its scripts pointed at their translated copies."""
    return [*TEMPLATES.get(name, ()), *SCRIPT_REDIRECTS]


def grading_page_phrases(filename: str):
    """The phrases of a template of the grading page (nbconvert's, found by its file), and its scripts' redirects."""
    path = Path(filename).as_posix()
    for name, phrases in FORMGRADE_TEMPLATES.items():
        if path.endswith(f"/{name}"):
            return phrases
    return []


class TranslatingLoader(BaseLoader):
    """Loads through ``base`` and translates with ``phrases(template name, file name)``, script redirects
    included; a phrase no longer found is logged once per template."""

    def __init__(self, base: BaseLoader, phrases, log=None):
        self.base, self.phrases, self.log, self.reported = base, phrases, log, set()

    def get_source(self, environment, template):
        source, filename, uptodate = self.base.get_source(environment, template)
        phrases = self.phrases(template, filename or "")
        if self.log is not None and template not in self.reported:
            self.reported.add(template)
            for phrase in missing_phrases(source, phrases):
                self.log.warning("Formgrader translation: %r is no longer in nbgrader's %s", phrase, template)
        return translate(source, [*phrases, *SCRIPT_REDIRECTS]), filename, uptodate

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
    """The translated scripts' route, added before nbgrader's formgrader (loaded after this one, by name) adds
    its own routes, whose catch-all for ``formgrader/.*`` would otherwise answer first."""
    scripts = translated_scripts(nbgrader_formgrader_dir() / "static", serverapp.log)
    route = url_path_join(serverapp.base_url, SCRIPT_ROUTE, "(.*)")
    serverapp.web_app.add_handlers(".*$", [(route, TranslatedScriptHandler, {"scripts": scripts})])


async def _start_jupyter_server_extension(serverapp) -> None:
    webapp = serverapp.web_app
    environment = webapp.settings.get("nbgrader_jinja2_env")
    exporter = webapp.settings.get("nbgrader_exporter")
    if environment is None or exporter is None:
        serverapp.log.warning("Formgrader translation: nbgrader's formgrader is not loaded; left in English")
        return
    environment.loader = TranslatingLoader(environment.loader, lambda name, _: TEMPLATES.get(name, []), serverapp.log)
    # the grading page of a submission: nbconvert's environment of the formgrader's exporter
    exporter.environment.loader = TranslatingLoader(
        exporter.environment.loader, lambda _, filename: grading_page_phrases(filename), serverapp.log)
    for env in (environment, exporter.environment):
        if env.cache is not None:
            env.cache.clear()


def _jupyter_server_extension_points():
    return [{"module": "hub.localize.formgrader"}]
