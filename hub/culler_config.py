"""The idle culler's configuration (``--config``, hub.config): no log line that needs no action (hub.quiet)."""

from hub.quiet import logging_config

c = get_config()  # noqa: F821
c.Application.logging_config = logging_config()
