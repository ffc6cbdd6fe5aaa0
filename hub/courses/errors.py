"""Domain exceptions of the courses area. Messages are for people (Chinese)."""


class CourseError(Exception):
    """Base class: something about a course, an assignment or a submission is wrong."""


class NotFound(CourseError):
    """A course, assignment, student or file that was asked for does not exist."""


class Invalid(CourseError):
    """Metadata or input does not satisfy the rules; the message names the field."""


class PipelineError(CourseError):
    """An nbgrader step reported failure; the message carries nbgrader's log excerpt."""
