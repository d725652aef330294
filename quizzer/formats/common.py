"""What the format readers share: the result of a conversion, and naming and validating the decks found."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from quizzer.decks import MAX_IMPORT_CARDS, DeckError, Problem, check_records
from quizzer.model import Deck, slug

LIST_SEPARATOR = "|"  # between the items of a list in one spreadsheet cell


@dataclass(frozen=True)
class Converted:
    decks: list[Deck]
    warnings: list[Problem]
    skipped: list[Problem] = field(default_factory=list)  # the rows left out with --skip-invalid, and why
    history: object = None  # an Anki package's review log (formats.anki_package.History), when read


@dataclass
class Group:
    """The cards converted for one deck, before the deck is named and validated."""

    name: str | None = None  # the deck's name in the source (an Anki deck), if it has one
    records: list[tuple[int, dict]] = field(default_factory=list)  # (source line or 0, card keys and values)
    id_hints: set[str] = field(default_factory=set)  # deck ids found in card guids quizzer wrote
    deck_id: str | None = None  # the id its deck was given, once named


def split_list(cell: str, separators: str = LIST_SEPARATOR) -> list[str]:
    for separator in separators[1:]:
        cell = cell.replace(separator, separators[0])
    return [item.strip() for item in cell.split(separators[0]) if item.strip()]


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
                warnings: list[Problem], problems: list[Problem] = (), *, skip_invalid: bool = False,
                notes: bool = False) -> Converted:
    """Name each group's deck (--id/--title, a quizzer guid, the source's deck name, the file name) and
    validate it by the deck format's rules.

    `problems` are the rows the reader could not turn into cards. DeckError lists every problem in the
    whole file; with `skip_invalid` the rows with problems are left out instead (and listed in `skipped`),
    unless a problem is about the whole file (line 0). With `notes`, record lines are Anki note ids, and
    problems name the note instead of a line.
    """
    try:
        decks, found = _validated(path, groups, deck_id, title)
    except DeckError as exc:  # no cards at all, or --id for many decks
        raise DeckError(_named(sorted(problems, key=lambda p: p.line), notes) + exc.problems) from None
    errors = sorted([*problems, *(p for p in found if not p.warning)], key=lambda p: p.line)
    found_warnings = _named([p for p in found if p.warning], notes)
    if errors and skip_invalid and all(p.line for p in errors):
        # Every card left is valid on its own (only a duplicate id ties cards together, and its first stays),
        # so leaving out each line with a problem, whole, leaves valid decks.
        bad = {p.line for p in errors}
        decks = [replace(d, cards=tuple(c for c in d.cards if c.line not in bad)) for d in decks]
        decks = [d for d in decks if d.cards]
        if not decks:
            raise DeckError(_named(errors, notes) + [Problem(str(path), 0, "holds no valid cards to import")])
        return Converted(decks, warnings + found_warnings, _named(errors, notes))
    if errors:
        raise DeckError(_named(errors, notes))
    return Converted(decks, warnings + found_warnings)


def _named(problems: list[Problem], notes: bool) -> list[Problem]:
    """Problems of an Anki package name the note (its id, which `nid:` finds in Anki's browser), not a line."""
    if not notes:
        return problems
    return [replace(p, line=0, message=f"note nid:{p.line}: {p.message}") if p.line else p for p in problems]


def _validated(path: Path, groups: list[Group], deck_id: str | None, title: str | None):
    """Each group as a named deck of its valid cards, and every problem found."""
    groups = [g for g in groups if g.records]
    if not groups:
        raise DeckError([Problem(str(path), 0, "holds no cards to import")])
    if sum(len(g.records) for g in groups) > MAX_IMPORT_CARDS:  # a note can make several cards
        raise too_many(path, 0, "cards")
    if (deck_id or title) and len(groups) > 1:
        names = ", ".join(g.name or "?" for g in groups)
        raise DeckError([Problem(str(path), 0, f"holds {len(groups)} decks ({names}); --id and --title name one deck")])
    decks: list[Deck] = []
    found: list[Problem] = []
    for group in groups:
        hint = next(iter(group.id_hints)) if len(group.id_hints) == 1 else None
        base = deck_id or hint or slug((group.name or "").replace("::", " ")) or slug(path.stem) or "imported"
        new_id, n = base, 1
        while new_id in {d.id for d in decks}:
            n += 1
            new_id = f"{base}-{n}"
        deck, problems = check_records(str(path), {"id": new_id, "title": title or group.name or title_from(path)},
                                       group.records, keep_valid=True)
        found += problems
        if deck is not None:  # with errors, only the cards that have none: see build_decks
            decks.append(deck)
            group.deck_id = deck.id
    return decks, found
