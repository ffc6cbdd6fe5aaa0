"""Voilà pages through the machine's queue (hub.kernel_queue): a Jupyter server extension of users' servers
(enabled in ``hub/user_config/jupyter_server_config.d``).

Voilà starts a page's kernel before it sends the first byte of the page, so a page cannot show its place
while it waits for its kernel. Hence two steps, as a browser sees them:

1. ``GET …/voila/render/<notebook>``: when the page's turn has come (fewer than the queue's size ahead of
   it), Voilà renders it at once, as before, holding its ticket until the page has been sent. Otherwise
   the answer is a small page in Chinese that shows how many pages are ahead and asks every second
   (``GET …/mentorhub/voila-queue/<ticket>``) until its turn comes;
2. then it loads the same address with ``?mh_queue=<ticket>``: Voilà renders it under that ticket.

A waiting ticket that nobody asks about for ``FORGOTTEN_AFTER`` seconds (the tab was closed), or whose turn
came and whose page did not follow within ``UNCLAIMED_AFTER``, is given up, so an abandoned page never
holds the others up. Voilà's own preheated kernels would move the kernel's cost ahead of the request, but
Voilà has them only as a standalone application (its server extension, which users' servers use, has no
kernel pool), and a preheated workbench would show records as they were when its kernel started, not
after the teacher's last save.

The route's handler is Voilà's own, replaced by a subclass once every extension is loaded; if Voilà ever
renames its handler the queue is off and the server logs it (tests/unit/test_voila_queue.py fails).
"""

from __future__ import annotations

import html
import json
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web
from tornado.ioloop import PeriodicCallback

from hub.kernel_queue import KernelQueue, Ticket

TICKET_ARG = "mh_queue"
POLL_ROUTE = "mentorhub/voila-queue"
FORGOTTEN_AFTER = 20.0  # seconds without a poll: the waiting page is gone
UNCLAIMED_AFTER = 30.0  # seconds between "your turn" and the page's request
SWEEP_SECONDS = 5.0
RENDER_ROUTE_SUFFIX = "/voila/render/(.*)"

WAIT_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>页面排队中</title>
<style>
body {{ font-family: system-ui, "Noto Sans CJK SC", sans-serif; margin: 0; background: #f6f7f9; color: #1f2933; }}
main {{ max-width: 32rem; margin: 18vh auto 0; padding: 2rem 1.5rem; background: #fff; border-radius: 8px;
       box-shadow: 0 1px 4px rgba(0,0,0,.12); text-align: center; }}
h1 {{ font-size: 1.3rem; margin: 0 0 1rem; }}
p {{ line-height: 1.7; margin: .5rem 0; }}
#mh-queue-place {{ font-size: 2.2rem; font-weight: 600; color: #1565c0; }}
</style></head>
<body data-mentorhub-queue="{ticket}">
<main>
  <h1>页面正在排队</h1>
  <p>这台服务器上同时有很多老师打开页面，为了让每个页面都能尽快打开，页面按到达顺序依次准备。</p>
  <p>前面还有 <span id="mh-queue-place">{ahead}</span> 个页面</p>
  <p>轮到您时会自动打开，请不要关闭或刷新本页。</p>
  <noscript><p>请启用浏览器的 JavaScript，或稍后重新打开本页。</p></noscript>
</main>
<script>
(function () {{
  var poll = {poll}, target = {target}, place = document.getElementById("mh-queue-place");
  var headers = {{"X-XSRFToken": {xsrf}}};  // the server refuses a script's cookie-authenticated request without it
  function ask() {{
    fetch(poll, {{credentials: "same-origin", cache: "no-store", headers: headers}}).then(function (answer) {{
      if (answer.status === 404) {{ window.location.replace({again}); return null; }}
      return answer.ok ? answer.json() : null;
    }}).then(function (state) {{
      if (state && state.go) {{ window.location.replace(target); return; }}
      if (state) {{ place.textContent = state.ahead; }}
      window.setTimeout(ask, 1000);
    }}).catch(function () {{ window.setTimeout(ask, 2000); }});
  }}
  window.setTimeout(ask, 1000);
}})();
</script>
</body></html>
"""


def script_literal(value: str) -> str:
    """``value`` as a JavaScript string literal that is safe inside a <script> element."""
    return json.dumps(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def with_ticket(url: str, ticket: str | None) -> str:
    """``url`` with the queue's argument set to ``ticket`` (or removed, for None)."""
    parts = urlsplit(url)
    query = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True) if key != TICKET_ARG]
    if ticket is not None:
        query.append((TICKET_ARG, ticket))
    return urlunsplit(parts._replace(query=urlencode(query)))


class Waiting:
    """The tickets of this server's pages that wait, or whose turn came and whose page has not come yet."""

    def __init__(self, queue: KernelQueue):
        self.queue = queue
        self.tickets: dict[str, Ticket] = {}

    def ahead(self, ticket: Ticket) -> int:
        """The pages that have to be done before this one may start (what the waiting page shows)."""
        return max(1, ticket.place() - self.queue.size + 1)

    def poll(self, name: str) -> dict | None:
        ticket = self.tickets.get(name)
        if ticket is None:
            return None
        ticket.last_seen = time.monotonic()
        if ticket.may_go():
            ticket.go()  # reserved for the page that follows
            return {"go": True}
        return {"go": False, "ahead": self.ahead(ticket)}

    def sweep(self) -> None:
        now = time.monotonic()
        for name, ticket in list(self.tickets.items()):
            claimed_late = ticket.going_since is not None and now - ticket.going_since > UNCLAIMED_AFTER
            if claimed_late or now - ticket.last_seen > FORGOTTEN_AFTER:
                self.tickets.pop(name).release()


def queued_handler(voila_handler: type) -> type:
    """A subclass of Voilà's page handler that renders each page under a ticket of the queue."""

    class QueuedVoilaHandler(voila_handler):
        @web.authenticated
        async def get(self, path=None):
            waiting: Waiting = self.settings["mentorhub_voila_queue"]
            if not (path or "").lower().endswith(".ipynb"):
                return await super().get(path)  # not a page: Voilà sends the file's address
            ticket = waiting.tickets.pop(self.get_argument(TICKET_ARG, ""), None)
            if ticket is None:
                try:
                    ticket = waiting.queue.join()
                except OSError as error:  # the queue's folder is gone or not ours to write: no queue, no failure
                    self.log.warning("Voila page queue unavailable (%s); rendering without it", error)
                    return await super().get(path)
            if not ticket.may_go():
                waiting.tickets[ticket.name] = ticket
                self.finish_waiting_page(waiting, ticket)
                return
            ticket.go()
            try:
                await super().get(path)
            finally:
                ticket.release()

        def finish_waiting_page(self, waiting: Waiting, ticket: Ticket) -> None:
            self.set_header("Content-Type", "text/html; charset=UTF-8")
            self.set_header("Cache-Control", "no-cache, no-store, must-revalidate")
            url = self.request.uri
            poll = url_path_join(self.base_url, POLL_ROUTE, ticket.name)
            self.finish(WAIT_PAGE.format(
                ticket=html.escape(ticket.name), ahead=waiting.ahead(ticket),
                poll=script_literal(poll), target=script_literal(with_ticket(url, ticket.name)),
                again=script_literal(with_ticket(url, None)), xsrf=script_literal(self.xsrf_token.decode()),
            ))

    QueuedVoilaHandler.__name__ = QueuedVoilaHandler.__qualname__ = f"Queued{voila_handler.__name__}"
    return QueuedVoilaHandler


class QueuePlaceHandler(JupyterHandler):
    """``{"go": true}`` when the waiting page's turn has come, else ``{"go": false, "ahead": n}``; 404 for a
    ticket that this server does not know (given up: the page then joins the queue anew)."""

    @web.authenticated
    def get(self, name: str):
        state = self.settings["mentorhub_voila_queue"].poll(name)
        if state is None:
            raise web.HTTPError(404)
        self.set_header("Cache-Control", "no-store")
        self.finish(state)


def render_rules(web_app) -> list:
    """The routing rules of Voilà's page route (``…/voila/render/(.*)``) in the server's routers."""
    found = []
    for host_rule in web_app.default_router.rules:
        for rule in getattr(host_rule.target, "rules", []):
            pattern = getattr(rule.matcher, "regex", None)
            if pattern is not None and pattern.pattern.endswith(RENDER_ROUTE_SUFFIX + "$"):
                found.append(rule)
    return found


def _load_jupyter_server_extension(serverapp) -> None:
    queue = KernelQueue.from_environment()
    if queue is None:
        return  # no queue on this machine (cluster mode, or a server started by hand)
    serverapp.web_app.settings["mentorhub_voila_queue"] = Waiting(queue)
    route = url_path_join(serverapp.base_url, POLL_ROUTE, r"([0-9a-f-]+)")
    serverapp.web_app.add_handlers(".*$", [(route, QueuePlaceHandler)])


async def _start_jupyter_server_extension(serverapp) -> None:
    waiting = serverapp.web_app.settings.get("mentorhub_voila_queue")
    if waiting is None:
        return
    rules = render_rules(serverapp.web_app)
    if not rules:
        serverapp.log.warning("Voila page queue: Voila's page route was not found; pages start without it")
        return
    for rule in rules:
        rule.target = queued_handler(rule.target)
    PeriodicCallback(waiting.sweep, SWEEP_SECONDS * 1000).start()
    PeriodicCallback(waiting.queue.sweep, 60_000).start()
    serverapp.log.debug("Voila page queue: %s, %d at a time", waiting.queue.folder, waiting.queue.size)


def _jupyter_server_extension_points():
    return [{"module": "hub.voila_queue"}]
