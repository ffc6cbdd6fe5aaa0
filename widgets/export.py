"""The workbench's .xlsx export button for school admins: the 三个一 summary, counts per class and per mentor.

The file is built and audited by the records service (``GET exports/progress.xlsx``, through
``RecordsClient.progress_xlsx`` with the user's own token); the button offers the bytes it got back as a
``data:`` download link. Why not a plain link to the endpoint: the kernel may know the service by an
internal address the browser cannot reach, a link that meets a refusal or an expired login would save a
JSON error or a login page under an .xlsx name, and here a refusal is shown as the service's Chinese
message instead. The pure workbook code lives in ``widgets/export_model.py`` (shared with the service).
"""

from __future__ import annotations

import html
import logging

import ipywidgets as w

from .client import RecordsError
from .export_model import XLSX_MIME, export_filename
from .style import download_link_html
from .texts import t

log = logging.getLogger(__name__)


class ExportButton:
    """Fetch the .xlsx on click and show a download link (works in Voilà and in JupyterLab)."""

    def __init__(self, client, term_id: str = ""):
        self.client = client
        self.term_id = term_id
        self.button = w.Button(description=t("export_button"), icon="download")
        self.link = w.HTML("")
        self.data: bytes | None = None
        self.button.on_click(self._on_click)
        self.widget = w.HBox([self.button, self.link])

    def build(self) -> bytes:
        """Fetch the file from the service (which writes the audit entry) and show the download link."""
        self.data = self.client.progress_xlsx(self.term_id or None)
        name = export_filename(self.term_id)
        self.link.value = download_link_html(name, XLSX_MIME, self.data, t("export_ready", filename=name),
                                             "mh-export-link")  # fmt: skip
        return self.data

    def _on_click(self, _button=None) -> None:
        try:
            self.build()
        except RecordsError as error:
            self.link.value = f'<span style="color:#b00020">{html.escape(t("export_failed", message=error.message_zh))}</span>'
        except Exception:
            log.exception("building the 三个一 export failed")
            self.link.value = f'<span style="color:#b00020">{html.escape(t("unexpected"))}</span>'
