"""Every card type in one table: its deck keys, how a card is read and checked, asked, judged and written.

Adding a type is a `Kind` member in `model`, one `CardType` entry in `CARD_TYPES`, its authoring questions
in `ui/new_deck.py`, and, only if no type asks or judges that way yet, a prompt in each study front end
(`ui/interactive.py`, `ui/plain.py`) or a rule in `grading.judge` (docs/architecture.md). Nothing here
does I/O: reading goes through the `Fields` a deck reader hands over, so the rules hold for YAML,
spreadsheets and Anki alike.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from quizzer.model import Blank, Card, Kind, cloze_blanks

COMMON_KEYS = ("id", "type", "explain", "ref", "tags")  # every card may have these


class Asks(enum.Enum):
    """The prompt a front end shows: each front end has one function per member."""

    REVEAL = "reveal"  # show the question, then the answer; the learner rates themself
    TEXT = "text"  # type the answer (several blanks separated by `|`)
    PICK = "pick"  # pick one of the shuffled options
    TRUTH = "truth"  # true or false
    ARRANGE = "arrange"  # put the shuffled options in order


class Judged(enum.Enum):
    """The rule `grading.judge` applies to the response."""

    SELF = "self"  # not judged: the learner rates themself
    TEXT = "text"  # typed text (or a list of texts) against the answer and its alternatives
    OPTION = "option"  # the chosen option is the answer
    TRUTH = "truth"  # true/false words against the statement's truth
    ORDER = "order"  # the items in the order given, against the answer's order
    BLANKS = "blanks"  # each blank against its answer and alternatives


INVALID = object()  # a value whose problem the reader has already recorded


class Fields(Protocol):
    """One card's keys as a deck reader sees them; each problem is recorded at the key's line.

    Read each key at most once: a deck reader counts a value met twice as a YAML alias.
    """

    def has(self, key: str) -> bool: ...

    def require(self, key: str) -> bool:
        """True if the card has `key`; otherwise record "<type> card has no '<key>'"."""

    def text(self, key: str) -> str:
        """The value as text (a problem if it is empty, a list or a mapping)."""

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of texts (one text counts as a list of one)."""

    def value(self, key: str) -> object:
        """The single value as the file typed it: text, number, true/false or None; INVALID when the
        value could not be read (its problem is already recorded)."""

    def is_list(self, key: str) -> bool: ...

    def error(self, key: str | None, message: str) -> None:
        """Record a problem at `key`'s value, or at the card itself when `key` is None."""


@dataclass(frozen=True)
class CardType:
    kind: Kind
    summary: str  # one line for the `decks new` menu
    required: tuple[str, ...]  # deck keys besides COMMON_KEYS; `read` reports the missing ones
    optional: tuple[str, ...]
    read: Callable[[Fields], dict | None]  # checked values → Card fields (None: the card is unusable)
    asks: Asks
    judged: Judged
    question_key: str = "question"  # the key holding the question text; a spreadsheet's `question` column
    answer_key: str | None = "answer"  # the key a spreadsheet's `answer` column fills (None: no answer column)
    list_answer: bool = False  # a spreadsheet answer of several `|`-separated items is a list
    anki_notetype: str = "Basic"

    @property
    def keys(self) -> tuple[str, ...]:
        return self.required + self.optional

    @property
    def remembers_responses(self) -> bool:
        """A typed response the judge rejected can be accepted for good (`always accept`): the judge reads
        accepted responses only for typed text."""
        return self.asks is Asks.TEXT

    @property
    def answers_in_text(self) -> bool:
        """The question text holds the answers, in {{blanks}} (a cloze)."""
        return self.judged is Judged.BLANKS

    def options(self, card: Card, rng: random.Random) -> tuple[str, ...]:
        """What the learner picks from or arranges, shuffled: a choice's options, an order card's items
        (never already in the right order)."""
        if self.asks is Asks.PICK:
            options = [str(card.answer), *card.distractors]
            rng.shuffle(options)
            return tuple(options)
        if self.asks is Asks.ARRANGE:
            options = list(card.answer)
            while len(options) > 1 and tuple(options) == card.answer:
                rng.shuffle(options)
            return tuple(options)
        return ()

    def typed_answers(self, card: Card) -> tuple[str, ...]:
        """The answers a learner types for this card: no other card may accept them as a slip."""
        if self.judged is Judged.BLANKS:
            return tuple(b.answer for b in card.blanks)
        if self.judged is Judged.TEXT:
            return card.answer if isinstance(card.answer, tuple) else (card.answer,)
        return ()

    def data(self, card: Card) -> dict:
        """The card's own keys as plain deck values (the inverse of `read`); optional keys only when set."""
        data = {}
        for key in self.keys:
            value = getattr(card, _ATTRIBUTE.get(key, key))
            if key in self.required or value:
                data[key] = list(value) if isinstance(value, tuple) else value
        return data


_ATTRIBUTE = {"text": "question", "items": "answer"}  # deck keys whose Card field has another name


# -- reading each type ----------------------------------------------------------------------


def _question(f: Fields) -> str:
    return f.text("question") if f.require("question") else ""


def _read_flash(f: Fields) -> dict | None:
    question = _question(f)
    if not f.require("answer"):
        return None
    return {"question": question, "answer": f.text("answer")}


def _read_typed(f: Fields) -> dict | None:
    question = _question(f)
    if not f.require("answer"):
        return None
    fields: dict = {"question": question}
    if f.is_list("answer"):
        fields["answer"] = f.texts("answer")
        if not fields["answer"]:
            f.error("answer", "the answer list is empty")
    else:
        fields["answer"] = f.text("answer")
    for key in ("accept", "reject"):
        if f.has(key):
            fields[key] = f.texts(key)
    if f.has("ordered"):
        ordered = f.value("ordered")
        if not isinstance(ordered, bool) and ordered is not INVALID:
            f.error("ordered", "'ordered' must be true or false")
        fields["ordered"] = ordered is True
    return fields


def _read_choice(f: Fields) -> dict | None:
    question = _question(f)
    if not f.require("answer"):
        return None
    answer = f.text("answer")
    distractors = f.texts("distractors") if f.has("distractors") else ()
    if not distractors:
        f.error(None, "a choice card needs 'distractors' (at least two options in all)")
    if answer and answer in distractors:
        f.error("distractors", f"the answer '{answer}' is also listed among the distractors")
    if len(set(distractors)) < len(distractors):
        f.error("distractors", "a distractor is repeated")
    return {"question": question, "answer": answer, "distractors": distractors}


def _read_truefalse(f: Fields) -> dict | None:
    question = _question(f)
    if not f.require("answer"):
        return None
    value = f.value("answer")
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        value = value.strip().lower() == "true"
    if not isinstance(value, bool) and value is not INVALID:
        f.error("answer", "a truefalse answer must be true or false")
    return {"question": question, "answer": bool(value)}


def _read_cloze(f: Fields) -> dict | None:
    if not f.require("text"):
        return None
    text = f.text("text")
    blanks = tuple(_blank(inner) for inner in cloze_blanks(text))
    if not blanks:
        f.error("text", "cloze text has no {{...}} blank")
        return None
    if any(not b.answer for b in blanks):
        f.error("text", "cloze text has an empty {{}} blank")
        return None
    return {"question": text, "answer": tuple(b.answer for b in blanks), "blanks": blanks}


def _blank(inner: str) -> Blank:
    answer, *accept = (part.strip() for part in inner.split("|"))
    return Blank(answer, tuple(a for a in accept if a))


def _read_order(f: Fields) -> dict | None:
    question = _question(f)
    if not f.require("items"):
        return None
    items = f.texts("items")
    if len(items) < 2:
        f.error("items", "an order card needs at least two items")
    elif len(set(items)) < len(items):
        f.error("items", "an order card's items must all differ")
    return {"question": question, "answer": items}


CARD_TYPES: dict[Kind, CardType] = {t.kind: t for t in (
    CardType(Kind.FLASH, "reveal the answer and rate yourself", ("question", "answer"), (),
             _read_flash, Asks.REVEAL, Judged.SELF),
    CardType(Kind.TYPED, "type the answer", ("question", "answer"), ("accept", "reject", "ordered"),
             _read_typed, Asks.TEXT, Judged.TEXT, list_answer=True, anki_notetype="Basic (type in the answer)"),
    CardType(Kind.CHOICE, "pick one of several options", ("question", "answer", "distractors"), (),
             _read_choice, Asks.PICK, Judged.OPTION),
    CardType(Kind.TRUEFALSE, "judge a statement true or false", ("question", "answer"), (),
             _read_truefalse, Asks.TRUTH, Judged.TRUTH),
    CardType(Kind.CLOZE, "fill the {{gaps}} in a sentence", ("text",), (),
             _read_cloze, Asks.TEXT, Judged.BLANKS, question_key="text", answer_key=None, anki_notetype="Cloze"),
    CardType(Kind.ORDER, "put items in the right order", ("question", "items"), (),
             _read_order, Asks.ARRANGE, Judged.ORDER, answer_key="items", list_answer=True),
)}
