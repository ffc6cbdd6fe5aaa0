"""nbgrader configuration for a course (grader side) and for teachers' servers (student side).

One description, two forms: ``course_config`` gives a ``traitlets`` ``Config`` for in-process use
(``NbGraderAPI`` ignores config files), ``render_course_config`` writes the same settings as the
``nbgrader_config.py`` that the course's formgrader service and command-line runs read.
"""

from __future__ import annotations

import json
from pathlib import Path

from traitlets.config import Config
from traitlets.utils.importstring import import_item

from hub.exchange.factory import EXCHANGE_FACTORY_SETTINGS

# Preprocessors for generate_feedback: nbgrader's own two, plus markers in answers made inert, the grades
# still waiting for the trainer marked, and the traceback lines that would quote hidden tests removed
# (see hub.courses.feedback).
FEEDBACK_PREPROCESSORS = (
    "nbgrader.preprocessors.GetGrades",
    "hub.courses.feedback.MarkPendingGrades",
    "hub.courses.feedback.NeutraliseMarkers",
    "nbgrader.preprocessors.ClearHiddenTests",
    "hub.courses.feedback.HideTestDetails",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
)
# The feedback page in Chinese (hub/courses/templates/mentorhub_feedback).
FEEDBACK_TEMPLATES = Path(__file__).resolve().parent / "templates"
FEEDBACK_TEMPLATE = "mentorhub_feedback"

# nbgrader's autograde steps with its ``Execute`` replaced: the teacher's code runs in the grading sandbox
# and the tests in a fresh interpreter against the answer values (see hub.courses.grading).
AUTOGRADE_PREPROCESSORS = (
    "hub.courses.grading.GradeFromAnswers",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
)

# What a released answer cell shows below the answer template, and what replaces a written answer.
CODE_STUB = "# ↑ 请在上面作答：只修改引号里的内容或冒号后面的空白"
TEXT_STUB = "（请双击本单元格，在这里写下你的回答。）"

# Instructor-side parts of nbgrader that teachers (nbgrader's "students") must not get. The
# "@jupyter/nbgrader:menu" plugin stays on: it is the only way into the assignment list (its "Nbgrader"
# menu and palette entries), and the entries of the disabled plugins' commands are not shown.
TEACHER_DISABLED_LAB_PLUGINS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
)
TEACHER_DISABLED_SERVER_EXTENSIONS = (
    "nbgrader.server_extensions.formgrader",
    "nbgrader.server_extensions.course_list",
    # Not used by teachers (JupyterLab is their interface; no language servers are installed), and each
    # costs CPU at every server start, which adds up when a cohort logs in at once.
    "jupyter_lsp",
    "notebook",
)


def gradebook_url(course_dir: Path) -> str:
    """SQLite gradebook inside the course folder; a 30 s busy timeout lets parallel graders queue."""
    return f"sqlite:///{Path(course_dir).resolve() / 'gradebook.db'}?timeout=30"


def course_settings(course_dir: Path, course_id: str, exchange_root: Path, *,
                    cell_timeout: int = 60, hub_auth: bool = False, check_owner: bool = False,
                    hub_exchange: bool = False, bwrap: str = "bwrap") -> dict:
    """The plain settings of one course as ``{"Section.trait": value}``.

    ``hub_auth`` makes nbgrader ask JupyterHub which teachers belong to ``nbgrader-<course>``
    (only inside a running hub); ``check_owner`` stays off while every server runs as one Unix user.
    """
    settings = {
        "CourseDirectory.root": str(Path(course_dir).resolve()),
        "CourseDirectory.course_id": course_id,
        "CourseDirectory.db_url": gradebook_url(course_dir),
        "Exchange.root": str(Path(exchange_root).resolve()),
        "Exchange.path_includes_course": True,
        "ExchangeCollect.check_owner": check_owner,
        "ClearSolutions.code_stub": {"python": CODE_STUB},
        "ClearSolutions.text_stub": TEXT_STUB,
        "Execute.timeout": int(cell_timeout),
        "Execute.interrupt_on_timeout": True,
        # After a cell's reply, how long its output may take; a busy machine needs more than nbclient's 4 s.
        "Execute.iopub_timeout": 15,
        "GenerateFeedback.preprocessors": list(FEEDBACK_PREPROCESSORS),
        # Its own exporter class, so that these two settings beat nbgrader's HTMLExporter ones and leave the
        # formgrader's page alone.
        "GenerateFeedback.exporter_class": "hub.courses.feedback.FeedbackExporter",
        "FeedbackExporter.template_name": FEEDBACK_TEMPLATE,
        "FeedbackExporter.extra_template_basedirs": [str(FEEDBACK_TEMPLATES)],
        "Autograde.autograde_preprocessors": list(AUTOGRADE_PREPROCESSORS),
        "GradeFromAnswers.bwrap": bwrap,
    }
    if hub_auth:
        settings["Authenticator.plugin_class"] = "nbgrader.auth.JupyterHubAuthPlugin"
    if hub_exchange:  # the hub's exchange service (hub.exchange); re-releasing replaces the old release
        del settings["Exchange.root"]  # no shared folder: the HTTP classes do not know this option
        settings.update(EXCHANGE_FACTORY_SETTINGS)
        settings["ExchangeReleaseAssignment.force"] = True
    return settings


_IMPORTED = {"GenerateFeedback.preprocessors", "Autograde.autograde_preprocessors", "Authenticator.plugin_class"}


def to_config(settings: dict) -> Config:
    config = Config()
    for key, value in settings.items():
        section, trait = key.split(".")
        if key in _IMPORTED:
            value = [import_item(v) for v in value] if isinstance(value, list) else import_item(value)
        config[section][trait] = value
    return config


def course_config(course_dir: Path, course_id: str, exchange_root: Path, **options) -> Config:
    return to_config(course_settings(course_dir, course_id, exchange_root, **options))


def render_config_file(settings: dict, header: str) -> str:
    """Python source of an ``nbgrader_config.py`` setting exactly ``settings``."""
    lines = [f"# {line}" for line in header.splitlines()]
    lines += ["from traitlets.utils.importstring import import_item", "", "c = get_config()  # noqa: F821"]
    for key, value in settings.items():
        if key in _IMPORTED:
            if isinstance(value, list):
                lines.append(f"c.{key} = [import_item(name) for name in {value!r}]")
            else:
                lines.append(f"c.{key} = import_item({value!r})")
        else:
            lines.append(f"c.{key} = {value!r}")
    return "\n".join(lines) + "\n"


def write_course_config(course_dir: Path, course_id: str, exchange_root: Path, **options) -> Path:
    path = Path(course_dir) / "nbgrader_config.py"
    settings = course_settings(course_dir, course_id, exchange_root, **options)
    text = render_config_file(settings, "Written by Mentor Hub (hub/courses/nbconfig.py); edits are overwritten.")
    _write_atomic(path, text)
    return path


def teacher_config_text(exchange_root: Path, hub_exchange: bool = False) -> str:
    """``nbgrader_config.py`` for teachers' servers: exchange, hub groups, student id = hub user.

    With ``hub_exchange`` the exchange classes talk to the hub's exchange service (found through
    ``MENTORHUB_EXCHANGE_URL`` or the hub API) with the server's own token."""
    exchange = [f"c.{key} = {value!r}" for key, value in EXCHANGE_FACTORY_SETTINGS.items()] if hub_exchange else []
    return "\n".join([
        "# Written by Mentor Hub for teachers' servers only (hub/courses/nbconfig.py).",
        "import os",
        "",
        "from nbgrader.auth import JupyterHubAuthPlugin",
        "",
        "c = get_config()  # noqa: F821",
        *([] if hub_exchange else [f"c.Exchange.root = {str(Path(exchange_root).resolve())!r}"]),
        "c.Exchange.path_includes_course = True",
        "c.Authenticator.plugin_class = JupyterHubAuthPlugin",
        "# Every server runs as one Unix user in demo mode: file submissions under the hub user name.",
        "if os.environ.get('JUPYTERHUB_USER'):",
        "    c.CourseDirectory.student_id = os.environ['JUPYTERHUB_USER']",
        *exchange,
        "",
    ])


def write_teacher_config(folder: Path, exchange_root: Path, hub_exchange: bool = False) -> Path:
    """Write the Jupyter config folder teachers' servers get on ``JUPYTER_CONFIG_PATH``.

    It holds the nbgrader config, a server config that turns the formgrader and course-list server
    extensions off, and ``labconfig/page_config.json`` hiding nbgrader's instructor Lab plugins.
    """
    folder = Path(folder)
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    _write_atomic(folder / "nbgrader_config.py", teacher_config_text(exchange_root, hub_exchange))
    server = {"ServerApp": {"jpserver_extensions": {name: False for name in TEACHER_DISABLED_SERVER_EXTENSIONS}}}
    _write_atomic(folder / "jupyter_server_config.json", json.dumps(server, indent=2) + "\n")
    page = {"disabledExtensions": {name: True for name in TEACHER_DISABLED_LAB_PLUGINS}}
    _write_atomic(folder / "labconfig" / "page_config.json", json.dumps(page, indent=2) + "\n")
    return folder


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
