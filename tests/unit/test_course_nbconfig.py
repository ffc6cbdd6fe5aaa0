"""nbgrader configuration: the written files say exactly what the in-process Config says."""

from __future__ import annotations

import json

from traitlets.config import Config

from hub.courses import nbconfig
from hub.courses.feedback import HideTestDetails


def load_py_config(path, env=None):
    config = Config()
    namespace = {"get_config": lambda: config}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    return config


def test_course_config_file_matches_in_process_config(tmp_path):
    path = nbconfig.write_course_config(tmp_path / "c", "psychology", tmp_path / "x", cell_timeout=45, hub_auth=True)
    from_file = load_py_config(path)
    in_process = nbconfig.course_config(tmp_path / "c", "psychology", tmp_path / "x", cell_timeout=45, hub_auth=True)
    assert from_file == in_process
    assert HideTestDetails in from_file.GenerateFeedback.preprocessors
    assert from_file.Execute.timeout == 45 and from_file.Exchange.path_includes_course is True


def test_offline_course_config_does_not_ask_the_hub(tmp_path):
    config = nbconfig.course_config(tmp_path, "foundations", tmp_path / "x")
    assert "plugin_class" not in config.Authenticator
    assert config.CourseDirectory.db_url.endswith("gradebook.db?timeout=30")


def test_teacher_config_folder(tmp_path, monkeypatch):
    folder = nbconfig.write_teacher_config(tmp_path / "teachers", tmp_path / "exchange")
    monkeypatch.setenv("JUPYTERHUB_USER", "teacher7")
    config = load_py_config(folder / "nbgrader_config.py")
    assert config.CourseDirectory.student_id == "teacher7"
    assert config.Exchange.root == str((tmp_path / "exchange").resolve())
    monkeypatch.delenv("JUPYTERHUB_USER")
    assert "student_id" not in load_py_config(folder / "nbgrader_config.py").CourseDirectory
    server = json.loads((folder / "jupyter_server_config.json").read_text())
    assert server["ServerApp"]["jpserver_extensions"] == {
        "nbgrader.server_extensions.formgrader": False, "nbgrader.server_extensions.course_list": False,
        "jupyter_lsp": False, "notebook": False}  # fmt: skip
    page = json.loads((folder / "labconfig" / "page_config.json").read_text())
    assert set(page["disabledExtensions"]) == set(nbconfig.TEACHER_DISABLED_LAB_PLUGINS)
    assert "@jupyter/nbgrader:assignment-list" not in page["disabledExtensions"]
