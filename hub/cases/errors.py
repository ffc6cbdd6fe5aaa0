"""Domain exceptions of the case-study package. Messages are Chinese (shown to people)."""


class CaseStudyError(Exception):
    """Base class; ``str(error)`` is a message for people."""


class Invalid(CaseStudyError, ValueError):
    """Input that breaks a rule: a case file, a contribution, a vote."""


class NotFound(CaseStudyError, LookupError):
    """A case, session or contribution that does not exist."""


class Forbidden(CaseStudyError, PermissionError):
    """The caller may not do this (not a studio member, not the leader, not the author)."""
