"""`python -m hub.app -f jupyterhub_config.py`: JupyterHub with one change, services start side by side.

Stock JupyterHub starts hub-managed services one after another and gives each about ten one-second tries
to answer, then exits. A course formgrader is a whole `jupyterhub-singleuser` server with nbgrader: on a
busy two-core machine it can take 20 s to answer, so three courses made the hub slow to start or refuse to
start at all. Here every managed service with a URL is started at once and watched in the background:
its route exists from the start (the proxy answers 503 until the service is up), a service that exits is
restarted by JupyterHub as usual, and one that stays silent past `service_start_timeout` is logged as
critical. Everything else is JupyterHub unchanged.
"""

from __future__ import annotations

import asyncio

from jupyterhub.app import JupyterHub
from jupyterhub.objects import Server
from jupyterhub.utils import AnyTimeoutError
from traitlets import Integer


class MentorHub(JupyterHub):
    name = "jupyterhub"  # read the same config files and command-line options as `jupyterhub`

    service_start_timeout = Integer(
        180, config=True,
        help="Seconds a hub-managed service with a URL may take to answer after it was started, e.g. 180; "
             "past that it is logged as critical (JupyterHub keeps restarting services that exit).",
    )

    async def start_service(self, service_name, service, ssl_context=None):
        if not (service.managed and service.url):
            return await super().start_service(service_name, service, ssl_context)
        self.log.info("Starting managed service %s at %s", service_name, service.url)
        try:
            await service.start()
        except Exception:
            self.log.critical("Failed to start service %s", service_name, exc_info=True)
            return False
        watcher = asyncio.ensure_future(self._watch_service(service_name, service, ssl_context))
        self._service_watchers = [*getattr(self, "_service_watchers", []), watcher]
        return True

    async def _watch_service(self, service_name, service, ssl_context) -> bool:
        try:
            await Server.from_orm(service.orm.server).wait_up(
                http=True, timeout=self.service_start_timeout, ssl_context=ssl_context)
        except AnyTimeoutError:
            self.log.critical("Service %s did not answer within %d s", service_name, self.service_start_timeout)
            return False
        self.log.info("Service %s is up", service_name)
        return True


main = MentorHub.launch_instance

if __name__ == "__main__":
    main()
