"""Anki packages (.apkg, .colpkg): a zip holding an Anki collection, one quizzer deck per Anki deck.

The legacy form holds `collection.anki2` or `collection.anki21` (SQLite); the current form holds
`collection.anki21b`, the same SQLite file compressed with zstd. The newest collection inside wins
(current Anki packs a stub legacy collection beside the real one). Sizes are checked before and while
unpacking, so a zip bomb is refused without filling the disk.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from quizzer.decks import MAX_IMPORT_CARDS, DeckError, Problem
from quizzer.formats.anki import (
    EPOCH, answer_side, card_id, cloze_field, cloze_text, deck_id_hint, html_to_text, millis, render, typed_field,
)
from quizzer.formats.common import Converted, Group, build_decks, check_binary
from quizzer.model import Event, EventKind, Outcome, Phase, Rating, Review, plural
from quizzer.store.anki import AnkiCollection, AnkiError, AnkiReview, read_collection
from quizzer.store.sync import CLOCK_SLACK, LONGEST_ANSWER_MS, LONGEST_INTERVAL

MAX_UNPACKED_BYTES = 200_000_000
MAX_FILES = 10_000
COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")  # newest first
CHUNK = 1024 * 1024
MAX_REVIEWS = 2_000_000  # review log rows read from one package: 20 years of 270 answers a day
ANKI_BEGAN = datetime(2006, 1, 1, tzinfo=timezone.utc)  # no Anki review is older
# Review and event ids from Anki are uuid5s in this namespace, so the same entry has the same id every time.
FROM_ANKI = uuid.UUID("5b0c1f6e-8d1a-4f0e-9a39-2a7e4f6c0d18")
# revlog.type: 0 learning, 1 review, 2 relearning, 3 filtered deck (cram), 4 manual, 5 rescheduled
PHASE_BEFORE = {0: Phase.LEARNING, 1: Phase.REVIEW, 2: Phase.RELEARNING, 3: Phase.REVIEW}
FILTERED, NOT_ANSWERS = 3, (4, 5)  # 4 and 5 are changes made by hand ("Forget", "Set due date"), not answers
LEARNING_TYPES = (1, 3)  # cards.type of cards in (re)learning, whose `due` may be a time, not a day
SUSPENDED, BURIED = -1, (-2, -3)  # cards.queue


@dataclass(frozen=True)
class History:
    """What a package's review log brings to the decks converted from it."""

    answers: list[tuple[Review, Phase, datetime]]  # each answer, its card's phase before it and due after it
    events: list[Event]  # suspended and buried cards
    anki_due: dict[tuple[str, str], datetime]  # when Anki has each answered card due
    problems: list[Problem]  # rows left out as damaged: FILE: revlog id N: why
    not_answers: int = 0  # manual and rescheduling entries left out
    not_rescheduled: int = 0  # filtered-deck answers that did not reschedule, left out
    unplaced: int = 0  # answers to cards left out of the decks (a problem or warning above says why)
    parameters: dict[str, tuple[float, ...]] = field(default_factory=dict)  # deck options name → FSRS parameters


def read_anki_package(path: Path, *, deck_id: str | None = None, title: str | None = None,
                      skip_invalid: bool = False, now: datetime | None = None,
                      bury_until: datetime | None = None) -> Converted:
    """The package's decks; with `now`, also its review log as `Converted.history` (cards buried in the
    package are buried until `bury_until`)."""
    check_binary(path)
    with tempfile.TemporaryDirectory(prefix="quizzer-anki-") as folder:
        collection_file = _unpack(path, Path(folder))
        try:
            collection = read_collection(collection_file, MAX_IMPORT_CARDS, MAX_REVIEWS if now else 0)
        except AnkiError as exc:
            raise _error(path, str(exc)) from None
    converted, placed = _convert(path, collection, deck_id, title, skip_invalid)
    if now is None:
        return converted
    history = _history(path, collection, placed, converted, now, bury_until or now)
    return dataclasses.replace(converted, history=history)


def _error(path: Path, message: str) -> DeckError:
    return DeckError([Problem(str(path), 0, message)])


def _unpack(path: Path, folder: Path) -> Path:
    """The package's collection, unpacked (and decompressed) into `folder`, within the size limits."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise _error(path, "is not an Anki package (.apkg or .colpkg are zip files; this is not one)") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > MAX_FILES:
            raise _error(path, f"holds {len(entries):,} files; quizzer opens packages of at most {MAX_FILES:,} files "
                         "(this looks like a zip bomb)")
        declared = sum(entry.file_size for entry in entries)
        if declared > MAX_UNPACKED_BYTES:
            raise _error(path, f"would unpack to {declared / 1e6:,.0f} MB; quizzer opens packages of at most "
                         f"{MAX_UNPACKED_BYTES // 1_000_000} MB (this looks like a zip bomb)")
        names = set(archive.namelist())
        name = next((n for n in COLLECTIONS if n in names), None)
        if name is None:
            raise _error(path, "is a zip file but not an Anki package: it holds no collection.anki2, "
                         "collection.anki21 or collection.anki21b")
        target = folder / "collection.sqlite"
        import zstandard

        try:
            with archive.open(name) as packed, target.open("wb") as out:
                source = zstandard.ZstdDecompressor().stream_reader(packed) if name.endswith("b") else packed
                _copy_limited(path, source, out)
        except (zipfile.BadZipFile, zlib.error, zstandard.ZstdError, EOFError, NotImplementedError, RuntimeError,
                ValueError) as exc:
            raise _error(path, f"the package is damaged: cannot unpack {name} ({exc})") from None
    return target


def _copy_limited(path: Path, source, out) -> None:
    written = 0
    while chunk := source.read(CHUNK):
        written += len(chunk)
        if written > MAX_UNPACKED_BYTES:
            raise _error(path, f"unpacks to more than {MAX_UNPACKED_BYTES // 1_000_000} MB; quizzer stops there "
                         "(this looks like a zip bomb)")
        out.write(chunk)


def _convert(path: Path, collection: AnkiCollection, deck_id: str | None, title: str | None,
             skip_invalid: bool) -> tuple[Converted, dict[int, tuple[Group, str, str, int]]]:
    """Cards grouped by Anki deck; each record's line is its note's id, so problems can name the note.
    Also where each Anki card went: card id → (its group, quizzer card id, note guid, ordinal)."""
    groups: dict[int, Group] = {}
    placed: dict[int, tuple[Group, str, str, int]] = {}
    seen: set[tuple[int, str]] = set()
    media = skipped = 0
    counted_notes: set[int] = set()
    problems = [Problem(str(path), note_id, why) for note_id, why in collection.damaged.items()]
    first_with_guid: dict[str, int] = {}
    for note in collection.notes.values():
        first = first_with_guid.setdefault(note.guid, note.id)
        if first != note.id:  # Anki itself would merge the two into one note
            problems.append(Problem(str(path), note.id, f"its guid '{note.guid}' is also note nid:{first}'s; "
                                    "the two would become one card"))
    refused = {p.line for p in problems}
    for card in collection.cards:
        note = collection.notes.get(card.note)
        notetype = collection.notetypes.get(note.notetype) if note else None
        if card.note in refused:
            continue
        if note is None or notetype is None or not isinstance(card.ord, int):
            skipped += 1
            continue
        fields = dict(zip(notetype.fields, note.fields))
        if note.id not in counted_notes:
            counted_notes.add(note.id)
            media += sum(html_to_text(value)[1] for value in note.fields)
        record = _cloze_card(notetype, fields, note.guid, card.ord) if notetype.cloze else \
            _template_card(notetype, fields, note.guid, card.ord)
        if record is None:
            skipped += 1
            continue
        name = collection.decks.get(card.deck, f"Anki deck {card.deck}")
        group = groups.setdefault(card.deck, Group(name=name))
        placed[card.id] = (group, record["id"], note.guid, card.ord)
        if (card.deck, record["id"]) in seen:
            continue
        seen.add((card.deck, record["id"]))
        if deck_id_hint(note.guid):
            group.id_hints.add(deck_id_hint(note.guid))
        if note.tags:
            record["tags"] = list(note.tags)
        group.records.append((note.id, record))
    warnings = []
    if media:
        warnings.append(f"{plural(media, 'media reference')} dropped (quizzer shows text only)")
    if skipped:
        warnings.append(f"{plural(skipped, 'card')} skipped: no text left without media, "
                        "or a note type quizzer cannot read")
    converted = build_decks(path, list(groups.values()), deck_id, title,
                            [Problem(str(path), 0, w, warning=True) for w in warnings], problems,
                            skip_invalid=skip_invalid, notes=True)
    return converted, placed


def _history(path: Path, collection: AnkiCollection, placed: dict[int, tuple[Group, str, str, int]],
             converted: Converted, now: datetime, bury_until: datetime) -> History:
    """The review log of the cards converted, as answers; a damaged row is named and left out, the others kept."""
    kept = {(deck.id, card.id) for deck in converted.decks for card in deck.cards}
    where = {anki: (group.deck_id, card, guid, ord) for anki, (group, card, guid, ord) in placed.items()
             if (group.deck_id, card) in kept}
    known = {card.id for card in collection.cards}
    latest = millis(now + CLOCK_SLACK)
    answers, problems, answered = [], [], set()
    not_answers = not_rescheduled = unplaced = 0
    for row in collection.revlog:
        why = _damage(row, known, latest)
        if why is not None:
            problems.append(Problem(str(path), 0, f"revlog id {row.id}: {why}"))
        elif row.type in NOT_ANSWERS:
            not_answers += 1
        elif row.type == FILTERED and row.factor == 0:  # a preview or cram that left the schedule alone
            not_rescheduled += 1
        elif row.card not in where:
            unplaced += 1
        else:
            deck, card, guid, ord = where[row.card]
            at = EPOCH + timedelta(milliseconds=row.id)
            phase = PHASE_BEFORE[row.type] if (deck, card) in answered else Phase.NEW
            answered.add((deck, card))
            review = Review(_stable_id(guid, ord, row.id), deck, card, at, Rating(row.ease), Outcome.ANKI, "",
                            row.time, None)
            wait = timedelta(days=row.ivl) if row.ivl > 0 else timedelta(seconds=-row.ivl)
            answers.append((review, phase, at + wait))
    events, anki_due = [], {}
    for card in collection.cards:
        if card.id not in where:
            continue
        deck, card_id, guid, ord = where[card.id]
        if card.queue == SUSPENDED:
            events.append(Event(_stable_id(guid, ord, "suspend"), EventKind.SUSPEND, deck, card_id, now))
        elif card.queue in BURIED:
            until = bury_until.isoformat()
            events.append(Event(_stable_id(guid, ord, f"bury {until}"), EventKind.BURY, deck, card_id, now,
                                data={"until": until}))
        due = _anki_due(card, collection.created)
        if due is not None and (deck, card_id) in answered:
            anki_due[(deck, card_id)] = due
    return History(answers, events, anki_due, problems, not_answers, not_rescheduled, unplaced,
                   collection.parameters)


def _stable_id(guid: str, ord: int, entry: object) -> str:
    """The id of an answer or event from Anki: the same for the same note, card and revlog entry.
    uuid.uuid5(FROM_ANKI, "GUID\x1fORD\x1fENTRY"), computed here at a third of its cost (100,000s at a time)."""
    digest = bytearray(hashlib.sha1(FROM_ANKI.bytes + f"{guid}\x1f{ord}\x1f{entry}".encode()).digest()[:16])
    digest[6] = digest[6] & 0x0F | 0x50  # version 5
    digest[8] = digest[8] & 0x3F | 0x80  # the RFC 4122 variant
    x = digest.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


_COLUMNS = {"id": "id", "card": "card id (cid)", "ease": "ease", "ivl": "interval (ivl)", "factor": "factor",
            "time": "answer time", "type": "type"}


def _damage(row: AnkiReview, known: set, latest: int) -> str | None:
    """Why a revlog row cannot be an answer, or None."""
    if set(map(type, row)) != {int}:
        name, value = next((name, value) for name, value in zip(row._fields, row) if type(value) is not int)
        what = {type(None): "missing (NULL)", str: "text", bytes: "binary data", float: "a fraction"}
        return f"its {_COLUMNS[name]} is {what.get(type(value), type(value).__name__)}, not a whole number"
    if row.card not in known:
        return f"its card {row.card} is not in the package"
    if not 0 <= row.type <= 5:
        return f"its type {row.type} is none of Anki's (0-5)"
    if row.type in NOT_ANSWERS:
        return None
    if not 1 <= row.ease <= 4:
        return f"its ease {row.ease} is not a rating from 1 to 4"
    if row.id < ANKI_BEGAN_MS:
        return f"its time ({_when(row.id)}) is before 2006, when Anki began"
    if row.id > latest:
        return f"its time ({_when(row.id)}) is in the future"
    if not 0 <= row.time <= LONGEST_ANSWER_MS:
        return f"its answer time {row.time} ms is out of range"
    if not -LONGEST_INTERVAL.total_seconds() <= row.ivl <= LONGEST_INTERVAL.days:
        return f"its interval {row.ivl} is out of range"
    return None


ANKI_BEGAN_MS = millis(ANKI_BEGAN)


def _when(ms: int) -> str:
    try:
        return (EPOCH + timedelta(milliseconds=ms)).strftime("%Y-%m-%d %H:%M UTC")
    except OverflowError:
        return f"{ms} ms from 1970"


def _anki_due(card, created: int) -> datetime | None:
    """When Anki has a card due: a day number counted from the collection's creation, or for a card in
    learning a time in epoch seconds (Anki tells them apart by size too). None for a new or damaged card."""
    if card.type not in (1, 2, 3) or type(card.due) is not int or type(created) is not int:
        return None
    seconds = card.due if card.type in LEARNING_TYPES and card.due > 1_000_000_000 else created + card.due * 86_400
    try:
        return datetime.fromtimestamp(seconds, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _template_card(notetype, fields: dict[str, str], guid: str, ord: int) -> dict | None:
    template = next((t for t in notetype.templates if t.ord == ord), None)
    if template is None:
        return None
    question = html_to_text(render(template.qfmt, fields))[0]
    typed = typed_field(template.qfmt)
    if typed is not None:
        answer = html_to_text(fields.get(typed, ""))[0]
    else:
        answer = html_to_text(answer_side(render(template.afmt, fields)))[0]
    if not question or not answer:
        return None
    kind = "typed" if typed is not None else "flash"
    return {"id": card_id(guid, None if ord == 0 else str(ord + 1)), "type": kind, "question": question,
            "answer": answer}


def _cloze_card(notetype, fields: dict[str, str], guid: str, ord: int) -> dict | None:
    template = notetype.templates[0] if notetype.templates else None
    text_field = cloze_field(template.qfmt if template else "", notetype.fields)
    number = ord + 1
    text = cloze_text(html_to_text(fields.get(text_field, ""))[0], number)
    if not text:
        return None
    record = {"id": card_id(guid, None if number == 1 else f"c{number}"), "type": "cloze", "text": text}
    extra = [html_to_text(value)[0] for name, value in fields.items()
             if name != text_field and template and ("{{" + name + "}}") in template.afmt]
    explain = "\n".join(e for e in extra if e)
    if explain:
        record["explain"] = explain
    return record

