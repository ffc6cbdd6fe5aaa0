"""`python -m hub.records`: run the records service as a hub-managed service.

Environment:
  MENTORHUB_RECORDS_DB_URL   the records database (required; must be migrated: `mentorhub db upgrade`)
  MENTORHUB_SERVICE_BIND_URL where to listen when set (cluster mode: http://0.0.0.0:8181, so that the proxy
                             pod reaches the service at its `url`, which names the hub's Service)
  JUPYTERHUB_SERVICE_URL     otherwise where to listen (set by the hub), e.g. http://127.0.0.1:8181
  JUPYTERHUB_SERVICE_PREFIX  URL prefix (set by the hub), default /services/records/
  JUPYTERHUB_API_URL, JUPYTERHUB_API_TOKEN, ...  read by jupyterhub.services.auth.HubOAuth
  MENTORHUB_RECORDS_WORKERS  database worker threads (default 8)
  MENTORHUB_FIELD_KEY_FILE   the keys of the encrypted fields (hub.store.crypto; required, else the state
                             folder's secrets/field-keys.json when MENTORHUB_STATE_DIR is set)
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from urllib.parse import urlparse

from hub.graceful import serve_until_stopped
from hub.store import NotMigrated, StoreError, open_store

log = logging.getLogger("hub.records")


BIND_URL_ENV = "MENTORHUB_SERVICE_BIND_URL"  # the same name as hub.cluster.SERVICE_BIND_ENV
DEFAULT_URL = "http://127.0.0.1:8181"


def listen_address(environ) -> tuple[str, int]:
    """(host, port) to listen on: MENTORHUB_SERVICE_BIND_URL when set, else JUPYTERHUB_SERVICE_URL."""
    url = environ.get(BIND_URL_ENV) or environ.get("JUPYTERHUB_SERVICE_URL") or DEFAULT_URL
    parsed = urlparse(url)
    return parsed.hostname or "127.0.0.1", parsed.port or 8181


def configure_logging(stream=None) -> None:
    """INFO to stderr (the hub's log) by default; successful API calls are logged at DEBUG only."""
    logging.basicConfig(level=logging.INFO, format="[%(levelname)s %(asctime)s %(name)s] %(message)s",
                        stream=stream)  # fmt: skip


def use_field_keys(store, environ) -> bool:
    """Give the store the field keys (MENTORHUB_FIELD_KEY_FILE, else the state folder's secrets/field-keys.json);
    False, after saying why, when there are none: the service never writes sensitive fields unencrypted."""
    from pathlib import Path

    from hub.store.crypto import KEY_FILE_ENV, KEY_FILE_NAME, KeyRing, attach

    path = environ.get(KEY_FILE_ENV) or (
        str(Path(environ["MENTORHUB_STATE_DIR"]) / "secrets" / KEY_FILE_NAME) if environ.get("MENTORHUB_STATE_DIR")
        else "")  # fmt: skip
    if not path or not Path(path).exists():
        print(f"{KEY_FILE_ENV} names no key file ({path or 'not set'}): the records service needs the field keys "
              f"(privacy.key_file; the hub makes the file at its first start).\n"
              f"找不到敏感字段的密钥文件（{path or '未设置'}）：记录服务不能在没有密钥的情况下运行（设置项 privacy.key_file）。",
              file=sys.stderr)  # fmt: skip
        return False
    try:
        attach(store.engine, KeyRing.from_file(path))
    except StoreError as error:
        print(f"{error.message_en}\n{error.message_zh}", file=sys.stderr)
        return False
    return True


def main(environ=os.environ) -> int:
    configure_logging()
    db_url = environ.get("MENTORHUB_RECORDS_DB_URL", "")
    if not db_url:
        print("MENTORHUB_RECORDS_DB_URL is not set: the records service needs its database URL.\n"
              "未设置 MENTORHUB_RECORDS_DB_URL：记录服务需要数据库地址。", file=sys.stderr)  # fmt: skip
        return 2
    try:
        store = open_store(db_url)
    except NotMigrated as error:
        print(f"{error.message_en}\n{error.message_zh}", file=sys.stderr)
        return 3
    except StoreError as error:
        print(f"{error.message_en}\n{error.message_zh}", file=sys.stderr)
        return 4
    if not use_field_keys(store, environ):
        return 5
    if environ.get("MENTORHUB_PRIVACY"):  # request_days, copy_concern_details (hub.privacy)
        import json

        store.privacy_options = {**store.privacy_options, **json.loads(environ["MENTORHUB_PRIVACY"])}
    from .app import make_app

    prefix = environ.get("JUPYTERHUB_SERVICE_PREFIX", "/services/records/")
    host, port = listen_address(environ)
    app = make_app(store, prefix, workers=int(environ.get("MENTORHUB_RECORDS_WORKERS", "8")))

    def listen():
        server = app.listen(port, host, xheaders=True)
        log.info("records service listening on http://%s:%d%s", host, port, prefix)
        return server

    try:
        asyncio.run(serve_until_stopped(listen, app.settings["drain"], "records service", log))
    except KeyboardInterrupt:  # before the loop took the signals over
        log.info("records service stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
