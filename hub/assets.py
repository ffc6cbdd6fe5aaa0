"""Every asset of every page from the hub's own machine: no request to a public CDN (issue 19, item 5).

Schools' networks are often slow towards, or cut off from, the public CDNs, and a district intranet may be
offline. Two places in the stack fetched from one:

- Voilà's "lab" template links Font Awesome from cdn.jsdelivr.net. Users' servers render Voilà pages with
  the project's own template, ``hub/user_data/voila/templates/mentorhub`` (found through ``JUPYTER_PATH``,
  chosen in ``hub/user_config/voila.json``), the same page without those links: the icons come from the
  copy of Font Awesome inside Voilà's own bundle.
- Voilà's page config names MathJax 2 on cdnjs.cloudflare.com unless the server's settings name another.
  Without a URL (the settings below), Voilà typesets with the MathJax 3 that JupyterLab's mathjax
  extension carries in Voilà's bundle, served by the user's own server.
"""

from __future__ import annotations

from pathlib import Path

USER_DATA_DIR = Path(__file__).resolve().parent / "user_data"
VOILA_TEMPLATE = "mentorhub"


def voila_tornado_settings() -> dict:
    """``ServerApp.tornado_settings`` of users' servers: no MathJax URL, so none from a CDN."""
    return {"mathjax_url": None, "mathjax_config": None}
