"""Anki packages out: a deck, and with its history the answers and card states, written by Anki's own library.

The only module that imports `anki` (the optional extra `quizzer[anki]`, Anki's Python library with its
Rust backend): writing a collection current Anki accepts is Anki's schema to get right, so Anki writes it.
Typed cards become "Basic (type in the answer)" notes, cloze cards Cloze notes, the rest Basic notes
with their options listed on the front. Each note's guid is quizzer's, so `decks import` of the package
(or of a later export from Anki) comes back to the same cards.
"""

from __future__ import annotations

import html
import random
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from quizzer.cardtypes import CARD_TYPES
from quizzer.formats.anki import guid_for, millis
from quizzer.model import CardState, Deck, Kind, Phase, Rating, replace_blanks

INSTALL = "pip install 'quizzer[anki]'"
DAY = timedelta(days=1)
# revlog.type by the card's phase before the answer; cards.type and cards.queue by its phase after.
REVLOG_TYPES = {Phase.NEW: 0, Phase.LEARNING: 0, Phase.REVIEW: 1, Phase.RELEARNING: 2}
CARD_TYPES_QUEUES = {Phase.LEARNING: (1, 1), Phase.REVIEW: (2, 2), Phase.RELEARNING: (3, 1)}
SUSPENDED, BURIED = -1, -3


class AnkiMissing(Exception):
    """Anki's library is not installed; the message says how to install it."""


@dataclass(frozen=True)
class Answer:
    """One answer of a card's history, as the package's review log keeps it."""

    at: datetime
    rating: Rating
    duration_ms: int
    phase: Phase  # before the answer
    due_after: datetime


@dataclass(frozen=True)
class CardHistory:
    answers: list[Answer]  # oldest first
    state: CardState | None
    suspended: bool = False
    buried: bool = False


def write_apkg(deck: Deck, history: dict[str, CardHistory] | None = None) -> bytes:
    """The deck as an .apkg (returned as bytes, for the caller to write), with `history` by card id when given."""
    try:
        from anki.collection import Collection, DeckIdLimit, ExportAnkiPackageOptions
        from anki.cards import FSRSMemoryState
    except ImportError:
        raise AnkiMissing(f"writing an Anki package needs Anki's own library: {INSTALL}") from None
    with tempfile.TemporaryDirectory(prefix="quizzer-apkg-") as folder:
        col = Collection(str(Path(folder) / "collection.anki2"))
        try:
            deck_id = col.decks.id(" ".join(deck.title.split()) or deck.id)
            used: set[int] = set()
            for card in deck.cards:
                note = _note(col, deck, card)
                col.add_note(note, deck_id)
                if history and card.id in history:
                    _write_history(col, note.cards()[0], history[card.id], used, FSRSMemoryState)
            out = Path(folder) / "out.apkg"
            col.export_anki_package(out_path=str(out), limit=DeckIdLimit(deck_id), options=ExportAnkiPackageOptions(
                with_scheduling=history is not None, with_deck_configs=history is not None, with_media=False,
                legacy=False))
            return out.read_bytes()
        finally:
            col.close()


def _note(col, deck: Deck, card):
    kind = CARD_TYPES[card.kind]
    note = col.new_note(col.models.by_name(kind.anki_notetype))
    note.guid = guid_for(deck.id, card.id)
    if kind.answers_in_text:
        note["Text"] = replace_blanks(_html(card.question), lambda blank: "{{c1::" + blank + "}}")
        note["Back Extra"] = _html(card.explain)
        return note
    options = ("true", "false") if card.kind is Kind.TRUEFALSE else kind.options(card, random.Random(card.id))
    front = _html(card.question) + "".join(f"<br>• {_html(option)}" for option in options)
    note["Front"], note["Back"] = front, _html(card.answer_text)
    return note


def _html(text: str) -> str:
    return html.escape(text, quote=False).replace("\n", "<br>")


def _write_history(col, anki_card, history: CardHistory, used: set[int], memory) -> None:
    """The card's answers as review log rows, and its state as Anki keeps it."""
    last_interval = 0
    for answer in history.answers:
        # A revlog id is the answer's time in milliseconds, and unique in the collection.
        row_id = millis(answer.at)
        while row_id in used:
            row_id += 1
        used.add(row_id)
        wait = answer.due_after - answer.at
        interval = round(wait / DAY) if wait >= DAY else -int(wait.total_seconds())
        col.db.execute("INSERT INTO revlog VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)", row_id, anki_card.id,
                       int(answer.rating), interval, last_interval, 0 if interval < 0 else 2500,
                       answer.duration_ms, REVLOG_TYPES[answer.phase])
        last_interval = interval
    state = history.state
    if state is not None and state.phase in CARD_TYPES_QUEUES:
        anki_card.type, anki_card.queue = CARD_TYPES_QUEUES[state.phase]
        if state.phase is Phase.REVIEW:  # a day number counted from the collection's day 0
            anki_card.due = int((state.due.timestamp() - col.crt) // DAY.total_seconds())
            anki_card.ivl = max(1, round((state.due - state.last_review) / DAY)) if state.last_review else 1
            anki_card.factor = 2500
        else:
            anki_card.due, anki_card.left = int(state.due.timestamp()), 1
        anki_card.reps = len(history.answers)
        anki_card.lapses = sum(a.phase is Phase.REVIEW and a.rating is Rating.AGAIN for a in history.answers)
        if state.stability is not None and state.difficulty is not None:
            anki_card.memory_state = memory(stability=state.stability, difficulty=state.difficulty)
    if history.suspended:
        anki_card.queue = SUSPENDED
    elif history.buried:
        anki_card.queue = BURIED
    col.update_card(anki_card)
