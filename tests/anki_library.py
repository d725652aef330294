"""Anki collections made and studied with the real `anki` library (Anki's own Rust backend).

Tests import it only after `pytest.importorskip("anki")`: the library is the `anki` extra.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageOptions, ImportAnkiPackageRequest

RATING_NAMES = {1: "again", 2: "hard", 3: "good", 4: "easy"}


def new_collection(folder: Path) -> Collection:
    folder.mkdir(parents=True, exist_ok=True)
    col = Collection(str(folder / "collection.anki2"))
    # Learn ahead a year: a card in learning is asked again at once, so a test can answer at any time it likes.
    col.set_config("collapseTime", 365 * 86_400)
    return col


def add_basic(col: Collection, deck: str, fronts: list[str]) -> list[int]:
    """Basic notes "front → answer to front" in `deck`; their card ids."""
    basic = col.models.by_name("Basic")
    deck_id = col.decks.id(deck)
    for front in fronts:
        note = col.new_note(basic)
        note["Front"], note["Back"] = front, f"answer to {front}"
        col.add_note(note, deck_id)
    col.decks.select(deck_id)
    return list(col.find_cards(f'"deck:{deck}"', order="c.id"))


def study(col: Collection, deck: str, answers: list[tuple[int, datetime]]) -> list[int]:
    """Answer the next card Anki asks in `deck` with each (rating 1-4, time); the card ids answered.
    When Anki has nothing to ask, every card is made due today ("Set due date" 0, a rescheduling entry)."""
    col.decks.select(col.decks.id(deck))
    answered = []
    for rating, at in answers:
        queued = col.sched.get_queued_cards(fetch_limit=1)
        if not queued.cards:
            col.sched.set_due_date(col.find_cards(f'"deck:{deck}" -is:new'), "0")
            queued = col.sched.get_queued_cards(fetch_limit=1)
        top = queued.cards[0]
        card = col.get_card(top.card.id)
        card.start_timer()
        answer = col.sched.build_answer(card=card, states=top.states, rating=rating - 1)  # Anki counts from 0
        answer.answered_at_millis = int(at.timestamp() * 1000)
        answer.milliseconds_taken = 4_000 + rating
        col.sched.answer_card(answer)
        answered.append(card.id)
    return answered


def export_apkg(col: Collection, path: Path, *, legacy: bool = False, scheduling: bool = True) -> Path:
    col.export_anki_package(out_path=str(path), limit=None, options=ExportAnkiPackageOptions(
        with_scheduling=scheduling, with_deck_configs=scheduling, with_media=False, legacy=legacy))
    return path


def export_colpkg(col: Collection, path: Path, *, legacy: bool = False) -> Path:
    """The whole collection as a .colpkg; closes `col`."""
    col.export_collection_package(str(path), include_media=False, legacy=legacy)
    return path


def import_apkg(col: Collection, path: Path) -> None:
    """Import a package into `col` as Anki's File > Import does, with its scheduling."""
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=ImportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=True, merge_notetypes=True)))


def revlog(col: Collection) -> list[tuple[int, int, int, int]]:
    """(id, card id, ease, type) of every review log row, oldest first."""
    return [tuple(row) for row in col.db.all("SELECT id, cid, ease, type FROM revlog ORDER BY id")]
