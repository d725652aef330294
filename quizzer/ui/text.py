"""Text helpers shared by the front ends: the one display function for outside text, short durations."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from quizzer.model import Card

# On the question screen of a card tagged `background` (model.BACKGROUND): a fact its deck's source lacks.
BACKGROUND_MARK = "background (not from the deck's source)"

# Whole escape sequences, introduced by ESC or by their one-byte C1 forms: CSI (colours, cursor moves,
# `2J` screen clears, `6n` reports), the strings OSC/DCS/SOS/PM/APC up to their terminator (OSC 52 writes
# the clipboard, OSC 8 plants a link), and two- or three-byte ESC sequences (ESC c resets the terminal).
# An unterminated string loses only its introducer, so the text after it stays visible; a string body
# stops at the next introducer, which keeps the work linear (no rescan to the end from each of many).
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b[]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x90\x98\x9c-\x9f]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)
# What is left of C0 and C1 (tab and newline are layout, not controls), DEL included.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidirectional overrides, embeddings, isolates and marks reorder what follows them (a "Trojan Source"
# answer can read as another): shown as <U+202E>, never obeyed.
_BIDI = re.compile(r"[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# JSON escapes C0 itself; these can only stand inside its strings, where \uXXXX reads back the same.
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def literal(text: object) -> str:
    """Text from a file, a user or the database, made safe to show on a terminal.

    Escape sequences and control characters are removed, bidi controls are shown as `<U+202E>`.
    Every such string reaches the screen through this function (rich gets it inside a `Text`, which
    never reads markup, so `[red]` shows as typed).
    """
    shown = _CONTROL.sub("", _SEQUENCE.sub("", str(text)))
    return _BIDI.sub(lambda match: f"<U+{ord(match.group()):04X}>", shown)


def json_safe(json_text: str) -> str:
    """JSON text with DEL, C1 and bidi controls written as \\u escapes: the same data, nothing a terminal obeys."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", json_text)


def cells(*values: object):
    """Rich table cells (or titles) of outside text: `literal`, inside a `Text` so no markup is read."""
    from rich.text import Text

    return [Text(literal(value)) for value in values]


def breaks_after(separator: str, line: str, width: int, *, taken: int = 0) -> list[int]:
    """Where to break `line` so that each piece fits `width`, only right after a `separator`, as late as
    possible (a piece wider than `width` stays whole); `taken`: cells already on the first line."""
    from rich.cells import cell_len

    breaks, offset, used = [], 0, taken
    for piece in re.split(f"(?<={re.escape(separator)})", line):
        if used and used + cell_len(piece) > width:
            breaks.append(offset)
            used = 0
        offset, used = offset + len(piece), used + cell_len(piece)
    return breaks


def wrapped(text: str, width: int) -> str:
    """`text` wrapped at `width` cells between words; a word wider than that (a path) is broken after a "/",
    so that each folder's and the file's name stays whole, and is folded by the terminal only where one
    name alone is wider."""
    import textwrap

    lines = []
    for line in text.split("\n"):
        filled = textwrap.fill(line, width, break_long_words=False, break_on_hyphens=False) or line
        for piece in filled.split("\n"):
            breaks = breaks_after("/", piece, width)
            lines += [piece[start:end] for start, end in zip([0, *breaks], [*breaks, len(piece)])]
    return "\n".join(lines)


def packed(items: list[str], width: int, indent: str) -> list[str]:
    """Items joined by ` · ` into lines of at most `width` cells (an item longer than that has a line of its own)."""
    from rich.cells import cell_len

    lines: list[str] = []
    for item in items:
        if lines and cell_len(lines[-1]) + 3 + cell_len(item) <= width:
            lines[-1] += " · " + item
        else:
            lines.append(item)
    return [indent + line for line in lines]


def question_header(header: str, card: Card, width: int) -> str:
    """The line above a question, made safe; a background card says so, on a line of its own when the
    header would pass `width` (the header wraps between its parts, never cut)."""
    return "\n".join(packed([literal(header), *([BACKGROUND_MARK] if card.background else [])], width, ""))


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


def local_time(moment: datetime | str) -> str:
    """A UTC time (or its ISO text) as local `YYYY-MM-DD HH:MM`."""
    try:
        if isinstance(moment, str):
            moment = datetime.fromisoformat(moment)
        moment = moment.astimezone()
    except (ValueError, OverflowError):  # a time at the calendar's very ends, written by other means: as stored
        pass
    return moment.strftime("%Y-%m-%d %H:%M") if isinstance(moment, datetime) else literal(moment)


def spent(milliseconds: int) -> str:
    """Time as `2h 05m`, `4m 07s` or `12s`."""
    seconds = round(milliseconds / 1000)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"


def summary_rows(summary, due_today: int, due_tomorrow: int) -> list[tuple[str, str]]:
    """The end-of-session summary as (label, value) rows, for either front end; what is due comes from
    `stats.due_soon`, so it matches `quizzer stats`."""
    accuracy = f"{summary.accuracy:.0%}" if summary.accuracy is not None else "–"
    return [
        ("Cards studied", str(summary.cards)),
        ("New", str(summary.new)),
        ("Reviews", str(summary.reviews)),
        ("Right / wrong", f"{summary.right} / {summary.wrong}"),
        ("Accuracy", accuracy),
        ("Time answering", spent(summary.answering_ms)),
        ("Still due today", str(due_today)),
        ("Due tomorrow", str(due_tomorrow)),
    ]
