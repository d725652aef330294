"""The keys of each study screen, in one place: the screen's hint line and its key bindings come from here.

A new control (say undo) is one more `Key` in the lists below; the interactive prompter binds what
each list says and shows it in the hint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Mapping
from datetime import timedelta

from quizzer import controls
from quizzer.cardtypes import CARD_TYPES, Asks
from quizzer.model import Card, Outcome, Rating
from quizzer.ui.text import short_duration

HINT_WIDTH = 60  # the narrowest terminal a study screen is made for


@dataclass(frozen=True)
class Key:
    label: str  # how the hint names the key(s)
    does: str  # what it does, in a word or two
    bindings: dict[str, object] = field(default_factory=dict)  # prompt_toolkit key → what the prompt returns;
    # empty when the prompt itself handles the key (arrows, Enter on a highlighted choice, typed text)


QUIT = Key("q", "quit", {"q": None, "c-c": None, "c-d": None})  # Ctrl-C and Ctrl-D too, not worth the room
# The in-session commands (controls.COMMANDS), on every screen where a key can be read: u undo, s suspend, …
COMMANDS = [
    Key(c.key, c.action.value, {key: controls.Control(c) for key in (c.key, *c.keys)})
    for c in controls.COMMANDS if c.action is not controls.Action.QUIT
]
CHOOSE = Key("↑↓ Enter", "choose")
# In a text box the commands are typed: `:undo` and so on (controls.read).
TYPED_COMMANDS = Key(" ".join(c.word for c in controls.COMMANDS if c.action is not controls.Action.QUIT), "commands")


def _numbers(count: int, results) -> dict[str, object]:
    """Keys 1, 2, … for up to nine results; with ten or more a digit would be ambiguous, so none."""
    return {str(n): result for n, result in zip(range(1, count + 1), results)} if count <= 9 else {}


def question_keys(card: Card, options: tuple[str, ...], *, commands: bool = True) -> list[Key]:
    """The keys while a card is asked; without `commands` (a quiz) only quit among them."""
    asks = CARD_TYPES[card.kind].asks
    more = COMMANDS if commands else []
    if asks is Asks.REVEAL:
        return [Key("Enter", "show answer", {"enter": "", "c-m": "", " ": ""}), QUIT, *more]
    if asks is Asks.PICK:
        numbers = _numbers(len(options), options)
        return [*([Key(f"1-{len(numbers)}", "answer", numbers)] if numbers else []), CHOOSE, QUIT, *more]
    if asks is Asks.TRUTH:
        return [Key("t/y", "true", {"t": "true", "y": "true"}), Key("f/n", "false", {"f": "false", "n": "false"}),
                CHOOSE, QUIT, *more]
    # Typed text: the line editor owns the keys; a line of just q ends the session, :undo and the like
    # are commands there (controls.read).
    return [Key("Enter", "answer"), Key("q Enter", "quit"), *([TYPED_COMMANDS] if commands else [])]


def rating_keys(*, commands: bool = True) -> list[Key]:
    """The keys of a flash card's rating list."""
    return [Key("1-4", "rate", _numbers(4, Rating)), CHOOSE, QUIT, *(COMMANDS if commands else [])]


def next_keys() -> list[Key]:
    """The keys under a quiz's feedback on an answer."""
    return [Key("Enter", "next question", {"enter": True, "c-m": True, " ": True}), QUIT]


def verdict_keys(card: Card, outcome: Outcome, proposed: Rating, intervals: Mapping[Rating, timedelta]) -> list[Key]:
    """The keys once a judged card's verdict is shown."""
    keys = [
        Key("Enter", f"keep {proposed.name.lower()} {short_duration(intervals[proposed])}",
            {"enter": "keep", "c-m": "keep"}),
        Key("1-4", "rate", _numbers(4, Rating)),
    ]
    if outcome in (Outcome.WRONG, Outcome.CLOSE):
        keys.append(Key("o", "right", {"o": "override"}))
        if CARD_TYPES[card.kind].remembers_responses:
            keys.append(Key("a", "accept", {"a": "remember"}))
    return [*keys, QUIT, *COMMANDS]


def hint_lines(keys: list[Key], width: int = HINT_WIDTH) -> list[str]:
    """`label does · label does …`, wrapped between keys to `width`: never cut, and at most
    HINT_WIDTH wide so that a terminal that reflows its lines on a resize keeps their count."""
    lines = [""]
    for entry in (f"{k.label} {k.does}" for k in keys):
        if lines[-1] and len(lines[-1]) + 3 + len(entry) > width:
            lines.append("")
        lines[-1] += f" · {entry}" if lines[-1] else entry
    return lines
