"""Course formgraders (hub services, ``JUPYTER_CONFIG_PATH``, hub.config): the formgrader in Chinese with
working links (hub.localize.formgrader, enabled in jupyter_server_config.d), and no log line that needs no action (hub.quiet)."""

from hub.quiet import logging_config, quiet_python_warnings

c = get_config()  # noqa: F821

quiet_python_warnings()
c.Application.logging_config = logging_config()  # the server and each extension app
# nbgrader's panel of the formgrader's own configuration (file paths, class names) means nothing to a trainer
c.FormgradeExtension.debug = False
