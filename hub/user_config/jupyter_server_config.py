"""Users' servers: the settings that need code (the others are in jupyter_server_config.json).

- No yarn at each start. JupyterLab asks yarn for the npm registry whenever it gathers its application
  info, which it does as a server starts: a Node.js process loading yarn, about 0.4 CPU-seconds of a start
  that costs about 3, paid by every teacher of a cohort logging in at the same hour. The registry serves
  only to install extensions, which users' servers never do, so the question gets the answer "no yarn
  configuration" (the answer JupyterLab itself uses where Node.js is missing) without starting yarn.
- No log line that needs no action (hub.quiet), and MathJax from the user's own server (Voilà otherwise
  loads it from a public CDN; hub.assets).
"""

import jupyterlab.commands

from hub.assets import voila_tornado_settings
from hub.quiet import logging_config, quiet_python_warnings

c = get_config()  # noqa: F821


def no_yarn_config(logger):
    return {"yarn config": {}, "npm config": {}}


jupyterlab.commands._yarn_config = no_yarn_config

quiet_python_warnings()
c.Application.logging_config = logging_config()  # the server and each extension app
c.ServerApp.tornado_settings = voila_tornado_settings()
