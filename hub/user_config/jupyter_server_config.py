"""Users' servers: the one setting that needs code (the others are in jupyter_server_config.json).

JupyterLab asks yarn for the npm registry whenever it gathers its application info, which it does as a
server starts: a Node.js process loading yarn, about 0.4 CPU-seconds of a start that costs about 3, paid
by every teacher of a cohort logging in at the same hour. The registry serves only to install extensions,
which users' servers never do, so the question gets the answer "no yarn configuration" (the answer
JupyterLab itself uses where Node.js is missing) without starting yarn.
"""

import jupyterlab.commands


def no_yarn_config(logger):
    return {"yarn config": {}, "npm config": {}}


jupyterlab.commands._yarn_config = no_yarn_config
