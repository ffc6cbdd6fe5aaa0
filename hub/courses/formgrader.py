"""What a course's formgrader server may do beyond nbgrader's own pages: nothing that runs code.

A formgrader runs as the course's grader account (root in demo mode) with every submission and the
gradebook in reach. Trainers use it to grade; autograding starts its own sandboxed kernels through
nbgrader (``hub.courses.grading``), never through the server's kernel manager. So the server gets no
terminals (``ServerApp.terminals_enabled``) and a kernel manager that refuses every kernel.
"""

from __future__ import annotations

from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager
from tornado import web

from . import texts

FORMGRADER_SERVER_ARGS = (
    "--ServerApp.terminals_enabled=False",
    "--ServerApp.kernel_manager_class=hub.courses.formgrader.NoKernels",
)


class NoKernels(AsyncMappingKernelManager):
    """A kernel manager that starts no kernel: a trainer's browser session cannot run code in a formgrader."""

    async def start_kernel(self, *args, **kwargs):
        self.log.warning("Refused to start a kernel in a formgrader (kernel name %s)", kwargs.get("kernel_name"))
        raise web.HTTPError(403, texts.FORMGRADER_NO_KERNELS)
