"""What the format readers share: the result of a conversion, and naming and validating the decks found."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from quizzer.decks import MAX_IMPORT_CARDS, DeckError, Problem, check_records
from quizzer.model import Deck, slug

LIST_SEPARATOR = "|"  # between the items of a list in one spreadsheet cell


@dataclass(frozen=True)
class Converted:
    decks: list[Deck]
    warnings: list[Problem]


@dataclass
class Group:
    """The cards converted for one deck, before the deck is named and validated."""

    name: str | None = None  # the deck's name in the source (an Anki deck), if it has one
    records: list[tuple[int, dict]] = field(default_factory=list)  # (source line or 0, card keys and values)
    id_hints: set[str] = field(default_factory=set)  # deck ids found in card guids quizzer wrote


def split_list(cell: str, separators: str = LIST_SEPARATOR) -> list[str]:
    for separator in separators[1:]:
        cell = cell.replace(separator, separators[0])
    return [item.strip() for item in cell.split(separators[0]) if item.strip()]


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'s' * (count != 1)}"


def title_from(path: Path) -> str:
    words = path.stem.replace("_", " ").replace("-", " ").split()
    text = " ".join(words) or "Imported deck"
    return text[0].upper() + text[1:]


def too_many(path: Path, line: int, what: str) -> DeckError:
    """The error for a file holding more than MAX_IMPORT_CARDS rows, notes or cards, at the line that passed it."""
    return DeckError([Problem(str(path), line, f"more than {MAX_IMPORT_CARDS:,} {what}; quizzer imports at most "
                              f"{MAX_IMPORT_CARDS:,} cards from one file (split it into smaller files)")])


def check_binary(path: Path) -> None:
    """Refuse a missing, folder or empty file with the same words as the text readers."""
    problem = None
    if not path.exists():
        problem = "no such file"
    elif path.is_dir():
        problem = "is a folder, not a deck file"
    elif path.stat().st_size == 0:
        problem = "the file is empty"
    if problem:
        raise DeckError([Problem(str(path), 0, problem)])


def build_decks(path: Path, groups: list[Group], deck_id: str | None, title: str | None,
                warnings: list[Problem]) -> Converted:
    """Name each group's deck (--id/--title, a quizzer guid, the source's deck name, the file name) and
    validate it by the deck format's rules; DeckError lists every problem in the whole file."""
    groups = [g for g in groups if g.records]
    if not groups:
        raise DeckError([Problem(str(path), 0, "holds no cards to import")])
    if sum(len(g.records) for g in groups) > MAX_IMPORT_CARDS:  # a note can make several cards
        raise too_many(path, 0, "cards")
    if (deck_id or title) and len(groups) > 1:
        names = ", ".join(g.name or "?" for g in groups)
        raise DeckError([Problem(str(path), 0, f"holds {len(groups)} decks ({names}); --id and --title name one deck")])
    decks: list[Deck] = []
    errors: list[Problem] = []
    for group in groups:
        hint = next(iter(group.id_hints)) if len(group.id_hints) == 1 else None
        base = deck_id or hint or slug((group.name or "").replace("::", " ")) or slug(path.stem) or "imported"
        new_id, n = base, 1
        while new_id in {d.id for d in decks}:
            n += 1
            new_id = f"{base}-{n}"
        deck, found = check_records(str(path), {"id": new_id, "title": title or group.name or title_from(path)},
                                    group.records)
        errors += [p for p in found if not p.warning]
        warnings = warnings + [p for p in found if p.warning]
        if deck is not None:
            decks.append(deck)
    if errors:
        raise DeckError(errors)
    return Converted(decks, warnings)
