"""Domain exceptions of the matching component.

The rendered text (``str(error)``) is Chinese, for the people who fix the input; ``problems`` keeps
the structured facts (file, row, column) for code and tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from hub.matching import messages as msg

MAX_LISTED_PROBLEMS = 20


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, and where it is."""

    file: str | None
    row: int | None
    column: str | None
    text: str

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(msg.WHERE_FILE.format(file=self.file))
        if self.row is not None:
            where.append(msg.WHERE_ROW.format(row=self.row))
        if self.column:
            name = msg.COLUMN_NAMES.get(self.column)
            where.append(msg.WHERE_COLUMN_NAMED.format(column=self.column, name=name) if name
                         else msg.WHERE_COLUMN.format(column=self.column))  # fmt: skip
        prefix = "，".join(where)
        return f"{prefix}：{self.text}" if prefix else self.text


class MatchingError(Exception):
    """Base class of every error the matching component raises on purpose."""


class InputError(MatchingError):
    """The tables cannot be matched as given; nothing has been written."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.render())

    def render(self) -> str:
        shown = [str(p) for p in self.problems[:MAX_LISTED_PROBLEMS]]
        hidden = len(self.problems) - len(shown)
        if hidden > 0:
            shown.append(msg.MORE_PROBLEMS.format(count=hidden))
        return "\n".join(shown)


class InfeasibleError(InputError):
    """The input is well-formed but the capacity cannot cover every student's needs."""


class AdjustmentRefused(MatchingError):
    """A manual change would break a matching rule; the assignment is left as it was."""
