"""Sphinx configuration of Mentor Hub's documentation (`make docs`; `make test` builds it too).

Pages are MyST Markdown. Two pages are generated from the code at every build so that they cannot drift
from it (`_ext/mentorhub_docs.py`): the settings reference (from `hub/settings.schema.json` and the
defaults in `hub/settings.py`) and the access table (from `hub/store/access.py`).
"""

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(DOCS.parent))  # the `hub` package, also when it is not installed

project = "Mentor Hub · 导师成长平台"
author = "Mentor Hub"
copyright = "Mentor Hub"
language = "zh_CN"

extensions = ["myst_parser", "mentorhub_docs"]
source_suffix = {".md": "markdown"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
exclude_patterns = ["_build"]

html_theme = "pydata_sphinx_theme"
html_title = "Mentor Hub 文档"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_sidebars = {"index": [], "architecture": []}  # single pages: no section navigation to show
html_last_updated_fmt = None
html_show_sourcelink = False
html_theme_options = {
    "navigation_with_keys": False,
    "show_prev_next": True,
    "footer_start": ["copyright"],
    "footer_end": [],
}
