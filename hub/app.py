"""`python -m hub.app -f jupyterhub_config.py`: JupyterHub with one change, services start side by side.

Stock JupyterHub starts hub-managed services one after another and gives each about ten one-second tries
to answer, then exits. A course formgrader is a whole `jupyterhub-singleuser` server with nbgrader: on a
busy two-core machine it can take 20 s to answer, so three courses made the hub slow to start or refuse to
start at all. Here every managed service with a URL is started at once and watched in the background:
its route exists from the start (the proxy answers 503 until the service is up), a service that exits is
restarted by JupyterHub as usual, and one that stays silent past `service_start_timeout` is logged as
critical.

Stopping is quick and clean (Ctrl-C on `make run`, SIGTERM from an operator): the periodic checks stop
first (a health check of a service that was just stopped used to end in `AttributeError: 'NoneType' object
has no attribute 'proto'`), the service watchers are cancelled, and every managed service is stopped at
once instead of one after another (each may take up to 20 s). Users' servers keep running when the hub
stops (`JupyterHub.cleanup_servers = False`: a restart must not end anybody's work), except on SIGINT when
`stop_servers_on_interrupt` is set (demo mode: Ctrl-C on `make run` stops everything the hub started).
Everything else is JupyterHub unchanged.
"""

from __future__ import annotations

import asyncio
import signal

from jupyterhub.app import JupyterHub
from jupyterhub.objects import Server
from jupyterhub.utils import AnyTimeoutError
from traitlets import Bool, Integer

from hub.quiet import quiet_python_warnings

quiet_python_warnings()  # before JupyterHub loads its event schemas


class MentorHub(JupyterHub):
    name = "jupyterhub"  # read the same config files and command-line options as `jupyterhub`

    service_start_timeout = Integer(
        180, config=True,
        help="Seconds a hub-managed service with a URL may take to answer after it was started, e.g. 180; "
             "past that it is logged as critical (JupyterHub keeps restarting services that exit).",
    )

    stop_servers_on_interrupt = Bool(
        False, config=True,
        help="Stop users' servers (and so their kernels) when the hub gets SIGINT (Ctrl-C in its terminal), "
             "whatever JupyterHub.cleanup_servers says; SIGTERM (an operator's restart) keeps them. "
             "Demo mode sets it: Ctrl-C on `make run` leaves nothing running.",
    )

    _stopping = False

    async def initialize(self, *args, **kwargs):
        # A hub started in the background (`cmd &`, CI) inherits SIGINT ignored, and so would every service and
        # server it starts (an exec keeps an ignored signal ignored): none of them would stop on SIGINT, which
        # is how JupyterHub asks services to stop. Handled here, so their SIGINT is the default again.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        await super().initialize(*args, **kwargs)

    async def start_service(self, service_name, service, ssl_context=None):
        if self._stopping:
            return False  # a service that exits while the hub stops is not started again
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
        if service.orm.server is None:  # stopped before the watch began
            return False
        try:
            await Server.from_orm(service.orm.server).wait_up(
                http=True, timeout=self.service_start_timeout, ssl_context=ssl_context)
        except AnyTimeoutError:
            self.log.critical("Service %s did not answer within %d s", service_name, self.service_start_timeout)
            return False
        self.log.info("Service %s is up", service_name)
        return True

    async def check_services_health(self):
        if self._stopping:
            return
        await super().check_services_health()

    async def shutdown_cancel_tasks(self, sig=None):
        if sig == signal.SIGINT and self.stop_servers_on_interrupt:
            self.cleanup_servers = True
        await super().shutdown_cancel_tasks(sig)

    async def cleanup(self):
        self._stopping = True
        for callback in self._periodic_callbacks.values():
            callback.stop()
        for watcher in getattr(self, "_service_watchers", []):
            watcher.cancel()
        managed = [service for service in self._service_map.values() if service.managed and service.spawner]
        if managed:
            self.log.info("Stopping %i services", len(managed))
            results = await asyncio.gather(*(service.stop() for service in managed), return_exceptions=True)
            for service, result in zip(managed, results, strict=True):
                if isinstance(result, Exception):
                    self.log.error("Failed to stop service %s: %s", service.name, result)
        await super().cleanup()  # the services are stopped already; then the servers, the proxy, the pid file


main = MentorHub.launch_instance

if __name__ == "__main__":
    main()
