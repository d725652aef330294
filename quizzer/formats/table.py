"""Spreadsheets: CSV or TSV with a header row, one card per row.

Columns `question` and `answer` are required; `id`, `type`, `accept`, `reject`, `distractors`,
`explain`, `ref`, `tags` and `ordered` are optional. Lists in one cell are separated by `|`
(tags also by `,`). The delimiter is sniffed; UTF-8 with or without BOM; CRLF or LF line ends.
A cell written with a leading `'` before `= + - @`, tab or CR (see `spreadsheet_cell`) reads back
without it.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections import Counter
from pathlib import Path

from quizzer.cardtypes import CARD_TYPES
from quizzer.decks import MAX_IMPORT_CARDS, DeckError, Problem, card_data, derived_card_id, read_text
from quizzer.formats.common import LIST_SEPARATOR, Converted, Group, build_decks, split_list, too_many
from quizzer.model import Card, Deck, Kind, plural

REQUIRED = ("question", "answer")
OPTIONAL = ("id", "type", "accept", "reject", "distractors", "explain", "ref", "tags", "ordered")
LIST_COLUMNS = ("accept", "reject", "distractors")
DELIMITERS = ",\t;|"
# A spreadsheet runs a cell that starts with = + - @ (or tab or CR before one) as a formula: OWASP's
# CSV injection rule. Quotes already in front of one are counted in, so the escape can be undone exactly.
# Possessive `*+`: a run of quotes never backtracks (`'` cannot start a formula), so a long run costs
# one pass and no backtracking stack, which made a megabyte of quotes superlinear.
_FORMULA = re.compile(r"'*+[=+\-@\t\r]")

MAX_COLUMNS = 1_000


def spreadsheet_cell(text: str) -> str:
    """`text` as a CSV cell a spreadsheet shows instead of running: a `'` in front of a formula start,
    and one more in front of `'`s that come before one, so that `plain_cell` gives `text` back."""
    return "'" + text if _FORMULA.match(text) else text


def plain_cell(cell: str) -> str:
    """The text of a cell `spreadsheet_cell` wrote (any other cell is returned as it is)."""
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell, 1) else cell


def read_table(path: Path, *, deck_id: str | None = None, title: str | None = None,
               skip_invalid: bool = False) -> Converted:
    text, problems = read_text(path)
    if text is None:
        raise DeckError(problems)
    rows, unreadable = _rows(path, text)
    header_line, header = rows[0]
    columns = [name.strip().lower() for name in header]
    warnings: list[Problem] = []
    problems = _check_header(path, header_line, columns, warnings)
    if problems:
        raise DeckError(problems)
    group = Group()
    for line, row in rows[1:]:
        if len(row) != len(columns):
            problems.append(Problem(str(path), line, f"{plural(len(row), 'field')}, but the header row has "
                                    f"{len(columns)} (a field holding the delimiter needs double quotes)"))
            continue
        cells = {name: plain_cell(value.strip().replace("\r\n", "\n"))
                 for name, value in zip(columns, row) if value.strip()}
        record, problem = _record(cells)
        if problem:
            problems.append(Problem(str(path), line, problem))
        else:
            group.records.append((line, record))
    if unreadable:  # the rest of the file cannot be read: nothing is installed
        raise DeckError(problems + [unreadable])
    if "id" not in columns:
        warnings.append(Problem(str(path), 0, "no 'id' column: card ids come from each card's type and question, "
                                "so a card whose question changes starts afresh", warning=True))
    return build_decks(path, [group], deck_id, title, warnings, problems, skip_invalid=skip_invalid)


def _rows(path: Path, text: str) -> tuple[list[tuple[int, list[str]]], Problem | None]:
    """Non-blank rows with the line each starts on, a header row first; and the row that cannot be read, if any
    (an unclosed quote), which ends the reading."""
    delimiter = _delimiter(path, text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    unreadable = None
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                if len(rows) > MAX_IMPORT_CARDS:  # the header row and this many cards are read already
                    raise too_many(path, start, "rows")
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        unreadable = Problem(str(path), start, f"cannot read this row: {exc}")
    if not rows:
        raise DeckError([unreadable or Problem(str(path), 0, "the file is empty; a spreadsheet needs a header row "
                                               "and cards")])
    return rows, unreadable


def _delimiter(path: Path, text: str) -> str:
    """The delimiter that splits the header row into a `question` column; else the sniffer's guess."""
    if path.suffix.lower() == ".tsv":
        return "\t"
    header = text.lstrip().split("\n", 1)[0]
    for delimiter in DELIMITERS:
        if "question" in (name.strip().strip('"').lower() for name in header.split(delimiter)):
            return delimiter
    try:
        return csv.Sniffer().sniff(header, delimiters=DELIMITERS).delimiter
    except csv.Error:
        return ","


def _check_header(path: Path, line: int, columns: list[str], warnings: list[Problem]) -> list[Problem]:
    if len(columns) > MAX_COLUMNS:  # each unknown column is matched against the known ones for a hint
        return [Problem(str(path), line, f"the header row has {len(columns):,} columns; quizzer reads "
                        f"spreadsheets of at most {MAX_COLUMNS:,}")]
    problems = []
    known = REQUIRED + OPTIONAL
    for required in REQUIRED:
        if required not in columns:
            hint = difflib.get_close_matches(required, columns, n=1)
            suggestion = f" ('{hint[0]}' is close)" if hint else ""
            problems.append(Problem(str(path), line, f"no '{required}' column{suggestion}; "
                                    f"the header row has: {', '.join(columns)}"))
    counts = Counter(columns)  # columns.count() for each column took quadratic time on a wide header
    for name in columns:
        if counts[name] > 1 and name in known:
            problems.append(Problem(str(path), line, f"the column '{name}' is given twice"))
        elif name not in known:
            hint = difflib.get_close_matches(name, known, n=1)
            suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
            warnings.append(Problem(str(path), line, f"column '{name}' is not used{suggestion}", warning=True))
    return sorted(set(problems), key=problems.index)


def _record(cells: dict[str, str]) -> tuple[dict, str | None]:
    """One row as the keys and values of a YAML card, or the reason it cannot be one."""
    kind = cells.get("type", "flash").lower()
    # An unknown type is left for the deck reader to report; its cells are read as a flash card's.
    card_type = CARD_TYPES.get(kind, CARD_TYPES[Kind.FLASH])
    question = cells.get("question", "")
    answer = cells.get("answer", "")
    if not question:
        return {}, "the question is empty"
    if not answer and card_type.answer_key:
        return {}, "the answer is empty"
    record: dict = {"type": kind, card_type.question_key: question}
    if card_type.answer_key:  # else the question carries the answers, as a cloze's blanks do
        items = split_list(answer)
        several = card_type.list_answer and len(items) > 1
        record[card_type.answer_key] = items if several else answer
    for key in LIST_COLUMNS:
        if key in cells:
            record[key] = split_list(cells[key])
    for key in ("explain", "ref"):
        if key in cells:
            record[key] = cells[key]
    if "tags" in cells:
        record["tags"] = split_list(cells["tags"], LIST_SEPARATOR + ",")
    if "ordered" in cells:
        flag = cells["ordered"].lower()
        record["ordered"] = {"true": True, "false": False}.get(flag, cells["ordered"])
    if "id" in cells:
        record["id"] = cells["id"]
    elif kind in CARD_TYPES:
        record["id"] = derived_card_id(card_type.kind, question)
    return record, None


# -- writing --------------------------------------------------------------------------------

COLUMNS = ("id", "type", "question", "answer", "accept", "reject", "distractors", "explain", "ref", "tags")


def table_text(deck: Deck) -> str:
    """The deck as CSV with a header row, in the columns `read_table` reads back to the same cards;
    no cell is a formula to a spreadsheet."""
    ordered = any(card.ordered for card in deck.cards)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS + (("ordered",) if ordered else ()))
    for card in deck.cards:
        data = card_data(card)
        card_type = CARD_TYPES[card.kind]
        row = {"type": card.kind.value, "question": data[card_type.question_key]}
        row["answer"] = _cell(deck, card, "answer", data.get(card_type.answer_key, ""))
        for key in ("id", "explain", "ref"):
            row[key] = data.get(key, "")
        for key in LIST_COLUMNS + ("tags",):
            row[key] = _cell(deck, card, key, data.get(key, []))
        if ordered:
            row["ordered"] = "true" if card.ordered else ""
        writer.writerow([spreadsheet_cell(row[name]) for name in COLUMNS + (("ordered",) if ordered else ())])
    return out.getvalue()


def _cell(deck: Deck, card: Card, key: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    items = value if isinstance(value, list) else [value]
    split_on_import = isinstance(value, list) or (key == "answer" and CARD_TYPES[card.kind].list_answer)
    separators = LIST_SEPARATOR + ("," if key == "tags" else "")
    clash = next((sep for item in items for sep in separators if sep in item), None) if split_on_import else None
    if clash:
        raise DeckError([Problem(deck.path or deck.id, card.line, f"card '{card.id}': '{key}' holds '{clash}', "
                                 "which separates list items in CSV; export as yaml")])
    return LIST_SEPARATOR.join(items)
