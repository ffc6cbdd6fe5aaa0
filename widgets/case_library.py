"""Case library browser (Voilà app): filter by stage, domain, tag and text; read one case.

Model: ``hub.cases.library`` (pure). View: ``CaseLibraryApp`` builds the widgets, exposes
``root`` and never calls ``display()``. Alternate constructors ``CaseLibraryApp.from_folder`` and ``from_client`` (the records service).
"""

from __future__ import annotations

import html
from pathlib import Path

import ipywidgets as widgets

from hub.cases import library, texts
from hub.cases.library import Case


def case_html(case: Case) -> str:
    """One case as escaped HTML (headings from texts.FIELD_LABELS)."""
    esc = html.escape
    parts = [
        f"<h3>{esc(case.title)}</h3>",
        f"<p><b>{texts.FIELD_LABELS['stage']}</b>：{esc(case.stage)} {esc(case.grade)}　"
        f"<b>{texts.FIELD_LABELS['domains']}</b>：{esc('、'.join(case.domains))}　"
        f"<b>{texts.FIELD_LABELS['tags']}</b>：{esc('、'.join(case.tags))}</p>",
    ]
    for key in ("background", "problem", "process", "outcome", "reflection"):
        parts.append(f"<h4>{texts.FIELD_LABELS[key]}</h4><p>{esc(getattr(case, key))}</p>")
    questions = "".join(f"<li>{esc(q)}</li>" for q in case.questions)
    parts.append(f"<h4>{texts.FIELD_LABELS['questions']}</h4><ol>{questions}</ol>")
    return "".join(parts)


class CaseLibraryApp:
    def __init__(self, cases: list[Case]):
        self.cases = list(cases)
        any_option = [(texts.UI_ALL, "")]
        self.stage = widgets.Dropdown(options=any_option + [(s, s) for s in texts.STAGES], description=texts.UI_STAGE)
        self.domain = widgets.Dropdown(options=any_option + [(d, d) for d in texts.DOMAINS], description=texts.UI_DOMAIN)
        self.tag = widgets.Dropdown(
            options=any_option + [(t, t) for t in library.all_tags(self.cases)], description=texts.UI_TAG
        )
        self.search = widgets.Text(description=texts.UI_SEARCH, placeholder=texts.UI_SEARCH_PLACEHOLDER)
        self.count = widgets.HTML()
        self.results = widgets.Select(options=[], rows=12, layout=widgets.Layout(width="100%"))
        self.detail = widgets.HTML(value=f"<p>{texts.UI_PICK_CASE}</p>")
        for control in (self.stage, self.domain, self.tag, self.search):
            control.observe(self._on_filter, names="value")
        self.results.observe(self._on_pick, names="value")
        filters = widgets.HBox([self.stage, self.domain, self.tag, self.search])
        self.root = widgets.VBox([filters, self.count, widgets.HBox([self.results, self.detail])])
        self._on_filter()

    @classmethod
    def from_folder(cls, folder: Path) -> CaseLibraryApp:
        return cls(library.load_library(Path(folder)))

    @classmethod
    def from_client(cls, client) -> CaseLibraryApp:
        """The shared library from the records service (``GET cases``), with the caller's identity."""
        return cls([Case.from_dict(data) for data in client.cases()])

    def visible_cases(self) -> list[Case]:
        return library.filter_cases(
            self.cases,
            stage=self.stage.value or None,
            domain=self.domain.value or None,
            tag=self.tag.value or None,
            text=self.search.value or None,
        )

    def _on_filter(self, change=None) -> None:
        visible = self.visible_cases()
        self.count.value = html.escape(texts.UI_RESULTS.format(count=len(visible)) if visible else texts.UI_NO_RESULTS)
        self.results.options = [(f"[{c.stage}] {c.title}", c.id) for c in visible]
        if self.results.value is None:
            self.detail.value = f"<p>{texts.UI_PICK_CASE}</p>"

    def _on_pick(self, change) -> None:
        chosen = next((c for c in self.cases if c.id == change["new"]), None)
        self.detail.value = case_html(chosen) if chosen else f"<p>{texts.UI_PICK_CASE}</p>"
