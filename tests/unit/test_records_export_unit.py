"""The export endpoint's pieces that need no hub: the Content-Disposition header, and that the records
service still starts without pandas, openpyxl or ipywidgets (they are imported inside the handler)."""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import unquote

from hub.records.export_handlers import content_disposition


def test_content_disposition_has_an_ascii_name_and_the_utf8_name():
    header = content_disposition("三个一汇总-东湖初级中学-2025-2026-1.xlsx", "progress-dh-2025-2026-1.xlsx")
    assert header.startswith('attachment; filename="progress-dh-2025-2026-1.xlsx"; filename*=UTF-8\'\'')
    assert unquote(header.split("UTF-8''", 1)[1]) == "三个一汇总-东湖初级中学-2025-2026-1.xlsx"
    assert header.isascii()


def test_a_hostile_fallback_name_cannot_break_the_header():
    header = content_disposition('a";b\r\n.xlsx', 'x"; evil=1\r\n.xlsx')
    assert "\r" not in header and "\n" not in header and header.count('"') == 2


def test_the_service_module_imports_no_heavy_or_widget_libraries():
    code = ("import sys, hub.records.app, hub.records.export_handlers\n"
            "print(sorted(m for m in ('pandas', 'openpyxl', 'ipywidgets', 'widgets') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"
