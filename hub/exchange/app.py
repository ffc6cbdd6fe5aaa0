"""The exchange service's tornado application: routes under ``<prefix>api/``."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tornado import web

from hub.graceful import Drain

from . import handlers as h

_ID = r"([^/]+)"
#: (path below <prefix>api/, handler) -- ids are matched loosely here and validated by the handlers,
#: so that a bad id gets a 400 with a message rather than a bare 404.
ROUTES = [
    ("health", h.HealthHandler),
    ("courses", h.CoursesHandler),
    (f"courses/{_ID}/assignments", h.ReleasesHandler),
    (f"courses/{_ID}/assignments/{_ID}", h.ReleaseHandler),
    (f"courses/{_ID}/assignments/{_ID}/submissions", h.SubmitHandler),
    (f"courses/{_ID}/submissions", h.SubmissionsHandler),
    (f"courses/{_ID}/submissions/{_ID}/{_ID}/{_ID}", h.SubmissionHandler),
    (f"courses/{_ID}/feedback", h.FeedbackListHandler),
    (f"courses/{_ID}/feedback/{_ID}/{_ID}/{_ID}", h.FeedbackHandler),
]


def make_app(store, policy, prefix: str = "/services/exchange/", *, identity=h.HubIdentity,
             workers: int = 8, rate=None) -> web.Application:
    """The application for ``store`` below ``prefix``; ``identity`` supplies ``identify()`` (the hub token);
    ``rate`` (a ``hub.exchange.limits.SubmissionRate``, or None for no limit) limits submissions."""
    prefix = prefix if prefix.endswith("/") else prefix + "/"
    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="exchange-io")
    init = {"store": store, "policy": policy, "executor": executor, "rate": rate}
    routes = []
    for path, handler in ROUTES:
        bound = type(handler.__name__, (identity, handler), {})
        routes.append((f"{prefix}api/{path}/?", bound, init))
    # the hub's probe of the service's address answers like the health check (no 404 logged at every start)
    routes.append((prefix, type("RootHandler", (identity, h.HealthHandler), {}), init))
    return web.Application(routes, default_handler_class=_bound_not_found(identity), default_handler_args=init,
                           drain=Drain())  # fmt: skip


def _bound_not_found(identity):
    class NotFoundHandler(identity, h.BaseHandler):
        public = True

        def prepare(self):
            raise web.HTTPError(404, "no such address in the exchange API")

    return NotFoundHandler
