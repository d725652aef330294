"""Text helpers shared by the front ends: literal display of deck text, short durations."""

from __future__ import annotations

import re
from datetime import timedelta

# C0 and C1 control characters except tab and newline, and whole ANSI escape sequences.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def literal(text: str) -> str:
    """Deck or user text made safe to print: no escape sequences, no control characters."""
    return _CONTROL.sub("", _ANSI.sub("", text))


def markup_safe(text: str) -> str:
    """`literal` text also escaped for rich markup, so `[bold]` prints as typed."""
    from rich.markup import escape

    return escape(literal(text))


def short_duration(span: timedelta) -> str:
    """A compact interval like Anki's buttons: 1m, 10m, 3h, 4d, 2.5mo, 1.2y."""
    seconds = max(0.0, span.total_seconds())
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo"
    return f"{days / 365:.1f}y"



def summary_rows(summary) -> list[tuple[str, str]]:
    """The end-of-session summary as (label, value) rows, for either front end."""
    accuracy = f"{summary.accuracy:.0%}" if summary.accuracy is not None else "–"
    minutes, seconds = divmod(int(summary.duration.total_seconds()), 60)
    return [
        ("Cards studied", str(summary.cards)),
        ("New", str(summary.new)),
        ("Reviews", str(summary.reviews)),
        ("Right / wrong", f"{summary.right} / {summary.wrong}"),
        ("Accuracy", accuracy),
        ("Time", f"{minutes}m {seconds:02d}s"),
        ("Due tomorrow", str(summary.due_tomorrow)),
    ]


def cells(*values: object):
    """Table cells shown literally: rich never reads markup in deck or user text."""
    from rich.text import Text

    return [Text(literal(str(value))) for value in values]
