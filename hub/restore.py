"""`mentorhub restore FILE`: see ``hub.backup`` (this module only registers the command)."""

from hub.backup import register_restore as register

__all__ = ["register"]
