"""The records service's tornado application: routes under ``<prefix>api/v1/``."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

from jupyterhub.services.auth import HubOAuthCallbackHandler
from tornado import web

from hub.graceful import Drain

from . import handlers as h
from .district_handlers import DISTRICT_PATTERNS, DISTRICT_ROUTES
from .export_handlers import ProgressExportHandler
from .guardian_handlers import GUARDIAN_PATTERNS, GUARDIAN_ROUTES
from .studio_handlers import STUDIO_PATTERNS, STUDIO_ROUTES
from .year_handlers import YEAR_PATTERNS, YEAR_ROUTES

API_VERSION = "v1"
#: SameSite of the cookies the service sets (its hub OAuth cookie, from hub.config.SERVICE_COOKIE_OPTIONS,
#: and the _xsrf cookie): never sent along with a request another site makes, except plain links.
COOKIE_SAMESITE = "Lax"

#: (path below <prefix>api/v1/, handler, methods) -- the OpenAPI document is built from the same list
ROUTES = [
    ("health", h.HealthHandler, ("get",)),
    ("openapi.json", h.OpenApiHandler, ("get",)),
    ("me", h.MeHandler, ("get",)),
    ("students", h.StudentsHandler, ("get",)),
    ("students/{student_id}", h.StudentHandler, ("get",)),
    ("students/{student_id}/records", h.StudentRecordsHandler, ("get",)),
    ("staff", h.StaffHandler, ("get",)),
    ("records", h.RecordsHandler, ("post",)),
    ("records/{record_id}", h.RecordHandler, ("get", "patch", "delete")),
    ("progress", h.ProgressHandler, ("get",)),
    ("assignments", h.AssignmentsHandler, ("get", "post")),
    ("assignments/preview", h.AssignmentPreviewHandler, ("post",)),
    ("flags", h.FlagsHandler, ("get", "post")),
    ("flags/queue", h.FlagQueueHandler, ("get",)),
    ("flags/{flag_id}", h.FlagHandler, ("get", "patch")),
    ("flags/{flag_id}/actions", h.FlagActionsHandler, ("post",)),
    ("break-glass", h.BreakGlassHandler, ("post",)),
    ("audit", h.AuditHandler, ("get",)),
    ("exports/progress.xlsx", ProgressExportHandler, ("get",)),
    *STUDIO_ROUTES,  # case library, discussion room, research dashboards
    *YEAR_ROUTES,  # terms and calendars, life events, class mentor teams, 多对一 teams, 排摸
    *GUARDIAN_ROUTES,  # minors' data: record history, consents, guardians' requests, access review
    *DISTRICT_ROUTES,  # schools' plans, the district dashboard, portfolios, milestones
]

PATTERNS = {"student_id": r"(?P<student_id>[^/]+)", "record_id": r"(?P<record_id>\d+)",
            "flag_id": r"(?P<flag_id>\d+)"}  # fmt: skip
PATTERNS.update(STUDIO_PATTERNS)
PATTERNS.update(YEAR_PATTERNS)
PATTERNS.update(GUARDIAN_PATTERNS)
PATTERNS.update(DISTRICT_PATTERNS)


def url_pattern(path: str) -> str:
    for name, regex in PATTERNS.items():
        path = path.replace("{" + name + "}", regex)
    return path


def make_app(store, prefix: str = "/services/records/", *, workers: int = 8) -> web.Application:
    """The application for ``store`` served below ``prefix`` (JUPYTERHUB_SERVICE_PREFIX)."""
    prefix = prefix if prefix.endswith("/") else prefix + "/"
    api_prefix = f"{prefix}api/{API_VERSION}/"
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="records-db")
    init = {"store": store, "executor": executor}
    routes = [(api_prefix + url_pattern(path) + "/?", handler, init) for path, handler, _ in ROUTES]
    routes.append((prefix + "oauth_callback", HubOAuthCallbackHandler))
    routes.append((prefix, h.HealthHandler, init))  # the hub's probe of the service's address: no 404 logged
    # verified_identities: (hub user, created) pairs already checked against their roster account;
    # created_by_token: `created` of the owner of a token whose model does not carry it (BaseHandler);
    # drain: the requests being answered, for a stop that cuts none off (__main__).
    # SameSite on the _xsrf cookie too (the hub's OAuth cookie gets it from JUPYTERHUB_COOKIE_OPTIONS).
    return web.Application(routes, api_prefix=api_prefix, cookie_secret=os.urandom(32),
                           xsrf_cookie_kwargs={"samesite": COOKIE_SAMESITE}, log_function=h.log_request,
                           verified_identities=set(), created_by_token={}, drain=Drain())
