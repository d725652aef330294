"""Anki packages (.apkg, .colpkg): a zip holding an Anki collection, one quizzer deck per Anki deck.

The legacy form holds `collection.anki2` or `collection.anki21` (SQLite); the current form holds
`collection.anki21b`, the same SQLite file compressed with zstd. The newest collection inside wins
(current Anki packs a stub legacy collection beside the real one). Sizes are checked before and while
unpacking, so a zip bomb is refused without filling the disk.
"""

from __future__ import annotations

import tempfile
import zipfile
import zlib
from pathlib import Path

from quizzer.decks import MAX_IMPORT_CARDS, DeckError, Problem
from quizzer.formats.anki import (
    answer_side, card_id, cloze_field, cloze_text, deck_id_hint, html_to_text, render, typed_field,
)
from quizzer.formats.common import Converted, Group, build_decks, check_binary, plural
from quizzer.store.anki import AnkiCollection, AnkiError, read_collection

MAX_UNPACKED_BYTES = 200_000_000
MAX_FILES = 10_000
COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")  # newest first
CHUNK = 1024 * 1024


def read_anki_package(path: Path, *, deck_id: str | None = None, title: str | None = None,
                      skip_invalid: bool = False) -> Converted:
    check_binary(path)
    with tempfile.TemporaryDirectory(prefix="quizzer-anki-") as folder:
        collection_file = _unpack(path, Path(folder))
        try:
            collection = read_collection(collection_file, MAX_IMPORT_CARDS)
        except AnkiError as exc:
            raise _error(path, str(exc)) from None
    return _convert(path, collection, deck_id, title, skip_invalid)


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
             skip_invalid: bool) -> Converted:
    """Cards grouped by Anki deck; each record's line is its note's id, so problems can name the note."""
    groups: dict[int, Group] = {}
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
    return build_decks(path, list(groups.values()), deck_id, title,
                       [Problem(str(path), 0, w, warning=True) for w in warnings], problems,
                       skip_invalid=skip_invalid, notes=True)


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

