"""Spawners for demo and server mode.

Both give every user a home with an `apps` link to the read-only Voilà apps (`casestudies/`), so the
workbench and the case-study pages open at `/user/<name>/voila/render/apps/...` with the user's identity.

Both also protect the hub when a training cohort logs in at the same hour: users' servers (and their
kernels) run at a lower CPU priority (`cpu_nice`, given to their sessions too: see `hub.priority`), so
logins, the proxy and the records service stay responsive while servers start; a server still starting
runs at `start_nice`, ahead of the servers and kernels already running, since a teacher is waiting for
it; and only `start_concurrency` servers start at once, the others wait their turn in order (the spawn
page shows the place in the queue) instead of all crawling together until each misses its start timeout.
"""

from __future__ import annotations

import asyncio
import html
import os
import pwd
import re
import shlex
from contextlib import aclosing
from pathlib import Path

import psutil
from jupyterhub.spawner import LocalProcessSpawner, SimpleLocalProcessSpawner, Spawner, set_user_setuid
from jupyterhub.utils import random_port
from traitlets import Any, Bool, Float, Integer, Unicode, validate

from hub.accounts import ensure_unix_account, unix_account_name
from hub.kernel_queue import QUEUE_ENV, SIZE_ENV, default_size
from hub.kernels import DEFAULT_PROVISIONER_ENV, PROVISIONER_NAME
from hub.page_priority import PagePriority
from hub.priority import (
    SystemdTiers,
    UserCpuGroups,
    cpu_tiers,
    lower_own_priority,
    set_autogroup_nice_async,
    write_autogroup_nice,
)
from hub.serverlog import server_log_path, take_own_log
from hub.warmstart import WarmStarter, WarmStartFailed, WarmStartUnavailable

APPS_LINK_NAME = "apps"


def link_apps(home: Path, apps_dir: str, owner: tuple[int, int] | None = None) -> None:
    """Create (or repair) `~/apps` pointing at the shared apps folder."""
    if not apps_dir:
        return
    link = home / APPS_LINK_NAME
    if link.is_symlink() and os.readlink(link) == apps_dir:
        return
    if link.is_symlink():
        link.unlink()
    elif link.exists():
        return  # the user made their own `apps`; leave it alone
    link.symlink_to(apps_dir, target_is_directory=True)
    if owner:
        os.lchown(link, *owner)


def chinese_ready_event(spawner, event: dict) -> dict:
    """JupyterHub's last progress event ("Server ready at ...") in Chinese; the page then redirects."""
    url = event.get("url", "")
    message = "工作空间已就绪，正在打开…"
    return {**event, "message": message, "html_message": f'{message} <a href="{html.escape(url)}">直接打开</a>'}


class StartQueue:
    """At most ``size`` servers starting at once in this hub; the others wait in arrival order."""

    _queues: dict[int, StartQueue] = {}

    def __init__(self, size: int):
        self.slots = asyncio.Semaphore(size)
        self.waiting: list[Spawner] = []

    @classmethod
    def of_size(cls, size: int) -> StartQueue:
        size = size or max(2, os.cpu_count() or 2)
        if size not in cls._queues:
            cls._queues[size] = cls(size)
        return cls._queues[size]

    def place(self, spawner) -> int:
        """1-based place of ``spawner`` among those waiting; 0 when it is not waiting (any more)."""
        return self.waiting.index(spawner) + 1 if spawner in self.waiting else 0


def then_own_log(preexec, log_path: str):
    """``preexec`` (may be None; it may switch to the user's account), then the server's own log
    (``hub.serverlog``) instead of the hub's output."""

    def run():
        if preexec is not None:
            preexec()
        take_own_log(log_path)

    return run


def with_nice(preexec, nice: int, session_nice: int, cpu_group: Path | None = None):
    """Join ``cpu_group`` (while still root), ``preexec`` (may be None), then lower the CPU priority of the
    process by ``nice`` and give its session the niceness ``session_nice``."""

    def run():
        if cpu_group is not None:
            UserCpuGroups.move(0, cpu_group)
        if preexec is not None:
            preexec()
        lower_own_priority(nice, session_nice)

    return run


async def wait_listening(spawner, ip: str, port: int, timeout: float) -> None:
    """Until the new server accepts connections, its process has exited, or ``timeout`` has passed (the
    hub then checks the server itself, as it always does)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline and await spawner.poll() is None:
        try:
            _, writer = await asyncio.open_connection(ip, port)
        except OSError:
            await asyncio.sleep(0.2)
            continue
        writer.close()
        return


class LocalServerSpawner(LocalProcessSpawner):
    """What demo and server mode share: ~/apps, Chinese progress, lower CPU priority, the start queue."""

    apps_dir = Unicode("", config=True, help="Folder of the shared Voilà apps, linked as ~/apps. Empty: no link.")
    cpu_nice = Integer(19, config=True, help="Niceness of users' running servers and their kernels (0: none).")
    start_nice = Integer(
        10, config=True, help="Niceness of a server while it starts (at most cpu_nice): ahead of those running."
    )
    start_concurrency = Integer(
        0, config=True, help="Servers starting at the same time; more wait in order. 0: the CPU count (at least 2)."
    )
    kernel_queue_dir = Unicode("", config=True, help="Folder of the machine's queue of Voilà pages "
                               "(hub.kernel_queue). Empty: no queue.")
    page_concurrency = Integer(
        0, config=True, help="Voilà pages whose kernels start at the same time on this machine; more wait in "
        "order. 0: the CPU count (at least 2).",
    )
    page_backpressure_seconds = Float(
        45.0, config=True, help="Longest since its request that a server start is held while more Voilà pages wait "
        "for their turn than the machine renders at once (0: never).",
    )
    warm_start = Bool(
        True, config=True, help="Fork servers from a process with their modules loaded (hub.warmstart); "
        "an ordinary start where that is not possible.",
    )
    progress_ready_hook = Any(chinese_ready_event, config=True)

    def warm_identity(self) -> dict:
        """Who the fork becomes: ``{"account": unix name}`` or ``{"home": folder}`` (see hub.warmstart)."""
        raise NotImplementedError

    def home_folder(self) -> str:
        """The home folder of the user's server."""
        raise NotImplementedError

    @property
    def log_path(self) -> str:
        return server_log_path(self.home_folder())

    def make_preexec_fn(self, name):
        return with_nice(then_own_log(super().make_preexec_fn(name), self.log_path), self.cpu_nice,
                         self.session_start_nice, self.starting_group)  # fmt: skip

    @property
    def session_start_nice(self) -> int:
        return min(self.start_nice, self.cpu_nice)

    _cpu_tiers: dict[tuple[int, int], SystemdTiers | UserCpuGroups | None] = {}

    @property
    def cpu_tiers(self) -> SystemdTiers | UserCpuGroups | None:
        """The CPU tiers of users' processes (systemd's slices or cgroups, see hub.priority); None where not
        possible or not wanted."""
        key = (self.session_start_nice, self.cpu_nice)
        if key not in self._cpu_tiers:
            self._cpu_tiers[key] = cpu_tiers(*key) if self.cpu_nice else None
        return self._cpu_tiers[key]

    @property
    def starting_group(self) -> Path | None:
        """The cgroup a forked server joins itself before it runs anything (None with systemd's slices: there
        the hub places it once it has its pid)."""
        return self.cpu_tiers.starting if self.cpu_tiers else None

    def get_env(self):
        env = super().get_env()
        env[DEFAULT_PROVISIONER_ENV] = PROVISIONER_NAME  # kernels over Unix sockets, at the server's priority
        if self.kernel_queue_dir:  # Voilà pages' kernels start in order across the machine (hub.kernel_queue)
            env[QUEUE_ENV] = self.kernel_queue_dir
            env[SIZE_ENV] = str(self.page_concurrency or default_size())
        return env

    async def start(self):
        queue, clock = StartQueue.of_size(self.start_concurrency), asyncio.get_running_loop().time
        queue.waiting.append(self)
        queued = clock()
        try:
            await queue.slots.acquire()
        finally:
            queue.waiting.remove(self)
        try:
            held = await self.wait_for_pages(since=queued)
            launched = clock()
            self.log.info("Server of %s writes its output to %s", self.user.name, self.log_path)
            ip, port = await self.launch()
            if self.cpu_tiers and self.cpu_tiers.needs_placing:
                await self.move_to_tier(running=False)
            await wait_listening(self, ip, port, timeout=self.start_timeout)
            await self.move_to_tier(running=True)  # from now on behind those starting
            self.watch_pages()
            self.log.info("Server of %s listening %.1f s after launch (%.1f s in the start queue before, %.1f s of "
                          "it behind waiting pages)", self.user.name, clock() - launched, launched - queued, held)
            return ip, port
        finally:
            queue.slots.release()

    async def launch(self) -> tuple[str, int]:
        """Start the server process: a warm start when possible, else JupyterHub's own way."""
        if self.warm_start and not self.shell_cmd and not self.popen_kwargs:
            try:
                return await self.warm_launch()
            except WarmStartUnavailable as error:
                self.log.warning("No warm start for %s (%s); starting the usual way", self.user.name, error)
        return await super().start()

    async def warm_launch(self) -> tuple[str, int]:
        if self.port == 0:
            self.port = random_port()
        argv = [*self.cmd, *self.get_args()]
        common = {key: value for key, value in self.environment.items() if isinstance(value, str)}
        starter = WarmStarter.for_script(self.cmd[0], common, self.log)
        env = self.get_env()
        starter.check_environment(env)
        request = {"argv": argv, "env": env, "nice": self.cpu_nice, "session_nice": self.session_start_nice,
                   "cpu_group": str(self.starting_group or ""), "log": self.log_path, **self.warm_identity()}
        self.log.info("Spawning %s (forked by the warm starter)", shlex.join(argv))

        def started(pid: int) -> None:
            self.pid = pid

        try:
            await starter.launch(request, started)
        except WarmStartFailed as error:
            raise RuntimeError(f"The server of {self.user.name} could not be set up: {error}") from error
        return self.ip or "127.0.0.1", self.port

    async def poll(self):
        """JupyterHub's poll; for a server forked by the warm starter (not the hub's child), how it ended as
        the warm starter reported it (before the pid can be taken by another process)."""
        if self.proc is None and self.pid:
            status = WarmStarter.exit_status_of(self.pid)
            if status is not None:  # asked again until JupyterHub has cleaned up after the server
                return status
        status = await super().poll()
        if status is None and self.page_priority is not None and self.pid not in self.page_priority.servers:
            self.watch_pages()  # a server found again by a restarted hub
        return status

    async def move_to_tier(self, running: bool) -> None:
        """Give the server the CPU priority of running servers or of starting ones: its session's niceness
        and, where they exist, its cpu cgroup (its threads; kernels started later inherit it)."""
        if not self.pid:
            return
        if self.cpu_nice > self.session_start_nice:
            await set_autogroup_nice_async(self.pid, self.cpu_nice if running else self.session_start_nice)
        if self.cpu_tiers:
            await asyncio.to_thread(self.cpu_tiers.place, [self.pid], running)

    _waiting_for_pages = False

    async def wait_for_pages(self, since: float) -> float:
        """Hold this start while more Voilà pages wait for their turn than the machine renders at once, until
        ``page_backpressure_seconds`` have passed since the start was asked for (``since``, the loop's clock);
        the seconds held. The teachers of those pages are in already and waiting; a new server brings one more
        page, and starting it takes CPU from theirs. So in a cohort's surge the waiting moves to the start
        queue, where the spawn page shows it, each page opens in seconds, and no start waits longer for it
        than the bound, however long the surge."""
        priority = self.page_priority
        if priority is None or self.page_backpressure_seconds <= 0:
            return 0.0
        clock = asyncio.get_running_loop().time
        began = clock()
        self._waiting_for_pages = True
        try:
            while clock() - since < self.page_backpressure_seconds:
                try:
                    if priority.queue.waiting() <= priority.queue.size:
                        break
                except OSError:
                    break
                await asyncio.sleep(0.5)
        finally:
            self._waiting_for_pages = False
        return clock() - began

    @property
    def page_priority(self) -> PagePriority | None:
        if not (self.kernel_queue_dir and self.cpu_nice):
            return None
        return PagePriority.for_queue(self.kernel_queue_dir, self.page_concurrency or default_size())

    def watch_pages(self) -> None:
        """From now on, while this server renders a Voilà page, it and its kernels run in the tier of the
        starting servers (hub.page_priority)."""
        if self.pid and self.page_priority is not None:
            self.page_priority.add(self)

    def move_tree_to_tier(self, running: bool) -> None:
        """The server and every process under it (its kernels) into the running or the starting tier."""
        if not self.pid or self._stop_pending:
            return
        try:
            tree = [psutil.Process(self.pid), *psutil.Process(self.pid).children(recursive=True)]
        except psutil.Error:
            return
        nice = self.cpu_nice if running else self.session_start_nice
        if self.cpu_tiers:
            self.cpu_tiers.place([process.pid for process in tree], running)
        for process in tree:
            try:
                leader = process.pid == os.getsid(process.pid)  # a session's leader: the server, each kernel
            except OSError:
                continue  # it has exited meanwhile
            if self.cpu_nice > self.session_start_nice and leader:
                write_autogroup_nice(process.pid, nice)

    async def stop(self, now=False):
        if self.page_priority is not None:
            self.page_priority.remove(self)
        # A stopping server shuts its kernels down and exits: at the start priority it does so in seconds
        # instead of waiting behind the starting servers until JupyterHub's patience (interrupt_timeout) runs out.
        await self.move_to_tier(running=False)
        # SIGTERM at once, not SIGINT first: a Jupyter server whose input is no terminal takes SIGINT as a
        # KeyboardInterrupt and exits without shutting its kernels down, which then keep running (each in a
        # session of its own); on SIGTERM it stops its kernels, then itself (within `term_timeout`).
        await super().stop(now=True)

    async def _generate_progress(self):
        """JupyterHub's progress stream, whose first event it makes itself ("Server requested"), in Chinese."""
        async with aclosing(super()._generate_progress()) as events:
            async for event in events:
                if event.get("message") == "Server requested":
                    event = {**event, "message": "已收到启动请求…"}
                yield event

    async def progress(self):
        queue, shown = StartQueue.of_size(self.start_concurrency), None
        while place := queue.place(self):
            if place != shown:
                shown = place
                yield {"progress": 10, "message": f"当前启动的人较多，正在排队：前面还有 {place - 1} 位…"}
            await asyncio.sleep(1)
        await asyncio.sleep(0.2)
        if self._waiting_for_pages:
            yield {"progress": 20, "message": "正在打开页面的老师较多，稍候即为您启动…"}
            while self._waiting_for_pages:
                await asyncio.sleep(1)
        yield {"progress": 30, "message": "正在启动您的工作空间（JupyterLab）…"}


class DemoSpawner(LocalServerSpawner, SimpleLocalProcessSpawner):
    """Demo mode: one Unix user for everybody, a home folder per hub user. Not isolated — by design."""

    async def start(self):
        home = Path(self.home_dir)
        home.mkdir(parents=True, exist_ok=True)
        link_apps(home, self.apps_dir)
        return await super().start()

    def warm_identity(self) -> dict:
        return {"home": self.home_dir}

    def home_folder(self) -> str:
        return self.home_dir


class UnixAccountSpawner(LocalServerSpawner):
    """Server mode: each hub user runs as their own Unix account, created on first spawn.

    The account is `<user_prefix><hub name>` with a private home (mode 0700) under `home_root`,
    as the-littlest-jupyterhub does; the hub itself must run as root to create accounts and switch to them.
    """

    user_prefix = Unicode("mh-", config=True, help="Prefix of the Unix account name, e.g. 'mh-' gives 'mh-teacher1'.")
    home_root = Unicode("/home", config=True, help="Folder under which the accounts' homes are created.")
    uid_min = Integer(70000, config=True, help="First uid of users' accounts, e.g. 70000; the network policy "
                      "(hub.netpolicy) keeps the processes of uid_min..uid_max off the hub's internal ports.")
    uid_max = Integer(99999, config=True, help="Last uid of users' accounts (see uid_min). An existing account "
                      "outside the range is refused.")

    @validate("user_prefix")
    def _check_prefix(self, proposal):
        value = proposal["value"]
        if not re.fullmatch(r"[a-z][a-z0-9-]{0,10}", value):
            raise ValueError(f"UnixAccountSpawner.user_prefix {value!r}: use lower-case letters, digits and '-'")
        return value

    @property
    def unix_name(self) -> str:
        return unix_account_name(self.user_prefix, self.user.name)

    def ensure_account(self) -> pwd.struct_passwd:
        """The user's account; refused (the spawn fails with a Chinese message) when it was made for someone
        else, e.g. ``li.ming``'s account ``mh-li-ming`` when ``li_ming`` starts a server."""
        return ensure_unix_account(self.unix_name, self.home_root, f"Mentor Hub user {self.user.name}",
                                   uids=(self.uid_min, self.uid_max))

    def make_preexec_fn(self, name):
        return with_nice(then_own_log(set_user_setuid(self.unix_name), self.log_path), self.cpu_nice,
                         self.session_start_nice, self.starting_group)  # fmt: skip

    def warm_identity(self) -> dict:
        return {"account": self.unix_name}

    def home_folder(self) -> str:
        return pwd.getpwnam(self.unix_name).pw_dir

    def user_env(self, env):
        account = pwd.getpwnam(self.unix_name)
        env["USER"] = self.unix_name
        env["HOME"] = account.pw_dir
        env["SHELL"] = account.pw_shell or "/bin/bash"
        return env

    async def start(self):
        account = self.ensure_account()
        home = Path(account.pw_dir)
        home.mkdir(parents=True, exist_ok=True)
        os.chown(home, account.pw_uid, account.pw_gid)
        home.chmod(0o700)
        link_apps(home, self.apps_dir, owner=(account.pw_uid, account.pw_gid))
        return await super().start()
