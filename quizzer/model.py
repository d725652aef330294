"""The things quizzer talks about: decks, cards, verdicts and reviews.

Plain frozen dataclasses with no I/O, so every other layer can build and compare them freely.
"""

from __future__ import annotations

import enum
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

# Words of lowercase letters and digits joined by single hyphens. Written without a repeated group, whose
# backtracking state grows with every word; \Z, because $ also matches before a final newline.
DECK_ID_PATTERN = re.compile(r"^(?!.*--)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\Z")
# A blank is `{{...}}` on one line. A `{{` left open takes the rest of its line as a non-blank, so
# the scan never restarts inside it: linear time, where `\{\{(.*?)\}\}` was quadratic on "{{a" * n.
_CLOZE_BLANK = re.compile(r"\{\{(?:(.*?)\}\}|.*)")


def cloze_blanks(text: str) -> list[str]:
    """The inside of each `{{blank}}` in cloze text, in order."""
    return [m.group(1) for m in _CLOZE_BLANK.finditer(text) if m.group(1) is not None]


def replace_blanks(text: str, replace: Callable[[str], str]) -> str:
    """Cloze text with each `{{blank}}` replaced by `replace(its inside)`; the rest as it was."""
    return _CLOZE_BLANK.sub(lambda m: m.group(0) if m.group(1) is None else replace(m.group(1)), text)


def plural(count: int, noun: str) -> str:
    """"1 card", "2 cards", "1,000 cards": a count and its noun, as every message and screen words them."""
    return f"{count:,} {noun}{'s' * (count != 1)}"


def slug(text: str, max_length: int = 60) -> str:
    """Lowercase ASCII words joined by '-', a valid deck id (or '' when no letter or digit is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words)[:max_length].strip("-")


class Kind(str, enum.Enum):
    """How a card is asked and answered."""

    FLASH = "flash"
    TYPED = "typed"
    CHOICE = "choice"
    TRUEFALSE = "truefalse"
    CLOZE = "cloze"
    ORDER = "order"


class Outcome(str, enum.Enum):
    """How an answer was judged; stored as the review's verdict."""

    CORRECT = "correct"
    CLOSE = "close"  # right, with a small slip
    WRONG = "wrong"
    SELF = "self"  # flash cards: the learner rated themself
    OVERRIDDEN = "overridden"  # judged wrong or close, counted as right by the learner
    ANKI = "anki"  # imported from Anki's review log: rated there, as with SELF


class Rating(enum.IntEnum):
    """FSRS ratings, with the numbers py-fsrs and Anki use."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4


@dataclass(frozen=True)
class Blank:
    """One gap in a cloze card: `{{answer|alternative|...}}` in the deck file."""

    answer: str
    accept: tuple[str, ...] = ()


# A card with this tag is not part of what its deck teaches, so it does not take the deck's tags.
BACKGROUND = "background"


@dataclass(frozen=True)
class Card:
    """One question. Fields that do not apply to a card's kind stay empty."""

    id: str
    kind: Kind
    question: str
    # flash/typed/choice: the answer text; typed list answers: a tuple; truefalse: a bool;
    # cloze: the blanks' answers; order: the items in the right order.
    answer: str | tuple[str, ...] | bool
    accept: tuple[str, ...] = ()
    reject: tuple[str, ...] = ()
    ordered: bool = False
    distractors: tuple[str, ...] = ()
    blanks: tuple[Blank, ...] = ()
    explain: str = ""
    ref: str = ""
    tags: tuple[str, ...] = ()
    line: int = 0  # where the card starts in its deck file, for messages

    @property
    def prompt(self) -> str:
        """The question as shown; cloze blanks become numbered gaps."""
        if self.kind is not Kind.CLOZE:
            return self.question
        count = iter(range(1, len(self.blanks) + 1))
        return replace_blanks(self.question, lambda _: f"[{next(count)}: ____]")

    @property
    def answer_text(self) -> str:
        """The right answer as one line for display."""
        if isinstance(self.answer, bool):
            return "true" if self.answer else "false"
        if isinstance(self.answer, tuple):
            sep = " → " if self.kind is Kind.ORDER else ", "
            return sep.join(self.answer)
        return self.answer

    @property
    def background(self) -> bool:
        """Tagged `background`: a fact from outside the deck's source, shown so on the question screen."""
        return BACKGROUND in self.tags


def ids_json(ids: Sequence[str]) -> str:
    """Card ids as one compact JSON array: the store hands a deck's answered ids over in the same text, so
    "are these exactly the deck's cards?" is one string comparison, with no id parsed on either side."""
    return json.dumps(list(ids), ensure_ascii=False, separators=(",", ":"))


class Cards(Sequence):
    """A deck's cards as the parse cache keeps them: each card's body built when it is first read, and the
    ids, own tags and kinds (in file order) decoded when first read. Listing a large library, or picking
    the few hundred cards a session or quiz asks from it, then builds no card nobody reads, and a session
    without --tag decodes no tags. Equal to the tuple of the same cards."""

    def __init__(self, count: int, ids: Callable[[], tuple[str, ...]],
                 labels: Callable[[], tuple[tuple[tuple[str, ...], ...], tuple[Kind, ...]]],
                 build: Callable[[int], Card], sorted_ids_text: str | None = None):
        self._count = count
        self._ids, self._labels, self._build = ids, labels, build
        self._sorted_ids_text = sorted_ids_text
        self._built: dict[int, Card] = {}

    @classmethod
    def of(cls, cards: Sequence[Card]) -> Cards:
        """The index of cards already built (a deck parsed from its file)."""
        return cls(len(cards), lambda: tuple(c.id for c in cards),
                   lambda: (tuple(c.tags for c in cards), tuple(c.kind for c in cards)), cards.__getitem__)

    @cached_property
    def ids(self) -> tuple[str, ...]:
        return self._ids()

    @cached_property
    def sorted_ids_text(self) -> str:
        """`ids_json` of the ids sorted by code point, as the parse cache holds it when it does (for
        `Deck.has_exactly` alone: damaged text never equals the store's, or stands for another count)."""
        return ids_json(sorted(self.ids)) if self._sorted_ids_text is None else self._sorted_ids_text

    @cached_property
    def _tags_and_kinds(self) -> tuple[tuple[tuple[str, ...], ...], tuple[Kind, ...]]:
        return self._labels()

    @property
    def tags(self) -> tuple[tuple[str, ...], ...]:
        return self._tags_and_kinds[0]

    @property
    def kinds(self) -> tuple[Kind, ...]:
        return self._tags_and_kinds[1]

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self[n] for n in range(*index.indices(self._count)))
        n = range(self._count)[index]  # IndexError and negative indices as a tuple has them
        card = self._built.get(n)
        if card is None:
            card = self._built[n] = self._build(n)
        return card

    def __iter__(self):
        return map(self.__getitem__, range(self._count))

    def __eq__(self, other) -> bool:
        if isinstance(other, (tuple, Cards)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None

    def __repr__(self) -> str:
        return f"Cards({self._count} cards, {len(self._built)} built)"


@dataclass(frozen=True)
class Deck:
    id: str
    title: str
    cards: tuple[Card, ...] | Cards
    description: str = ""
    tags: tuple[str, ...] = ()
    source: dict[str, str] = field(default_factory=dict)
    path: str = ""
    builtin: bool = False

    @cached_property
    def _index(self) -> Cards:
        """Each card's id, own tags and kind, in file order, without building a card the cache holds."""
        return self.cards if isinstance(self.cards, Cards) else Cards.of(self.cards)

    @property
    def card_ids(self) -> tuple[str, ...]:
        """The cards' ids in file order."""
        return self._index.ids

    def has_exactly(self, count: int, ids_text: str) -> bool:
        """Whether `count` ids given as `ids_json` text, sorted by code point (as the store hands a deck's
        answered ids over), are exactly this deck's cards: one string comparison, no id parsed or hashed
        (the parse cache keeps the deck's ids in that order as text). True for a deck whose every card is
        answered, whatever its file's order; False otherwise, and the caller compares sets."""
        return count == len(self.cards) and ids_text == self._index.sorted_ids_text

    @property
    def card_kinds(self) -> tuple[Kind, ...]:
        """The cards' kinds in file order."""
        return self._index.kinds

    @property
    def card_own_tags(self) -> tuple[tuple[str, ...], ...]:
        """The cards' own tags in file order (without the deck's)."""
        return self._index.tags

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Where each card id first appears: a session looks its queued cards up by id on every question."""
        ids = self.card_ids
        # Built from the last card back, so an id's first position is the one kept: one C loop, not a
        # Python step a card (100 decks of 1,000 cards: a tenth of study's queue).
        return dict(zip(ids[::-1], range(len(ids) - 1, -1, -1)))

    def position(self, card_id: str) -> int | None:
        """Where the card is in the deck's file order; None for a card not in the deck."""
        return self._positions.get(card_id)

    def card(self, card_id: str) -> Card | None:
        n = self.position(card_id)
        return None if n is None else self.cards[n]

    def card_tags(self, card: Card) -> tuple[str, ...]:
        """The tags `card` carries: its own, then the deck's unless it is a background card."""
        return self.tags_carried(card.tags)

    def tagged_positions(self, tag: str | None) -> list[int]:
        """Where in the deck the cards that carry `tag` are (every card when `tag` is None)."""
        if tag is None:
            return list(range(len(self.cards)))
        return [n for n, own in enumerate(self.card_own_tags) if tag in self.tags_carried(own)]

    def tagged(self, tag: str | None) -> tuple[Card, ...]:
        """The cards that carry `tag` (every card when `tag` is None): the one rule for `--tag`."""
        if tag is None:
            return tuple(self.cards)
        return tuple(self.cards[n] for n in self.tagged_positions(tag))

    def tags_carried(self, own: tuple[str, ...]) -> tuple[str, ...]:
        """The tags a card with these own tags carries: them, then the deck's unless it is background."""
        return tuple(dict.fromkeys(own if BACKGROUND in own else (*own, *self.tags)))


@dataclass(frozen=True)
class Mark:
    """Feedback on one item of a list answer or one blank of a cloze."""

    text: str
    status: str  # "found" | "close" | "missing" | "extra" | "wrong"


@dataclass(frozen=True)
class Verdict:
    outcome: Outcome
    reason: str = ""
    marks: tuple[Mark, ...] = ()
    # For a close answer: the response as typed and the answer it nearly matched, to show the slip.
    slip: tuple[str, str] | None = None

    @property
    def is_right(self) -> bool:
        return self.outcome in (Outcome.CORRECT, Outcome.CLOSE, Outcome.OVERRIDDEN)


class AnswerKind(str, enum.Enum):
    """Why an answer was given: in the FSRS schedule (`study`) or in a scored test (`quiz`)."""

    STUDY = "study"
    QUIZ = "quiz"


@dataclass(frozen=True)
class Review:
    """One answer, as kept forever in the append-only review log."""

    review_id: str
    deck: str
    card: str
    reviewed_at: datetime  # UTC
    rating: Rating
    verdict: Outcome
    response: str
    duration_ms: int
    session: str
    kind: AnswerKind = AnswerKind.STUDY
    reschedules: bool = True  # False: a quiz answer that leaves the card's schedule as it was


class EventKind(str, enum.Enum):
    """What a non-answer entry of the log does to its card (docs/events.md)."""

    VOID = "void"  # an undo: the answer `target` no longer counts
    SUSPEND = "suspend"  # never asked until unsuspended (data: {"reason": "leech"} when done for lapses)
    UNSUSPEND = "unsuspend"
    BURY = "bury"  # hidden until data["until"], the start of the next study day
    LEECH = "leech"  # flagged for its lapses, still asked (leech_action = "tag")
    QUIZ = "quiz"  # a quiz's record (data: docs/events.md); belongs to no card, so deck and card are ""
    ACCEPT = "accept"  # data["response"] counts as right for the card from now on (`a` at a verdict)
    UNACCEPT = "unaccept"  # data["response"] no longer does (`quizzer accepted --remove`)


@dataclass(frozen=True)
class Event:
    """One entry of the event log, kept forever beside the answers; `event_id` is the same on every machine."""

    event_id: str
    kind: EventKind
    deck: str
    card: str
    at: datetime  # UTC
    target: str | None = None  # the review id a void cancels
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class QuizScore:
    """Questions asked in a quiz (or in one deck of it) and how they went: close is right with a slip."""

    asked: int = 0
    right: int = 0
    close: int = 0
    wrong: int = 0

    @property
    def score(self) -> float | None:
        """Right and close answers over questions asked; None when none was asked."""
        return (self.right + self.close) / self.asked if self.asked else None

    def to_dict(self) -> dict:
        return {"asked": self.asked, "right": self.right, "close": self.close, "wrong": self.wrong}


QUIZ_SELECTIONS = ("random", "weakest", "unseen", "due")
QUIZ_MODES = ("practice", "exam")


@dataclass(frozen=True)
class QuizRecord:
    """One `quizzer quiz`, as its `quiz` event keeps it (docs/events.md): the data of the event."""

    quiz_id: str
    started: datetime  # UTC
    ended: datetime
    decks: tuple[str, ...]  # as named on the command line; () for every deck
    tag: str | None
    selection: str  # random | weakest | unseen | due
    mode: str  # practice | exam
    reschedule: bool
    requested: int  # -n
    total: QuizScore
    by_deck: dict[str, QuizScore]  # the decks questions came from
    finished: bool  # False when ended early (q, Ctrl-C, Ctrl-D)

    @property
    def score(self) -> float | None:
        return self.total.score

    def to_dict(self) -> dict:
        score = self.score
        return {
            "quiz": self.quiz_id, "started": self.started.isoformat(), "ended": self.ended.isoformat(),
            "decks": list(self.decks), "tag": self.tag, "selection": self.selection, "mode": self.mode,
            "reschedule": self.reschedule, "requested": self.requested, **self.total.to_dict(),
            "score": None if score is None else round(score, 4), "finished": self.finished,
            "by_deck": {deck: counts.to_dict() for deck, counts in sorted(self.by_deck.items())},
        }

    @classmethod
    def from_dict(cls, data: dict) -> QuizRecord:
        """The record `to_dict` wrote; ValueError naming the first key that is missing or of the wrong type
        (a record may come from a progress file)."""
        def get(key: str, kind: type | tuple[type, ...]):
            if key not in data:
                raise ValueError(f"quiz record without '{key}'")
            value = data[key]
            if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
                raise ValueError(f"quiz record '{key}' has the wrong type ({type(value).__name__})")
            return value

        def counts(source: dict) -> QuizScore:
            numbers = {}
            for key in ("asked", "right", "close", "wrong"):
                value = source.get(key)
                if type(value) is not int or value < 0:
                    raise ValueError(f"quiz record '{key}' must be a whole number, not {value!r}"[:120])
                numbers[key] = value
            if numbers["right"] + numbers["close"] + numbers["wrong"] != numbers["asked"]:
                raise ValueError("quiz record: right, close and wrong do not add up to asked")
            return QuizScore(**numbers)

        def moment(key: str) -> datetime:
            try:
                value = datetime.fromisoformat(get(key, str))
            except ValueError:
                raise ValueError(f"quiz record '{key}' is not an ISO time") from None
            if value.tzinfo is None:
                raise ValueError(f"quiz record '{key}' has no time zone")
            return value

        decks, by_deck = get("decks", list), get("by_deck", dict)
        if not all(isinstance(d, str) for d in decks) or not all(isinstance(v, dict) for v in by_deck.values()):
            raise ValueError("quiz record 'decks' or 'by_deck' holds something other than deck ids")
        if data.get("selection") not in QUIZ_SELECTIONS or data.get("mode") not in QUIZ_MODES:
            raise ValueError(f"quiz record 'selection' must be one of {', '.join(QUIZ_SELECTIONS)} and 'mode' one "
                             f"of {', '.join(QUIZ_MODES)}")
        tag = data.get("tag")
        if tag is not None and not isinstance(tag, str):
            raise ValueError("quiz record 'tag' must be text or null")
        return cls(
            get("quiz", str), moment("started"), moment("ended"), tuple(decks), tag,
            get("selection", str), get("mode", str), get("reschedule", bool), get("requested", int),
            counts(data), {deck: counts(c) for deck, c in by_deck.items()}, get("finished", bool),
        )


class Phase(str, enum.Enum):
    """Where a card is in its learning; `new` until its first review."""

    NEW = "new"
    LEARNING = "learning"
    REVIEW = "review"
    RELEARNING = "relearning"


@dataclass(frozen=True)
class CardState:
    """A card's schedule: what FSRS knows about it, cached from the review log."""

    phase: Phase
    due: datetime
    step: int | None = None
    stability: float | None = None
    difficulty: float | None = None
    last_review: datetime | None = None


def study_day_start(moment: datetime, rollover_hour: int = 4) -> datetime:
    """Start (local time, timezone-aware) of the study day holding `moment`; days begin at 04:00."""
    local = moment.astimezone()
    start = local.replace(hour=rollover_hour, minute=0, second=0, microsecond=0)
    return start if local >= start else start - timedelta(days=1)


def next_study_day(moment: datetime, rollover_hour: int = 4) -> datetime:
    """Start of the study day after the one holding `moment`: when a card buried at `moment` comes back."""
    return study_day_start(moment, rollover_hour) + timedelta(days=1)
