"""What the learner does to a card besides answering it: undo, suspend, bury, edit, and leeches.

Each but edit is an event appended to the log beside the answers and replayed with them (docs/events.md);
an edit changes the deck file, which is the truth for card content.
`COMMANDS` is the one table of in-session commands: plain mode reads `:word`, the interactive screens a
key (ui/keys.py), and their hint lines list them; a new command is one entry here and one handler in the session.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from quizzer.model import AnswerKind, Event, EventKind, next_study_day
from quizzer.scheduler import Scheduler
from quizzer.store import CardKey, Store

LEECH_LAPSES = 8  # Anki's default: a card forgotten this often is a leech


class Action(str, enum.Enum):
    UNDO = "undo"
    SUSPEND = "suspend"
    BURY = "bury"
    EDIT = "edit"
    QUIT = "quit"


@dataclass(frozen=True)
class Command:
    action: Action
    key: str  # the key on the interactive verdict screen
    keys: tuple[str, ...] = field(default=())  # other keys for it there (prompt_toolkit names)

    @property
    def word(self) -> str:
        return f":{self.action.value}"  # plain mode, or typed as an answer


COMMANDS = (
    Command(Action.UNDO, "u", ("c-z",)),
    Command(Action.SUSPEND, "s"),
    Command(Action.BURY, "b"),
    Command(Action.EDIT, "e"),
    Command(Action.QUIT, "q"),
)
_BY_WORD = {c.word: c for c in COMMANDS} | {":q": COMMANDS[-1]}
USAGE = f"commands: {' '.join(c.word for c in COMMANDS)} (type ::x to answer ':x')"
QUIZ_USAGE = "q or :quit ends the quiz (type ::x to answer ':x')"


class Control(Exception):
    """The learner gave a command instead of an answer; the session carries it out."""

    def __init__(self, command: Command):
        super().__init__(command.word)
        self.command = command


class UnknownCommand(ValueError):
    """A line starting with one colon that is no command."""


def read(line: str) -> str:
    """A line typed at a prompt: the answer it is, or Control raised for a command. `::x` is the answer `:x`."""
    text = line.strip()
    if not text.startswith(":"):
        return line
    if text.startswith("::"):
        return text[1:]
    command = _BY_WORD.get(text.lower())
    if command is None:
        raise UnknownCommand(f"unknown command {text}; {USAGE}")
    raise Control(command)


class CardEvents:
    """Appends events for cards and rebuilds them through the one path (`Store.add_events`)."""

    def __init__(self, store: Store, scheduler: Scheduler, *, day_starts_at: int = 4, leech_action: str = "suspend"):
        self.store = store
        self.day_starts_at = day_starts_at
        self.leech_action = leech_action
        self.replay = lambda log: scheduler.replay(log, log[0][2])

    def _add(self, kind: EventKind, keys: list[CardKey], now: datetime, **extra) -> None:
        self.store.add_events(
            [Event(str(uuid.uuid4()), kind, deck, card, now, **extra) for deck, card in keys], self.replay
        )

    def undo(self, now: datetime, *, session: str | None = None) -> dict | None:
        """Void the most recent study answer that counts (of `session`, if given); the voided answer, or None.
        Quiz answers are never undone: their quiz's record counts them."""
        last = self.store.reviews(session=session, limit=1, kind=AnswerKind.STUDY.value)
        if not last:
            return None
        answer = last[0]
        self._add(EventKind.VOID, [(answer["deck"], answer["card"])], now, target=answer["review_id"])
        return answer

    def suspend(self, keys: list[CardKey], now: datetime) -> None:
        self._add(EventKind.SUSPEND, keys, now)

    def unsuspend(self, keys: list[CardKey], now: datetime) -> None:
        self._add(EventKind.UNSUSPEND, keys, now)

    def bury(self, keys: list[CardKey], now: datetime) -> datetime:
        """Hide the cards until the next study day starts; returns when that is."""
        until = next_study_day(now, self.day_starts_at)
        self._add(EventKind.BURY, keys, now, data={"until": until.isoformat()})
        return until

    def after_lapse(self, key: CardKey, now: datetime) -> str | None:
        """After a lapse: mark the card a leech the first time it reaches LEECH_LAPSES (and suspend it,
        unless leech_action is "tag"); what to tell the learner, once, or None."""
        flags = self.store.flags().get(key)
        if (flags is not None and flags.leech) or self.store.lapses(*key) < LEECH_LAPSES:
            return None
        self._add(EventKind.LEECH, [key], now)
        deck, card = key
        if self.leech_action == "suspend":
            self._add(EventKind.SUSPEND, [key], now, data={"reason": "leech"})
            return (f"{deck}/{card} is a leech ({LEECH_LAPSES} lapses) and is suspended; "
                    f"`quizzer unsuspend {deck}/{card}` brings it back")
        return f"{deck}/{card} is a leech ({LEECH_LAPSES} lapses): worth rewording or splitting"
