"""JupyterHub's admin page in Chinese (``hub/templates/admin.html``).

The admin page is a React app compiled into JupyterHub's ``static/js/admin-react.js``, with its English in the
bundle and no translations. The project's ``admin.html`` (found first through ``JupyterHub.template_paths``)
is JupyterHub's own with one change: instead of loading that file it carries a translated copy inline
(``admin_texts``), made once from the installed JupyterHub by ``AdminApp``, the template variable
``mentorhub_admin_app``. A phrase that is no longer found (JupyterHub changed) is logged once, and the unit
tests fail on it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from markupsafe import Markup

from . import missing_phrases, translate
from .admin_texts import ADMIN_APP


def admin_app_file() -> Path:
    from jupyterhub._data import DATA_FILES_PATH

    return Path(DATA_FILES_PATH) / "static" / "js" / "admin-react.js"


def translated_admin_app(source: str) -> str:
    """The app's JavaScript in Chinese, safe inside a ``<script>`` element."""
    return translate(source, ADMIN_APP).replace("</script", "<\\/script")


@dataclass
class AdminApp:
    """JupyterHub template variable (called with the current user): the translated app, made at first use.
    Every instance is equal (applying the configuration twice gives the same configuration)."""

    @cached_property
    def script(self) -> Markup:
        source = admin_app_file().read_text(encoding="utf-8")
        for phrase in missing_phrases(source, ADMIN_APP):
            logging.getLogger("MentorHub").warning("Admin page translation: %r is no longer in JupyterHub", phrase)
        return Markup(translated_admin_app(source))

    def __call__(self, user) -> Markup:
        return self.script if user is not None else Markup("")
