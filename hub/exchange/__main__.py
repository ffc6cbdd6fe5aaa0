"""`python -m hub.exchange`: run the exchange as a hub-managed service.

Environment:
  MENTORHUB_EXCHANGE_DIR        the store folder (required), e.g. <state>/exchange-store
  MENTORHUB_EXCHANGE_MAX_BYTES  size limit per submission in bytes (default 20 MB)
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

from .access import Policy
from .store import DEFAULT_MAX_BYTES, ExchangeStore

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
    courses = [c.strip() for c in environ.get("MENTORHUB_EXCHANGE_COURSES", "").split(",") if c.strip()]
    Path(folder).mkdir(parents=True, exist_ok=True, mode=0o700)
    store = ExchangeStore(Path(folder), max_bytes=int(raw_limit))
    return store, Policy(frozenset(courses) if courses else None)


def main(environ=os.environ) -> int:
    logging.basicConfig(level=logging.INFO, format="[%(levelname)s %(asctime)s %(name)s] %(message)s")
    try:
        store, policy = configure(environ)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    from .app import make_app

    prefix = environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/exchange/")
    host, port = listen_address(environ)
    app = make_app(store, policy, prefix)

    async def serve():
        app.listen(port, host, xheaders=True, max_body_size=store.max_bytes * 2 + 2**20)
        log.info("exchange listening on http://%s:%d%s (store %s, limit %d bytes)", host, port, prefix,
                 store.root, store.max_bytes)
        await asyncio.Event().wait()

    try:
        asyncio.run(serve())
    except KeyboardInterrupt:
        log.info("exchange stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
