"""`python -m hub.proxy PROXY ARGS...`: configurable-http-proxy with error pages of its own, in Chinese.

JupyterHub starts the proxy with ``--error-target <hub>/hub/error``: for a request it cannot route, or whose
target does not answer, the proxy asks the hub for the page to show. The proxy starts before the hub
listens, so a request in that moment (a JupyterLab tab left open, reconnecting while `make run` starts)
logged ``Failed to get custom error page: ECONNREFUSED`` and got an English page; so did every request while
the hub restarts. Here the proxy serves the static pages of ``hub/proxy_errors`` instead (its own
``--error-path`` option): they need nothing else running. ``ConfigurableHTTPProxy.command`` runs this module
(hub.config); it replaces the one option and becomes the proxy (same process, so JupyterHub's pid file and
its ``stop`` still apply to it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ERROR_PAGES = Path(__file__).resolve().parent / "proxy_errors"


def proxy_arguments(args: list[str], error_pages: Path = ERROR_PAGES) -> list[str]:
    """``args`` with ``--error-target URL`` replaced by ``--error-path error_pages`` (the proxy refuses both)."""
    result, skip = [], False
    for index, arg in enumerate(args):
        if skip:
            skip = False
            continue
        if arg == "--error-target" and index + 1 < len(args):
            result += ["--error-path", str(error_pages)]
            skip = True
        elif arg.startswith("--error-target="):
            result.append(f"--error-path={error_pages}")
        else:
            result.append(arg)
    return result


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        sys.exit("usage: python -m hub.proxy PATH-TO-configurable-http-proxy [ARGS...]")
    proxy, args = argv[0], proxy_arguments(argv[1:])
    os.execv(proxy, [proxy, *args])


if __name__ == "__main__":
    main()
