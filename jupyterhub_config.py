"""Mentor Hub's JupyterHub configuration: the same thin file in every mode.

Settings come from the site settings file (MENTORHUB_SETTINGS, or ./mentorhub.yaml, or the embedded demo
defaults); all logic lives in the importable, tested `hub.config`. The single escape hatch is
`jupyterhub_config.d/*.py` next to this file, loaded last.
"""

from pathlib import Path

from hub.config import apply_all
from hub.runtime import prepare
from hub.settings import load_settings

c = get_config()  # noqa: F821 - provided by JupyterHub

settings = load_settings()
apply_all(settings, c, prepare(settings))

# Escape hatch: site-specific overrides, applied after everything above.
for extra in sorted((Path(__file__).parent / "jupyterhub_config.d").glob("*.py")):
    load_subconfig(str(extra))  # noqa: F821 - provided by traitlets
