"""`python -m hub.exchange`: run the exchange as a hub-managed service.

Environment:
  MENTORHUB_EXCHANGE_DIR        the store folder (required), e.g. <state>/exchange-store
  MENTORHUB_EXCHANGE_MAX_BYTES  size limit per submission in bytes (default 20 MB)
  MENTORHUB_EXCHANGE_QUOTA_BYTES  what is kept of one teacher's submissions per course, in bytes (default 50 MB)
  MENTORHUB_EXCHANGE_RATE       submissions per teacher and window, as COUNT/SECONDS (default 10/600)
  MENTORHUB_EXCHANGE_COURSES    comma-separated course ids this exchange serves (default: any course
                                a caller's hub groups name)
  MENTORHUB_SERVICE_BIND_URL    where to listen when it differs from the service URL (cluster mode)
  JUPYTERHUB_SERVICE_URL        where to listen (set by the hub), e.g. http://127.0.0.1:10102
  JUPYTERHUB_SERVICE_PREFIX     URL prefix (set by the hub), default /services/exchange/
  JUPYTERHUB_API_URL, JUPYTERHUB_API_TOKEN, ...  read by jupyterhub.services.auth.HubAuth
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from pathlib import Path
from urllib.parse import urlparse

from hub.graceful import serve_until_stopped

from .access import Policy
from .limits import DEFAULT_COUNT, DEFAULT_WINDOW_SECONDS, SubmissionRate
from .store import DEFAULT_MAX_BYTES, DEFAULT_QUOTA_BYTES, ExchangeStore

log = logging.getLogger("hub.exchange")


def listen_address(environ) -> tuple[str, int]:
    url = environ.get("MENTORHUB_SERVICE_BIND_URL") or environ.get("JUPYTERHUB_SERVICE_URL") or ""
    parsed = urlparse(url or "http://127.0.0.1:10102")
    return parsed.hostname or "127.0.0.1", parsed.port or 10102


def configure(environ) -> tuple[ExchangeStore, Policy]:
    """Store and policy from the environment; raises ValueError with a bilingual message."""
    folder = environ.get("MENTORHUB_EXCHANGE_DIR", "")
    if not folder:
        raise ValueError("MENTORHUB_EXCHANGE_DIR is not set: the exchange needs its store folder.\n"
                         "未设置 MENTORHUB_EXCHANGE_DIR：作业交换服务需要存储目录。")
    raw_limit = environ.get("MENTORHUB_EXCHANGE_MAX_BYTES", "") or str(DEFAULT_MAX_BYTES)
    if not raw_limit.isdigit() or int(raw_limit) <= 0:
        raise ValueError(f"MENTORHUB_EXCHANGE_MAX_BYTES must be a positive number of bytes, not {raw_limit!r}.\n"
                         "MENTORHUB_EXCHANGE_MAX_BYTES 必须是正整数（字节数）。")
    raw_quota = environ.get("MENTORHUB_EXCHANGE_QUOTA_BYTES", "") or str(DEFAULT_QUOTA_BYTES)
    if not raw_quota.isdigit() or int(raw_quota) <= 0:
        raise ValueError(f"MENTORHUB_EXCHANGE_QUOTA_BYTES must be a positive number of bytes, not {raw_quota!r}.\n"
                         "MENTORHUB_EXCHANGE_QUOTA_BYTES 必须是正整数（字节数）。")
    courses = [c.strip() for c in environ.get("MENTORHUB_EXCHANGE_COURSES", "").split(",") if c.strip()]
    Path(folder).mkdir(parents=True, exist_ok=True, mode=0o700)
    Path(folder).chmod(0o700)  # private to the service, whoever made the folder (e.g. the demo's seed)
    store = ExchangeStore(Path(folder), max_bytes=int(raw_limit), quota_bytes=int(raw_quota))
    return store, Policy(frozenset(courses) if courses else None)


def configure_rate(environ) -> SubmissionRate:
    """The submission rate limit from ``MENTORHUB_EXCHANGE_RATE`` (``COUNT/SECONDS``)."""
    raw = environ.get("MENTORHUB_EXCHANGE_RATE", "") or f"{DEFAULT_COUNT}/{DEFAULT_WINDOW_SECONDS}"
    count, _, window = raw.partition("/")
    if not (count.isdigit() and window.isdigit() and int(count) > 0 and int(window) > 0):
        raise ValueError(f"MENTORHUB_EXCHANGE_RATE must be COUNT/SECONDS such as 10/600, not {raw!r}.\n"
                         "MENTORHUB_EXCHANGE_RATE 必须形如 10/600（次数/秒数）。")
    return SubmissionRate(int(count), int(window))


def main(environ=os.environ) -> int:
    logging.basicConfig(level=logging.INFO, format="[%(levelname)s %(asctime)s %(name)s] %(message)s")
    try:
        store, policy = configure(environ)
        rate = configure_rate(environ)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    from .app import make_app

    prefix = environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/exchange/")
    host, port = listen_address(environ)
    app = make_app(store, policy, prefix, rate=rate)

    def listen():
        server = app.listen(port, host, xheaders=True, max_body_size=store.max_bytes * 2 + 2**20)
        log.info("exchange listening on http://%s:%d%s (store %s, limit %d bytes, quota %d bytes per teacher "
                 "and course, %d submissions per %g s)", host, port, prefix, store.root, store.max_bytes,
                 store.quota_bytes, rate.count, rate.window)
        return server

    try:
        asyncio.run(serve_until_stopped(listen, app.settings["drain"], "exchange", log))
    except KeyboardInterrupt:  # before the loop took the signals over
        log.info("exchange stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
