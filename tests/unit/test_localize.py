"""The Jupyter packages' English in Chinese (issue 19, item 4; hub.localize), against the installed packages:
every phrase of every phrasebook is still where it was (an nbgrader or JupyterHub upgrade that moves one fails
here, not silently in front of a teacher), and the translated pages and scripts are what people get."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import nbformat
import pytest
from jinja2 import DictLoader, Environment
from traitlets.config import Config

from hub.frontdoor import sections_for_groups
from hub.localize import missing_phrases, translate
from hub.localize.admin import AdminApp, admin_app_file
from hub.localize.admin_texts import ADMIN_APP
from hub.localize.formgrader import (
    TranslatingLoader,
    grading_page_phrases,
    nbgrader_formgrader_dir,
    template_phrases,
)
from hub.localize.formgrader_texts import FORMGRADE_TEMPLATES, SCRIPTS, TEMPLATES
from hub.localize.lab import nbgrader_labextension_dir, translated_files
from hub.localize.lab_texts import ASSIGNMENT_LIST, MENU, NBGRADER_LAB
from tests.nbgrader.course_notebooks import COURSES_DIR

FORMGRADER = nbgrader_formgrader_dir()


def grading_template(name: str) -> str:
    """A template of the grading page: nbgrader's, or nbconvert's that it extends."""
    from jupyter_core.paths import jupyter_path

    for folder in [FORMGRADER / "templates", *map(Path, jupyter_path("nbconvert", "templates"))]:
        if (folder / name).is_file():
            return (folder / name).read_text(encoding="utf-8")
    raise FileNotFoundError(name)


def test_every_formgrader_phrase_is_in_the_installed_nbgrader():
    for name, phrases in TEMPLATES.items():
        assert missing_phrases((FORMGRADER / "templates" / name).read_text(encoding="utf-8"), phrases) == [], name
    for name, phrases in FORMGRADE_TEMPLATES.items():
        assert missing_phrases(grading_template(name), phrases) == [], name
    for name, phrases in SCRIPTS.items():
        assert missing_phrases((FORMGRADER / "static" / "js" / name).read_text(encoding="utf-8"), phrases) == [], name


def test_formgrader_pages_load_the_translated_scripts_and_link_below_the_service():
    page = translate((FORMGRADER / "templates" / "manage_assignments.tpl").read_text(),
                     template_phrases("manage_assignments.tpl"))
    assert "/formgrader/zh/js/manage_assignments.js" in page and "Manage Assignments" not in page
    utils = translate((FORMGRADER / "static" / "js" / "utils.js").read_text(), SCRIPTS["utils.js"])
    assert '.attr("href", base_url + prefix + path)' in utils


@pytest.mark.parametrize("script", ["manage_submissions.js", "gradebook_notebook_submissions.js", "manage_students.js"])
def test_a_teacher_shows_by_the_roster_name_never_none_none(script):
    text = translate((FORMGRADER / "static" / "js" / script).read_text(), SCRIPTS[script])
    assert '"None"' not in text.split("var name")[1].split(";")[0]
    assert 'last_name + ", " + first_name' not in text
    assert ".join(\"\")" in text


def grading_environment(template: str) -> Environment:
    """nbgrader's grading-page templates through the loader the formgrader gets (hub.localize.formgrader)."""
    folder = FORMGRADER / "templates" / "formgrade"
    sources = {name: (folder / name).read_text(encoding="utf-8") for name in ("index.html.j2", "formgrade_macros.html.j2")}

    class Files(DictLoader):
        def get_source(self, environment, name):
            source, _, uptodate = super().get_source(environment, name)
            return source, str(folder / name), uptodate

    loader = TranslatingLoader(Files(sources), lambda _, filename: grading_page_phrases(filename))
    return Environment(loader=loader)


def test_the_grading_page_is_chinese_and_loads_no_mathjax_from_a_cdn():
    environment = grading_environment("index.html.j2")
    index, _, _ = environment.loader.get_source(environment, "index.html.j2")
    macros, _, _ = environment.loader.get_source(environment, "formgrade_macros.html.j2")
    assert "{{ mathjax() }}" not in index and "window.MathJax" in index
    assert "Full credit" not in index and "满分" in index
    assert "/formgrader/zh/js/formgrade.js" in macros
    assert "Next &rarr;" not in macros and "resources.last_name or" in macros


def test_the_formgraders_exporter_renders_the_translated_grading_page(tmp_path):
    """The real nbconvert exporter as nbgrader's formgrader configures it, with the loader wrapped as the
    extension wraps it: the page of a submission from a real course notebook."""
    from nbconvert.exporters import HTMLExporter

    config = Config()
    config.HTMLExporter.template_name = "formgrade"
    config.HTMLExporter.extra_template_basedirs = [str(FORMGRADER / "templates")]
    exporter = HTMLExporter(config=config)
    exporter.environment.loader = TranslatingLoader(
        exporter.environment.loader, lambda _, filename: grading_page_phrases(filename))
    notebook = nbformat.read(COURSES_DIR / "foundations" / "source" / "matching" / "matching.ipynb", as_version=4)
    resources = {"assignment_id": "matching", "notebook_id": "matching", "submission_id": "x", "index": 0,
                 "total": 3, "base_url": "/services/foundations", "student": "teacher2", "last_name": "王芳",
                 "first_name": "", "notebook_path": "/services/foundations/autograded/teacher2/matching.ipynb"}
    html, _ = exporter.from_notebook_node(notebook, resources=resources)
    assert not re.search(r"""(src|href)=["']https?://""", html)
    assert "王芳" in html and "王芳," not in html
    assert "第 1 / 3 份" in html and "Submission 1 / 3" not in html
    assert "In&nbsp;[" not in html


def test_every_lab_phrase_is_in_the_installed_nbgrader_lab_extension():
    files, missing = translated_files(nbgrader_labextension_dir())
    assert missing == []
    text = "".join(data.decode("utf-8") for data in files.values())
    for english, chinese in NBGRADER_LAB:
        assert english not in text and chinese in text


def test_the_home_page_names_the_menu_and_the_panel_as_lab_shows_them():
    files, _ = translated_files(nbgrader_labextension_dir())
    text = "".join(data.decode("utf-8") for data in files.values())
    assert f'.title.label="{MENU}"' in text and f'label:"{ASSIGNMENT_LIST}"' in text
    courses = next(s for s in sections_for_groups({"teachers", "nbgrader-foundations"}) if s.key == "courses")
    assert MENU in courses.description and ASSIGNMENT_LIST in courses.description
    assert not re.search(r"[A-Za-z]{3,}", courses.description.replace("JupyterLab", ""))


def test_every_admin_page_phrase_is_in_the_installed_jupyterhub():
    source = admin_app_file().read_text(encoding="utf-8")
    assert missing_phrases(source, ADMIN_APP) == []
    script = str(AdminApp()(user=object()))
    assert '"Start All"' not in script and '"全部启动"' in script
    assert "</script" not in script
    assert 'Del:"Delete"' in script  # a key's name, not a text: left alone
    assert str(AdminApp()(user=None)) == ""


def test_the_translated_scripts_still_parse(tmp_path):
    """No phrase ends a string early or breaks the code around it: Node.js parses every translated script."""
    files, _ = translated_files(nbgrader_labextension_dir())
    scripts = {**files, "admin-react.js": str(AdminApp()(user=object())).encode("utf-8")}
    formgrader = FORMGRADER / "static" / "js"
    scripts |= {name: translate((formgrader / name).read_text(encoding="utf-8"), phrases).encode("utf-8")
                for name, phrases in SCRIPTS.items()}
    for name, data in scripts.items():
        path = tmp_path / name
        path.write_bytes(data)
        result = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, f"{name}: {result.stderr[-2000:]}"
