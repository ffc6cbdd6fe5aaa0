"""Minutes of a case discussion (研讨纪要) as Markdown text and as a .docx document.

Both are built from a ``RoomView`` seen by the leader: case, participants, contributions per round,
vote result and summary. Pure functions; the .docx comes back as bytes.
"""

from __future__ import annotations

import io

from docx import Document

from hub.cases import texts
from hub.cases.discussion import CONTRIBUTION_ROUNDS, RoomView


def _sections(view: RoomView) -> list[tuple[str, list[str]]]:
    """The minutes as (heading, paragraphs) pairs, shared by both formats."""
    session = view.session
    sections = [
        (texts.MINUTES_CASE, [session.case_title]),
        (texts.MINUTES_STUDIO, [session.studio]),
        (texts.MINUTES_LEADER, [session.leader]),
        (texts.MINUTES_PARTICIPANTS, ["、".join(session.participants)]),
    ]
    for round_name in CONTRIBUTION_ROUNDS:
        lines = [f"{c.author}：{c.text}" for c in view.in_round(round_name)]
        sections.append((f"{texts.MINUTES_ROUNDS}·{texts.ROUND_NAMES[round_name]}", lines or [texts.MINUTES_NONE]))
    vote_lines = [f"{line.text}（{line.author}）：{line.votes} {texts.MINUTES_VOTES_UNIT}" for line in view.tally]
    sections.append((texts.MINUTES_VOTE, vote_lines or [texts.MINUTES_NONE]))
    sections.append((texts.MINUTES_SUMMARY, [session.summary or texts.MINUTES_NONE]))
    return sections


def _markdown_text(text: str) -> str:
    """Keep a paragraph on one line and neutralise Markdown control characters."""
    flat = " ".join(text.split())
    for char in "\\`*_[]#<>|":
        flat = flat.replace(char, "\\" + char)
    return flat


def minutes_markdown(view: RoomView) -> str:
    lines = [f"# {texts.MINUTES_TITLE}", ""]
    for heading, paragraphs in _sections(view):
        lines += [f"## {heading}", ""]
        bullet = len(paragraphs) > 1 or heading.startswith(texts.MINUTES_ROUNDS) or heading == texts.MINUTES_VOTE
        lines += [f"- {_markdown_text(p)}" if bullet else _markdown_text(p) for p in paragraphs]
        lines.append("")
    return "\n".join(lines)


def minutes_docx(view: RoomView) -> bytes:
    document = Document()
    document.add_heading(texts.MINUTES_TITLE, level=0)
    for heading, paragraphs in _sections(view):
        document.add_heading(heading, level=1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
