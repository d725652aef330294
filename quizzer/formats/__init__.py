"""Decks in other formats: spreadsheets (CSV/TSV), Anki's text export and Anki packages, in and out.

Every reader turns its file into plain card records and validates them with the deck reader's own
rules (`decks.check_records`), so an imported deck obeys exactly what a YAML deck must, and every
problem names the file and line it comes from.
"""

from __future__ import annotations

from pathlib import Path

from quizzer.decks import DeckError, Problem
from quizzer.formats.common import Converted

IMPORT_SUFFIXES = {
    ".csv": "csv", ".tsv": "csv", ".txt": "anki-txt", ".apkg": "anki-package", ".colpkg": "anki-package",
}
EXPORT_FORMATS = ("yaml", "csv", "anki-txt")
ZIP_MAGIC = b"PK\x03\x04"


def detect(path: Path) -> str:
    """The format of a deck file: 'yaml', 'csv', 'anki-txt' or 'anki-package', by suffix, else by content."""
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix in IMPORT_SUFFIXES:
        return IMPORT_SUFFIXES[suffix]
    try:
        with path.open("rb") as file:
            start = file.read(64)
    except OSError:
        return "csv"  # the reader reports why the file cannot be read
    if start.startswith(ZIP_MAGIC):
        return "anki-package"
    text = start.lstrip(b"\xef\xbb\xbf")
    if text.startswith(b"#"):
        return "anki-txt"
    first_line = text.split(b"\n", 1)[0]
    return "csv" if any(sep in first_line for sep in (b",", b"\t", b";")) else "yaml"


def convert(path: Path, *, deck_id: str | None = None, title: str | None = None,
            skip_invalid: bool = False, now=None, bury_until=None) -> Converted:
    """Read a spreadsheet, Anki text export or Anki package as quizzer decks; DeckError lists every problem.

    With `now`, an Anki package's review log comes too, as `Converted.history` (see anki_package.History).

    With `skip_invalid`, rows (or Anki notes) with problems are left out and listed in `Converted.skipped`.
    """
    kind = detect(path)
    if kind == "yaml":
        raise DeckError([Problem(str(path), 0, "is already a quizzer deck; install it with `quizzer decks add`")])
    if kind == "csv":
        from quizzer.formats.table import read_table

        return read_table(path, deck_id=deck_id, title=title, skip_invalid=skip_invalid)
    if kind == "anki-txt":
        from quizzer.formats.anki_text import read_anki_text

        return read_anki_text(path, deck_id=deck_id, title=title, skip_invalid=skip_invalid)
    from quizzer.formats.anki_package import read_anki_package

    return read_anki_package(path, deck_id=deck_id, title=title, skip_invalid=skip_invalid, now=now,
                             bury_until=bury_until)


def export_text(deck, form: str) -> str:
    """The deck written in `form`: 'yaml', 'csv' or 'anki-txt'."""
    if form == "csv":
        from quizzer.formats.table import table_text

        return table_text(deck)
    if form == "anki-txt":
        from quizzer.formats.anki_text import anki_text

        return anki_text(deck)
    from quizzer.decks import deck_yaml

    return deck_yaml(deck)
