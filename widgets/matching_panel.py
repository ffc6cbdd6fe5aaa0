"""The matching panel for a school's 德育 office: template, upload, summary, run, results, adjust, download,
preview and save.

View only: it builds the widgets, wires the callbacks to a MatchingModel and exposes ``root``; it
never calls display(). Errors from the model appear in the message area in Chinese (every problem of both
tables at once); anything unexpected is also logged to the ``log`` Output below the panel. Files reach the
person as browser downloads; the records service gets the pairings only after a preview and a confirmation.
"""

from __future__ import annotations

import functools
import html
import logging
import traceback
from pathlib import Path

import ipywidgets as w

from hub.matching import InputError, MatchingError
from hub.matching.model import MAX_CAPACITY
from widgets import matching_texts as T
from widgets.client import RecordsError
from widgets.matching_model import MatchingModel
from widgets.style import download_link_html, styled

log = logging.getLogger("mentorhub.widgets.matching")
MAX_TABLE_ROWS = 500
#: Students listed by name in each part of a preview (the rest are counted).
MAX_PREVIEW_ROWS = 200
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _guarded(callback):
    """Show MatchingError and refusals of the records service in the panel; log and show anything unexpected."""

    @functools.wraps(callback)
    def wrapper(self, *args, **kwargs):
        try:
            return callback(self, *args, **kwargs)
        except InputError as error:
            self.show_problems(fallback=str(error))
        except MatchingError as error:
            self.show_message(str(error), error=True)
        except RecordsError as error:
            self.show_message(T.REFUSED.format(message=error.message_zh), error=True)
        except Exception as error:  # a callback must never fail silently
            log.exception("matching panel callback %s failed", callback.__name__)
            self.log.append_stderr(traceback.format_exc())
            self.show_message(T.UNEXPECTED.format(error=error), error=True)

    return wrapper


class MatchingPanel:
    def __init__(self, model: MatchingModel | None = None, client=None, term: str = ""):
        self.model = model or MatchingModel()
        self.client = client
        wide = {"description_width": "initial"}
        self.template_button = w.Button(description=T.TEMPLATE, icon="download")
        self.template_link = w.HTML("")
        self.upload_students = w.FileUpload(accept=".csv,.xlsx", multiple=False, description=T.UPLOAD_STUDENTS)
        self.upload_mentors = w.FileUpload(accept=".csv,.xlsx", multiple=False, description=T.UPLOAD_MENTORS)
        self.upload_workbook = w.FileUpload(accept=".xlsx", multiple=False, description=T.UPLOAD_WORKBOOK)
        self.capacity = w.BoundedIntText(
            value=self.model.default_capacity, min=1, max=MAX_CAPACITY, description=T.DEFAULT_CAPACITY, style=wide
        )
        self.summary = w.HTML()
        self.message = w.HTML()
        self.run_button = w.Button(description=T.RUN, button_style="primary", icon="play")
        self.class_filter = w.Dropdown(options=[(T.ALL_CLASSES, "")], value="", description=T.CLASS_FILTER)
        self.results = w.HTML()
        self.loads = w.HTML()
        self.student = w.Text(description=T.STUDENT, style=wide)
        self.old_mentor = w.Text(description=T.OLD_MENTOR, style=wide)
        self.new_mentor = w.Text(description=T.NEW_MENTOR, style=wide)
        self.reassign_button = w.Button(description=T.REASSIGN)
        self.swap_first = w.Text(description=T.SWAP_FIRST, style=wide)
        self.swap_second = w.Text(description=T.SWAP_SECOND, style=wide)
        self.swap_button = w.Button(description=T.SWAP)
        self.result_button = w.Button(description=T.RESULT_FILE, icon="download")
        self.result_link = w.HTML("")
        self.term = w.Text(description=T.TERM, value=term, placeholder=T.TERM_PLACEHOLDER, style=wide)
        self.preview_button = w.Button(description=T.PREVIEW, icon="search", disabled=client is None)
        self.preview = w.HTML("")
        self.confirm_button = w.Button(description=T.CONFIRM, button_style="warning", icon="cloud-upload")
        self.cancel_button = w.Button(description=T.CANCEL)
        self.confirm_box = w.HBox([self.confirm_button, self.cancel_button], layout=w.Layout(display="none"))
        self.log = w.Output()

        self.template_button.on_click(self._on_template)
        self.upload_students.observe(self._on_students, names="value")
        self.upload_mentors.observe(self._on_mentors, names="value")
        self.upload_workbook.observe(self._on_workbook, names="value")
        self.capacity.observe(self._on_capacity, names="value")
        self.class_filter.observe(lambda _: self._render_results(), names="value")
        self.run_button.on_click(self._on_run)
        self.reassign_button.on_click(self._on_reassign)
        self.swap_button.on_click(self._on_swap)
        self.result_button.on_click(self._on_result_file)
        self.preview_button.on_click(self._on_preview)
        self.confirm_button.on_click(self._on_confirm)
        self.cancel_button.on_click(self._on_cancel)

        self.result_box = w.VBox(
            [
                w.HTML(f"<h4>{T.SECTION_RESULT}</h4>"),
                self.class_filter,
                self.results,
                w.HTML(f"<h4>{T.SECTION_LOADS}</h4>"),
                self.loads,
                w.HTML(f"<h4>{T.SECTION_ADJUST}</h4>"),
                w.HBox([self.student, self.old_mentor, self.new_mentor, self.reassign_button]),
                w.HBox([self.swap_first, self.swap_second, self.swap_button]),
                w.HTML(f"<h4>{T.SECTION_SAVE}</h4>"),
                w.HBox([self.result_button, self.result_link]),
                w.HBox([self.term, self.preview_button]),
                self.preview,
                self.confirm_box,
            ],
            layout=w.Layout(display="none"),
        )
        self.root = styled(w.VBox(
            [
                w.HTML(f"<h3>{html.escape(T.TITLE)}</h3><p>{html.escape(T.INTRO)}</p>"),
                w.HTML(f"<h4>{html.escape(T.SECTION_PREPARE)}</h4><p>{html.escape(T.TEMPLATE_HELP)}</p>"),
                w.HBox([self.template_button, self.template_link]),
                w.HTML(f"<h4>{html.escape(T.SECTION_UPLOAD)}</h4>"),
                w.HBox([self.upload_students, self.upload_mentors, self.upload_workbook, self.capacity]),
                self.summary,
                self.run_button,
                self.message,
                self.result_box,
                self.log,
            ]
        ))
        self.root.add_class("mh-matching")
        self._refresh_summary()

    # -- alternate constructors ------------------------------------------------------------------
    @classmethod
    def from_client(cls, client, default_capacity: int = MAX_CAPACITY) -> MatchingPanel:
        """Students and staff read from the records service (no choices); results can be saved back to it."""
        panel = cls(MatchingModel.from_client(client, default_capacity), client=client, term=_current_term(client))
        if not panel.run_button.disabled:
            model = panel.model
            panel.show_message(
                T.LOADED_STORE.format(students=len(model.student_records), mentors=len(model.mentor_records))
            )
        return panel

    @classmethod
    def for_school(cls, client, default_capacity: int = MAX_CAPACITY) -> MatchingPanel:
        """The 德育 office's page: the tables are uploaded (with the students' and mentors' choices); the records
        service gives the current term, the names beside ids and the rows of the template, and takes the result."""
        model = MatchingModel(default_capacity)
        try:
            model.set_directory(client.students(), client.staff())
        except RecordsError as error:  # not a school admin, or the service is away: uploads still work
            panel = cls(model, client=client, term=_current_term(client))
            panel.show_message(T.NO_DIRECTORY.format(message=error.message_zh), error=True)
            return panel
        return cls(model, client=client, term=_current_term(client))

    @classmethod
    def from_files(cls, students: str | Path, mentors: str | Path) -> MatchingPanel:
        return cls(MatchingModel.from_files(students, mentors))

    # -- callbacks -------------------------------------------------------------------------------
    @_guarded
    def _on_template(self, _button=None):
        name = T.TEMPLATE_FILE_SCHOOL if self.model.directory_students else T.TEMPLATE_FILE
        self.template_link.value = download_link_html(name, XLSX_MIME, self.model.template_xlsx(),
                                                      T.TEMPLATE_READY.format(filename=name), "mh-template-link")

    @_guarded
    def _on_students(self, change):
        name, data = _upload(change["new"])
        if name:
            self._load(self.model.load_students, name, data)

    @_guarded
    def _on_mentors(self, change):
        name, data = _upload(change["new"])
        if name:
            self._load(self.model.load_mentors, name, data)

    @_guarded
    def _on_workbook(self, change):
        name, data = _upload(change["new"])
        if name:
            self._load(self.model.load_workbook, name, data)

    def _load(self, load, name: str, data: bytes) -> None:
        """Read a table; whatever happens, the summary says where both tables stand and every problem shows."""
        try:
            load(name, data)
        finally:
            self._after_load()

    @_guarded
    def _on_capacity(self, change):
        try:
            self.model.set_default_capacity(change["new"])
        finally:
            self._after_load()

    @_guarded
    def _on_run(self, _button=None):
        report = self.model.run()
        histogram = report["primary_rank_histogram"]
        text = T.MATCHED.format(
            first=histogram.get("1", 0),
            filled=report["filled_outside_prefs"],
            special=report["special_needs_students"],
            max_load=report["max_load"],
        )
        self.show_message(f"{text} {T.STABLE}")
        self.class_filter.options = [(T.ALL_CLASSES, "")] + [(c, c) for c in self.model.classes()]
        self.class_filter.value = ""
        self.result_box.layout.display = None
        self._forget_outputs()
        self._render_results()

    @_guarded
    def _on_reassign(self, _button=None):
        done = self.model.reassign(self.student.value, self.new_mentor.value, self.old_mentor.value or None)
        self._after_edit(done)

    @_guarded
    def _on_swap(self, _button=None):
        done = self.model.swap(self.swap_first.value, self.swap_second.value)
        self._after_edit(done)

    @_guarded
    def _on_result_file(self, _button=None):
        name = T.RESULT_FILENAME.format(term=self.term.value.strip() or T.NONE)
        self.result_link.value = download_link_html(name, XLSX_MIME, self.model.result_xlsx(),
                                                    T.RESULT_READY.format(filename=name), "mh-result-link")

    @_guarded
    def _on_preview(self, _button=None):
        if self.client is None:
            raise MatchingError(T.NO_CLIENT)
        term = self.term.value.strip()
        if not term:
            raise MatchingError(T.NEED_TERM)
        self._forget_preview()
        changes = self.model.preview(self.client, term)
        self.preview.value = preview_html(changes)
        self.confirm_box.layout.display = None
        self.show_message(T.PREVIEW_CONFIRM)

    @_guarded
    def _on_confirm(self, _button=None):
        if self.client is None:
            raise MatchingError(T.NO_CLIENT)
        term = (self.model.pending or {}).get("term", "")
        self._hide_confirm()
        rows = self.model.confirm_save(self.client)
        self.show_message(T.SAVED_STORE.format(term=term, rows=rows))

    @_guarded
    def _on_cancel(self, _button=None):
        self._forget_preview()
        self.show_message(T.CANCELLED)

    # -- rendering ---------------------------------------------------------------------------
    def show_message(self, text: str, error: bool = False) -> None:
        color = "#b00020" if error else "#1b5e20"
        kind = "error" if error else "ok"
        body = html.escape(text).replace("\n", "<br>")
        self.message.value = f'<div class="mh-message mh-message-{kind}" style="color:{color};white-space:normal">{body}</div>'

    def show_problems(self, fallback: str = "") -> None:
        """Every problem of both tables (and between them); ``fallback`` when they are not the tables'."""
        text = self.model.problem_text() or fallback
        if text:
            self.show_message(text, error=True)

    def _after_load(self) -> None:
        self.result_box.layout.display = "none"
        self._forget_outputs()
        self._refresh_summary()

    def _after_edit(self, done: str) -> None:
        count = self.model.blocking_pairs()
        note = T.STABLE if count == 0 else T.UNSTABLE_AFTER_EDIT.format(count=count)
        self.show_message(f"{T.ADJUSTED.format(text=done)} {note}")
        self._forget_outputs()
        self._render_results()

    def _forget_outputs(self) -> None:
        """A result file or a preview made before a change no longer tells the truth."""
        self.result_link.value = ""
        self._forget_preview()

    def _forget_preview(self) -> None:
        self.model.pending = None
        self.preview.value = ""
        self._hide_confirm()

    def _hide_confirm(self) -> None:
        self.confirm_box.layout.display = "none"

    def _refresh_summary(self) -> None:
        """Where each table stands; the figures once both are read; every problem in the message area."""
        lines = [self.model.status("students"), self.model.status("mentors")]
        self.run_button.disabled = not self.model.ready
        if self.model.ready:
            try:
                figures = self.model.summary()
            except MatchingError:  # the tables disagree: say where, keep "run" off
                self.run_button.disabled = True
            else:
                lines.append(T.SUMMARY.format(
                    students=figures["students"], special=figures["special_needs_students"],
                    mentors=figures["mentors"], capacity=figures["capacity_total"],
                    needed=figures["mentor_places_needed"]))  # fmt: skip
        self.summary.value = "".join(f'<p class="mh-summary-line">{html.escape(line)}</p>' for line in lines)
        if self.model.problem_text():
            self.show_problems()
        elif self.model.ready:
            self.show_message(T.READY)
        else:
            self.message.value = ""

    def _render_results(self) -> None:
        rows = self.model.result_rows(self.class_filter.value or None)
        self.results.value = _table(rows, T.COLUMNS_RESULT)
        self.loads.value = _table(self.model.mentor_rows(), T.COLUMNS_LOADS)


def _current_term(client) -> str:
    """The current term as the records service knows it (empty when it cannot say)."""
    try:
        return client.me().get("term_id") or ""
    except (RecordsError, AttributeError):
        return ""


def preview_html(changes: dict) -> str:
    """The service's preview of a save, in words: who moves, whose records stay with whom (escaped)."""
    esc = html.escape

    def student(entry):
        name = entry.get("name") or ""
        return f"{name}（{entry['student_id']}，{entry.get('class_id', '')}）" if name else entry["student_id"]

    def person(entry):
        if not entry:
            return T.NONE
        return T.NAME_AND_ID.format(name=entry["name"], id=entry["staff_id"]) if entry.get("name") else entry["staff_id"]

    def section(title, entries, line, css):
        if not entries:
            return ""
        items = "".join(f"<li>{esc(line(e))}</li>" for e in entries[:MAX_PREVIEW_ROWS])
        if len(entries) > MAX_PREVIEW_ROWS:
            items += f"<li>{esc(T.PREVIEW_MORE.format(count=len(entries) - MAX_PREVIEW_ROWS))}</li>"
        return f'<div class="{css}"><b>{esc(title)}（{len(entries)}）</b><ul>{items}</ul></div>'

    moved, added = changes.get("moved", []), changes.get("added", [])
    removed, additional = changes.get("removed", []), changes.get("additional", [])
    parts = [f"<h4>{esc(T.PREVIEW_TITLE.format(term=changes.get('term_id', '')))}</h4>",
             f"<p>{esc(T.PREVIEW_SUMMARY.format(students=changes.get('students', 0), unchanged=changes.get('unchanged', 0), moved=len(moved), added=len(added), removed=len(removed)))}</p>",  # noqa: E501
             section(T.PREVIEW_MOVED, moved, lambda e: T.PREVIEW_MOVED_ROW.format(
                 student=student(e), before=person(e["from"]), after=person(e["to"]), records=e["records"]),
                 "mh-preview-moved"),
             section(T.PREVIEW_ADDED, added, lambda e: T.PREVIEW_ADDED_ROW.format(student=student(e),
                                                                                 after=person(e["to"])),
                     "mh-preview-added"),
             section(T.PREVIEW_REMOVED, removed, lambda e: T.PREVIEW_REMOVED_ROW.format(
                 student=student(e), before=person(e["from"]), records=e["records"]), "mh-preview-removed"),
             section(T.PREVIEW_ADDITIONAL, additional, lambda e: T.PREVIEW_ADDITIONAL_ROW.format(
                 student=student(e), gained="、".join(person(p) for p in e["gained"]) or T.NONE,
                 lost="、".join(person(p) for p in e["lost"]) or T.NONE), "mh-preview-additional")]  # fmt: skip
    if not (moved or added or removed or additional):
        parts.append(f"<p>{esc(T.PREVIEW_NOTHING)}</p>")
    return f'<div class="mh-preview">{"".join(parts)}</div>'


def _upload(value) -> tuple[str | None, bytes]:
    """(name, content) of a FileUpload value (ipywidgets 8: a tuple of dicts)."""
    if not value:
        return None, b""
    item = value[0]
    return item["name"], bytes(item["content"])


def _table(rows: list[dict], columns: dict[str, str]) -> str:
    shown = rows[:MAX_TABLE_ROWS]
    head = "".join(f"<th>{html.escape(label)}</th>" for label in columns.values())
    body = "".join(
        "<tr>" + "".join(f'<td data-label="{html.escape(label)}">{html.escape(str(row[key]))}</td>'
                         for key, label in columns.items()) + "</tr>" for row in shown
    )
    note = ""
    if len(rows) > len(shown):
        note = f"<p>{html.escape(T.TABLE_TRUNCATED.format(total=len(rows), shown=len(shown)))}</p>"
    return (f'<div class="mh-scroll"><table class="mentorhub-table mh-cards"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>{note}")
