"""The matching panel for a school's 德育 office: upload, summary, run, results, adjust, save.

View only: it builds the widgets, wires the callbacks to a MatchingModel and exposes ``root``; it
never calls display(). Errors from the model appear in the message area in Chinese; anything
unexpected is also logged to the ``log`` Output below the panel.
"""

from __future__ import annotations

import functools
import html
import logging
import traceback
from pathlib import Path

import ipywidgets as w

from hub.matching import MatchingError
from hub.matching.model import MAX_CAPACITY
from widgets import matching_texts as T
from widgets.matching_model import MatchingModel

log = logging.getLogger("mentorhub.widgets.matching")
MAX_TABLE_ROWS = 500


def _guarded(callback):
    """Show MatchingError messages in the panel; log and show anything unexpected."""

    @functools.wraps(callback)
    def wrapper(self, *args, **kwargs):
        try:
            return callback(self, *args, **kwargs)
        except MatchingError as error:
            self.show_message(str(error), error=True)
        except Exception as error:  # a callback must never fail silently
            log.exception("matching panel callback %s failed", callback.__name__)
            self.log.append_stderr(traceback.format_exc())
            self.show_message(T.UNEXPECTED.format(error=error), error=True)

    return wrapper


class MatchingPanel:
    def __init__(self, model: MatchingModel | None = None, client=None):
        self.model = model or MatchingModel()
        self.client = client
        self.upload_students = w.FileUpload(accept=".csv,.xlsx", multiple=False, description=T.UPLOAD_STUDENTS)
        self.upload_mentors = w.FileUpload(accept=".csv,.xlsx", multiple=False, description=T.UPLOAD_MENTORS)
        self.upload_workbook = w.FileUpload(accept=".xlsx", multiple=False, description=T.UPLOAD_WORKBOOK)
        self.capacity = w.BoundedIntText(
            value=self.model.default_capacity, min=1, max=MAX_CAPACITY, description=T.DEFAULT_CAPACITY
        )
        self.summary = w.HTML()
        self.message = w.HTML()
        self.run_button = w.Button(description=T.RUN, button_style="primary", icon="play")
        self.class_filter = w.Dropdown(options=[(T.ALL_CLASSES, "")], value="", description=T.CLASS_FILTER)
        self.results = w.HTML()
        self.loads = w.HTML()
        self.student = w.Text(description=T.STUDENT)
        self.old_mentor = w.Text(description=T.OLD_MENTOR, style={"description_width": "initial"})
        self.new_mentor = w.Text(description=T.NEW_MENTOR)
        self.reassign_button = w.Button(description=T.REASSIGN)
        self.swap_first = w.Text(description=T.SWAP_FIRST)
        self.swap_second = w.Text(description=T.SWAP_SECOND)
        self.swap_button = w.Button(description=T.SWAP)
        self.term = w.Text(description=T.TERM, placeholder="2026-2027-1")
        self.file_name = w.Text(description=T.FILE_NAME, value="assignments.csv")
        self.save_file_button = w.Button(description=T.SAVE_FILE, icon="save")
        self.save_store_button = w.Button(description=T.SAVE_STORE, icon="cloud-upload", disabled=client is None)
        self.log = w.Output()

        self.upload_students.observe(self._on_students, names="value")
        self.upload_mentors.observe(self._on_mentors, names="value")
        self.upload_workbook.observe(self._on_workbook, names="value")
        self.capacity.observe(self._on_capacity, names="value")
        self.class_filter.observe(lambda _: self._render_results(), names="value")
        self.run_button.on_click(self._on_run)
        self.reassign_button.on_click(self._on_reassign)
        self.swap_button.on_click(self._on_swap)
        self.save_file_button.on_click(self._on_save_file)
        self.save_store_button.on_click(self._on_save_store)

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
                w.HBox([self.term, self.file_name]),
                w.HBox([self.save_file_button, self.save_store_button]),
            ],
            layout=w.Layout(display="none"),
        )
        self.root = w.VBox(
            [
                w.HTML(f"<h3>{T.TITLE}</h3><p>{T.INTRO}</p>"),
                w.HBox([self.upload_students, self.upload_mentors, self.upload_workbook, self.capacity]),
                self.summary,
                self.run_button,
                self.message,
                self.result_box,
                self.log,
            ]
        )
        self._refresh_summary()

    # -- alternate constructors ------------------------------------------------------------------
    @classmethod
    def from_client(cls, client, default_capacity: int = MAX_CAPACITY) -> MatchingPanel:
        """Students and staff read from the records service; results can be saved back to it."""
        panel = cls(MatchingModel.from_client(client, default_capacity), client=client)
        if not panel.run_button.disabled:
            model = panel.model
            panel.show_message(
                T.LOADED_STORE.format(students=len(model.student_records), mentors=len(model.mentor_records))
            )
        return panel

    @classmethod
    def from_files(cls, students: str | Path, mentors: str | Path) -> MatchingPanel:
        return cls(MatchingModel.from_files(students, mentors))

    # -- callbacks -------------------------------------------------------------------------------
    @_guarded
    def _on_students(self, change):
        name, data = _upload(change["new"])
        if name:
            count = self.model.load_students(name, data)
            self.show_message(T.LOADED_STUDENTS.format(name=name, count=count))
            self._after_load()

    @_guarded
    def _on_mentors(self, change):
        name, data = _upload(change["new"])
        if name:
            count = self.model.load_mentors(name, data)
            self.show_message(T.LOADED_MENTORS.format(name=name, count=count))
            self._after_load()

    @_guarded
    def _on_workbook(self, change):
        name, data = _upload(change["new"])
        if name:
            students, mentors = self.model.load_workbook(name, data)
            messages = [T.LOADED_STUDENTS.format(name=name, count=students),
                        T.LOADED_MENTORS.format(name=name, count=mentors)]
            self.show_message(" ".join(messages))
            self._after_load()

    @_guarded
    def _on_capacity(self, change):
        self.model.set_default_capacity(change["new"])
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
    def _on_save_file(self, _button=None):
        name = self.file_name.value.strip()
        if not name or Path(name).suffix.lower() not in (".csv", ".xlsx"):
            raise MatchingError(T.NEED_FILE_NAME)
        rows = self.model.save_file(name)
        self.show_message(T.SAVED_FILE.format(rows=rows, path=name))

    @_guarded
    def _on_save_store(self, _button=None):
        if self.client is None:
            raise MatchingError(T.NO_CLIENT)
        term = self.term.value.strip()
        if not term:
            raise MatchingError(T.NEED_TERM)
        rows = self.model.save_to_client(self.client, term)
        self.show_message(T.SAVED_STORE.format(term=term, rows=rows))

    # -- rendering ---------------------------------------------------------------------------
    def show_message(self, text: str, error: bool = False) -> None:
        color = "#b00020" if error else "#1b5e20"
        body = html.escape(text).replace("\n", "<br>")
        self.message.value = f'<div style="color:{color};white-space:normal">{body}</div>'

    def _after_load(self) -> None:
        self.result_box.layout.display = "none"
        self._refresh_summary()

    def _after_edit(self, done: str) -> None:
        count = self.model.blocking_pairs()
        note = T.STABLE if count == 0 else T.UNSTABLE_AFTER_EDIT.format(count=count)
        self.show_message(f"{T.ADJUSTED.format(text=done)} {note}")
        self._render_results()

    def _refresh_summary(self) -> None:
        self.run_button.disabled = not self.model.ready
        if not self.model.ready:
            self.summary.value = html.escape(T.WAITING)
            return
        try:
            figures = self.model.summary()
        except MatchingError as error:  # the tables disagree: say where, keep "run" off
            self.summary.value = ""
            self.run_button.disabled = True
            self.show_message(str(error), error=True)
            return
        self.summary.value = html.escape(
            T.SUMMARY.format(
                students=figures["students"],
                special=figures["special_needs_students"],
                mentors=figures["mentors"],
                capacity=figures["capacity_total"],
                needed=figures["mentor_places_needed"],
            )
        )

    def _render_results(self) -> None:
        rows = self.model.result_rows(self.class_filter.value or None)
        self.results.value = _table(rows, T.COLUMNS_RESULT)
        self.loads.value = _table(self.model.mentor_rows(), T.COLUMNS_LOADS)


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
        "<tr>" + "".join(f"<td>{html.escape(str(row[key]))}</td>" for key in columns) + "</tr>" for row in shown
    )
    note = ""
    if len(rows) > len(shown):
        note = f"<p>{html.escape(T.TABLE_TRUNCATED.format(total=len(rows), shown=len(shown)))}</p>"
    return f'<table class="mentorhub-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{note}'
