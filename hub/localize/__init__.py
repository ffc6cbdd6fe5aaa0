"""People-facing text of the Jupyter packages in Chinese, where the packages offer no translation of their own.

JupyterLab and Jupyter Server are translated by their language pack (``jupyterlab-language-pack-zh-CN``) and
the hub's pages by the project's own templates (``JupyterHub.template_paths``). nbgrader's formgrader and
its JupyterLab Assignments panel have no translation mechanism at all: their English is in nbgrader's Jinja
templates and JavaScript. For those, ``translate`` replaces each English phrase of a phrasebook (the
``*_texts`` modules here, one per component, reviewable) with its Chinese. A phrase that is no longer found
(nbgrader changed) is reported, never silently skipped: ``missing_phrases`` lists them, the unit tests fail
on any, and at run time it is logged once.
"""

from __future__ import annotations

from collections.abc import Iterable

Phrasebook = Iterable[tuple[str, str]]


def translate(text: str, phrases: Phrasebook) -> str:
    """``text`` with every English phrase replaced by its Chinese, in the phrasebook's order."""
    for english, chinese in phrases:
        text = text.replace(english, chinese)
    return text


def missing_phrases(text: str, phrases: Phrasebook) -> list[str]:
    """The English phrases of ``phrases`` that ``text`` does not contain (checked in order, as replaced)."""
    missing = []
    for english, chinese in phrases:
        if english not in text:
            missing.append(english)
        text = text.replace(english, chinese)
    return missing
