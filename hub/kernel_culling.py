"""Users' servers: the kernels of closed Voilà pages are shut down within minutes (issue 19, item 6).

A Voilà page (the workbench, the case rooms) starts a kernel for each visit. When the browser leaves the
page, its websocket closes, but the kernel stays: about 100 MB each, for as long as the server's idle
culling allows (30 minutes, which suits a teacher's notebook left open over a break, not a page nobody
has open). ``CullingKernelManager`` remembers which kernels Voilà started (Voilà gives them ``VOILA_*``
environment variables) and shuts one down once no page has been connected to it for
``voila_cull_idle_timeout`` seconds and it is not busy; every other kernel is culled as before
(``MappingKernelManager.cull_idle_timeout``). Set in ``hub/user_config/jupyter_server_config.json``, the only
place where jupyter_server reads culling settings.
"""

from __future__ import annotations

from datetime import timedelta

from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from traitlets import Integer

VOILA_MARKER = "VOILA_BASE_URL"  # set by Voilà's page handler in the environment of every kernel it starts


class CullingKernelManager(AsyncMappingKernelManager):
    voila_cull_idle_timeout = Integer(
        180, config=True,
        help="Seconds after which a kernel started for a Voilà page, with no page connected and not busy, is "
             "shut down, e.g. 180. Checked every MappingKernelManager.cull_interval seconds; 0 turns it off.",
    )

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.voila_kernels: set[str] = set()

    async def start_kernel(self, *args, **kwargs):
        kernel_id = await super().start_kernel(*args, **kwargs)
        if VOILA_MARKER in (kwargs.get("env") or {}):
            self.voila_kernels.add(kernel_id)
        return kernel_id

    def page_closed_long_enough(self, kernel_id: str) -> bool:
        """A Voilà kernel that no page has used for ``voila_cull_idle_timeout`` seconds."""
        kernel = self._kernels.get(kernel_id)
        if kernel is None or kernel_id not in self.voila_kernels or not self.voila_cull_idle_timeout:
            return False
        if self._kernel_connections.get(kernel_id, 0) or getattr(kernel, "execution_state", None) == "busy":
            return False
        last = getattr(kernel, "last_activity", None)
        return last is not None and utcnow() - last > timedelta(seconds=self.voila_cull_idle_timeout)

    async def cull_kernel_if_idle(self, kernel_id):
        if self.page_closed_long_enough(kernel_id):
            self.log.info("Shutting down the kernel %s of a Voilà page closed for %d s or more", kernel_id,
                          self.voila_cull_idle_timeout)
            await self.shutdown_kernel(kernel_id)
            return
        await super().cull_kernel_if_idle(kernel_id)

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        self.voila_kernels.discard(kernel_id)
        return await super().shutdown_kernel(kernel_id, *args, **kwargs)
