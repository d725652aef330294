"""Anki's text format ("Notes in Plain Text"): `#key:value` header lines, then one note per row.

Headers read: `#separator:`, `#html:`, `#columns:`, `#deck:`, `#notetype:`, and the 1-based
`#guid column:`, `#tags column:`, `#notetype column:` and `#deck column:`. Basic notes become flash
cards (a reversed note two), "type in the answer" notes typed cards, Cloze notes cloze cards.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from quizzer.cardtypes import CARD_TYPES
from quizzer.decks import MAX_IMPORT_CARDS, DeckError, Problem, derived_card_id, read_text
from quizzer.formats.anki import (
    card_id, cloze_numbers, cloze_text, deck_id_hint, guid_for, html_to_text, tidy,
)
from quizzer.formats.common import Converted, Group, build_decks, too_many
from quizzer.model import Deck, Kind, plural, replace_blanks

SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
HEADER = re.compile(r"^#([A-Za-z ]+):(.*)$")
ROLES = ("guid", "notetype", "deck", "tags")


def read_anki_text(path: Path, *, deck_id: str | None = None, title: str | None = None,
                   skip_invalid: bool = False) -> Converted:
    text, problems = read_text(path)
    if text is None:
        raise DeckError(problems)
    lines = text.splitlines(keepends=True)
    headers: dict[str, tuple[int, str]] = {}
    body = 0
    while body < len(lines) and lines[body].startswith("#"):
        match = HEADER.match(lines[body].rstrip("\r\n"))
        if match:
            headers[match.group(1).strip().lower()] = (body + 1, match.group(2).strip())
        body += 1
    reading = _Reading(path, headers, lines[body:])
    reading.read(body)
    if reading.fatal:  # a header or the file's quoting is wrong: no row can be trusted
        raise DeckError(reading.problems + reading.fatal)
    return build_decks(path, list(reading.groups.values()), deck_id, title, reading.warnings(), reading.problems,
                       skip_invalid=skip_invalid)


class _Reading:
    def __init__(self, path: Path, headers: dict[str, tuple[int, str]], body: list[str]):
        self.path = path
        self.headers = headers
        self.body = body
        self.problems: list[Problem] = []  # rows that cannot become cards
        self.fatal: list[Problem] = []  # problems that stop the whole file
        self.groups: dict[str | None, Group] = {}
        self.media = 0
        self.skipped = 0
        self.separator = self._separator()
        self.html = headers.get("html", (0, "false"))[1].lower() == "true"
        self.roles = {role: self._column(f"{role} column") for role in ROLES if f"{role} column" in headers}
        columns = headers.get("columns")
        self.width = len(columns[1].split(self.separator)) if columns else None
        # Like Anki, rows of one note type have the first row's number of fields unless '#columns:' says.
        self.width_from = "'#columns:' names" if columns else "the first row has"
        self.first_row_sets_width = columns is None and "notetype" not in self.roles

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(str(self.path), line, message))

    def stop(self, line: int, message: str) -> None:
        self.fatal.append(Problem(str(self.path), line, message))

    def _separator(self) -> str:
        if "separator" in self.headers:
            line, value = self.headers["separator"]
            separator = SEPARATORS.get(value.lower(), value)
            if len(separator) == 1:
                return separator
            self.stop(line, f"unknown separator '{value}' (tab, comma, semicolon, space, pipe, colon or one character)")
            return "\t"
        first = next((line for line in self.body if line.strip()), "")
        return next((sep for sep in "\t;" if sep in first), ",")

    def _column(self, header: str) -> int:
        line, value = self.headers[header]
        if not value.isdigit() or int(value) < 1:
            self.stop(line, f"'#{header}:' must be a column number from 1, not '{value}'")
            return -1
        return int(value) - 1

    def read(self, offset: int) -> None:
        if self.fatal:
            return
        reader = csv.reader(io.StringIO("".join(self.body), newline=""), delimiter=self.separator, strict=True)
        start, notes = 1, 0
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    notes += 1
                    if notes > MAX_IMPORT_CARDS:
                        raise too_many(self.path, offset + start, "notes")
                    self.row(offset + start, row)
                start = reader.line_num + 1
        except csv.Error as exc:
            self.stop(offset + start, f"cannot read this row: {exc}")

    def row(self, line: int, row: list[str]) -> None:
        if self.width is None and self.first_row_sets_width:
            self.width = len(row)
        if self.width is not None and len(row) != self.width:
            self.problem(line, f"{plural(len(row), 'field')}, but {self.width_from} {self.width}")
            return
        missing = [role for role, column in self.roles.items() if column >= len(row)]
        if missing:
            number = self.roles[missing[0]] + 1
            self.problem(line, f"{plural(len(row), 'field')}, but the {missing[0]} column is number {number}")
            return
        value = {role: row[column] for role, column in self.roles.items()}
        cells = [cell for i, cell in enumerate(row) if i not in self.roles.values()]
        fields = [self.text(cell) for cell in cells]
        notetype = value.get("notetype", self.headers.get("notetype", (0, ""))[1]).lower()
        deck_name = value.get("deck") or self.headers.get("deck", (0, None))[1] or None
        guid = value.get("guid", "").strip() or None
        group = self.groups.setdefault(deck_name, Group(name=deck_name))
        if guid and deck_id_hint(guid):
            group.id_hints.add(deck_id_hint(guid))
        tags = value.get("tags", "").split()
        if "cloze" in notetype or (not notetype and fields and cloze_numbers(fields[0])):
            self.cloze(line, group, guid, fields, tags)
            return
        if len(fields) < 2:
            self.problem(line, f"{plural(len(fields), 'field')}; a note needs a front and a back")
            return
        empty = [side for side, cell in (("front", cells[0]), ("back", cells[1])) if not cell.strip()]
        if empty:
            self.problem(line, f"the {' and the '.join(empty)} {'is' if len(empty) == 1 else 'are'} empty")
            return
        front, back = fields[0], fields[1]
        kind = Kind.TYPED if "type in the answer" in notetype else Kind.FLASH
        self.card(line, group, guid, None, {"type": kind.value, "question": front, "answer": back}, tags)
        add_reverse = len(fields) > 2 and bool(fields[2])
        if "reversed" in notetype and ("optional" not in notetype or add_reverse):
            self.card(line, group, guid, "2", {"type": "flash", "question": back, "answer": front}, tags)

    def cloze(self, line: int, group: Group, guid: str | None, fields: list[str], tags: list[str]) -> None:
        text = fields[0] if fields else ""
        numbers = cloze_numbers(text)
        if not numbers:
            self.problem(line, "a cloze note without a {{c1::...}} cloze")
            return
        for number in numbers:
            record = {"type": "cloze", "text": cloze_text(text, number)}
            if len(fields) > 1 and fields[1]:
                record["explain"] = fields[1]
            self.card(line, group, guid, None if number == 1 else f"c{number}", record, tags)

    def card(self, line: int, group: Group, guid: str | None, suffix: str | None, record: dict,
             tags: list[str]) -> None:
        question = record.get("text", record.get("question", ""))
        if not question or record.get("answer") == "":
            self.skipped += 1  # nothing left once media are dropped
            return
        record["id"] = card_id(guid, suffix) if guid else derived_card_id(Kind(record["type"]), question)
        if tags:
            record["tags"] = tags
        group.records.append((line, record))

    def text(self, cell: str) -> str:
        text, media = html_to_text(cell) if self.html else tidy(cell)
        self.media += media
        return text

    def warnings(self) -> list[Problem]:
        notes = []
        if self.media:
            notes.append(f"{plural(self.media, 'media reference')} dropped (quizzer shows text only)")
        if self.skipped:
            notes.append(f"{plural(self.skipped, 'card')} skipped: no text left without media")
        if "guid" not in self.roles:
            notes.append("no '#guid column:': card ids come from each card's question, so a card whose question "
                         "changes starts afresh")
        return [Problem(str(self.path), 0, note, warning=True) for note in notes]


# -- writing --------------------------------------------------------------------------------

def anki_text(deck: Deck) -> str:
    """The deck in Anki's text import format, one note per card, with a guid column so importing it
    again (into Anki, or back into quizzer) updates cards instead of duplicating them."""
    out = io.StringIO()
    out.write("#separator:tab\n#html:false\n#guid column:1\n#notetype column:2\n#tags column:5\n")
    out.write(f"#deck:{' '.join(deck.title.split())}\n")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    for card in deck.cards:
        if CARD_TYPES[card.kind].answers_in_text:
            front = replace_blanks(card.question, lambda blank: "{{c1::" + blank + "}}")
            back = card.explain
        else:
            front, back = card.question, card.answer_text
        tags = " ".join("_".join(tag.split()) for tag in card.tags)
        writer.writerow([guid_for(deck.id, card.id), CARD_TYPES[card.kind].anki_notetype, front, back, tags])
    return out.getvalue()
