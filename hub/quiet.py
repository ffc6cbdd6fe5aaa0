"""Log lines that need no action, kept out of the logs an operator reads (issue 19, item 7).

A clean start and an hour of ordinary use must log no warning or error that asks nothing of anyone: an
operator who sees `WARNING` learns to ignore it, and then misses the one that matters. Whatever could be
fixed where it arises is fixed there (the proxy's own error pages, `hub.proxy`; the services answering the
hub's probe of their address; JupyterLab's language-server plugins off where no language server runs).
What is left comes from the Jupyter packages themselves, and is listed here, each with the reason why it
needs no action. Nothing else is filtered: a new warning shows.

``NoActionNeeded`` is a `logging.Filter` for the handlers of a traitlets application, set through
`Application.logging_config` (hub.config for the hub, hub/user_config and the formgraders' config for the
Jupyter servers); ``quiet_python_warnings()`` does the same for Python's `warnings`.
"""

from __future__ import annotations

import logging
import re
import warnings

# (what the line says, why nobody needs to act on it)
NEEDS_NO_ACTION: tuple[tuple[str, str], ...] = (
    (r"^Adding missing route for ",
     "JupyterHub fills a newly started proxy with its routes; that is every start of `make run`."),
    (r"^Allowing service .+ to complete OAuth without confirmation",
     "the project's own services (records, exchange, formgraders) are meant to log users in without a "
     "confirmation page (`oauth_no_confirm`); JupyterHub warns about each one at every start."),
    (r"^Activity events disabled$",
     "a course's formgrader is a hub service, not a user's server: it has no activity to report."),
    (r"^'extra_template_paths' (was|is) found in both ",
     "jupyterhub-singleuser itself sets NotebookApp.extra_template_paths, and notebook_shim warns about it "
     "in every Jupyter server; nothing in the project's configuration sets it."),
    (r"^Notebook .+ is not trusted$",
     "Voilà notes it at every page of the apps; trust concerns only outputs stored in a notebook, and the apps "
     "are committed without any (Voilà runs them)."),
    (r"^Could not load pycurl",
     "the idle culler asks the hub about its users every few minutes; tornado's own HTTP client does that."),
    (r"^Skipping XSRF check for insecure request GET ",
     "a GET changes nothing, so it needs no XSRF token; jupyter_server notes every GET that comes with the "
     "hub's login instead (each JupyterLab load, each formgrader page)."),
)
# Only where the hub listens on this machine alone (demo mode): there nobody needs TLS.
WITHOUT_SSL = (r"^Running JupyterHub without SSL\.",
               "the hub listens on 127.0.0.1 only, where no traffic leaves the machine.")

# Python warnings from the Jupyter packages, not from anything the project calls (category, message, why).
PYTHON_WARNINGS: tuple[tuple[str, str, str], ...] = (
    ("jupyter_events.utils.JupyterEventsVersionWarning", r"The `version` property of an event schema",
     "event schemas shipped inside jupyter_server and JupyterHub; fixed upstream when they update them."),
    ("DeprecationWarning", r"ServerApp\.token config is deprecated",
     "jupyterhub-singleuser reads the old ServerApp.token itself; the project sets no token."),
)


class NoActionNeeded(logging.Filter):
    """Drops the records of ``NEEDS_NO_ACTION`` (plus ``WITHOUT_SSL`` when ``loopback``); keeps all others."""

    def __init__(self, loopback: bool = False):
        super().__init__()
        rules = [*NEEDS_NO_ACTION, *([WITHOUT_SSL] if loopback else [])]
        self.patterns = [re.compile(pattern) for pattern, _ in rules]

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: show it as logging would
            return True
        return not any(pattern.search(message) for pattern in self.patterns)


def logging_config(loopback: bool = False) -> dict:
    """``Application.logging_config`` putting ``NoActionNeeded`` on the application's console handler."""
    return {
        "filters": {"no_action_needed": {"()": f"{__name__}.NoActionNeeded", "loopback": loopback}},
        "handlers": {"console": {"filters": ["no_action_needed"]}},
    }


def quiet_python_warnings() -> None:
    """Ignore the Python warnings of ``PYTHON_WARNINGS`` in this process (call it early)."""
    import builtins

    from traitlets.utils.importstring import import_item

    for category, message, _ in PYTHON_WARNINGS:
        try:
            kind = import_item(category) if "." in category else getattr(builtins, category)
        except ImportError:  # the package that warns is not installed here
            continue
        warnings.filterwarnings("ignore", message=message, category=kind)
