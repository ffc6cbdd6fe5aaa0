"""Issue 19, items 5-7, without a hub: the proxy's own error pages, the log filter, the Voilà template without
CDN links, Ctrl-C in demo mode. (The translations: test_localize.py.)"""

from __future__ import annotations

import logging
import re
from pathlib import Path

from traitlets.config import Config

from hub.assets import USER_DATA_DIR, VOILA_TEMPLATE
from hub.config import apply_all
from hub.proxy import ERROR_PAGES, proxy_arguments
from hub.quiet import PYTHON_WARNINGS, NoActionNeeded
from hub.runtime import Runtime
from hub.settings import Settings


def test_the_proxy_serves_its_own_chinese_error_pages_instead_of_asking_the_hub():
    args = ["--ip", "127.0.0.1", "--error-target", "http://127.0.0.1:8081/hub/error", "--log-level", "info"]
    assert proxy_arguments(args) == ["--ip", "127.0.0.1", "--error-path", str(ERROR_PAGES), "--log-level", "info"]
    for code in ("404", "503", "error"):
        page = (ERROR_PAGES / f"{code}.html").read_text(encoding="utf-8")
        assert 'lang="zh-CN"' in page and "返回首页" in page and "http" not in page


def record(message: str, level=logging.WARNING) -> logging.LogRecord:
    return logging.LogRecord("MentorHub", level, __file__, 1, message, None, None)


def test_only_the_listed_lines_are_dropped():
    quiet = NoActionNeeded()
    assert not quiet.filter(record("Adding missing route for records (Server(url=...))"))
    assert not quiet.filter(record("Allowing service records to complete OAuth without confirmation on a page"))
    assert quiet.filter(record("Running JupyterHub without SSL.  I hope there is SSL termination"))
    assert not NoActionNeeded(loopback=True).filter(record("Running JupyterHub without SSL.  I hope..."))
    assert quiet.filter(record("Service records exited with status 1"))
    assert quiet.filter(record("Adding missing route for records", level=logging.INFO))


def test_every_python_warning_category_exists():
    from traitlets.utils.importstring import import_item

    for category, _, _ in PYTHON_WARNINGS:
        if "." in category:
            assert issubclass(import_item(category), Warning)


def test_the_voila_template_links_no_other_host():
    template = USER_DATA_DIR / "voila" / "templates" / VOILA_TEMPLATE / "index.html.j2"
    text = template.read_text(encoding="utf-8")
    assert not re.search(r"""(href|src)=["']https?://""", text)


def test_ctrl_c_stops_everything_in_demo_mode_only():
    for mode, expected in (("demo", True), ("server", False)):
        c = Config()
        apply_all(Settings.from_dict({"mode": mode}, base_dir=Path("/srv/mh")), c, Runtime(running_as_root=True))
        assert c.MentorHub.stop_servers_on_interrupt is expected
        assert c.JupyterHub.cleanup_servers is False  # a restart (SIGTERM) keeps users' work
        assert c.Spawner.environment["JUPYTER_PATH"] == str(USER_DATA_DIR)
