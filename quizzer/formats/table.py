"""Spreadsheets: CSV or TSV with a header row, one card per row.

Columns `question` and `answer` are required; `id`, `type`, `accept`, `reject`, `distractors`,
`explain`, `ref`, `tags` and `ordered` are optional. Lists in one cell are separated by `|`
(tags also by `,`). The delimiter is sniffed; UTF-8 with or without BOM; CRLF or LF line ends.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections import Counter
from pathlib import Path

from quizzer.decks import MAX_IMPORT_CARDS, DeckError, Problem, card_data, derived_card_id, read_text
from quizzer.formats.common import LIST_SEPARATOR, Converted, Group, build_decks, plural, split_list, too_many
from quizzer.model import Card, Deck, Kind

REQUIRED = ("question", "answer")
OPTIONAL = ("id", "type", "accept", "reject", "distractors", "explain", "ref", "tags", "ordered")
LIST_COLUMNS = ("accept", "reject", "distractors")
DELIMITERS = ",\t;|"
MAX_COLUMNS = 1_000


def read_table(path: Path, *, deck_id: str | None = None, title: str | None = None) -> Converted:
    text, problems = read_text(path)
    if text is None:
        raise DeckError(problems)
    rows = _rows(path, text)
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
        cells = {name: value.strip().replace("\r\n", "\n") for name, value in zip(columns, row) if value.strip()}
        record, problem = _record(cells)
        if problem:
            problems.append(Problem(str(path), line, problem))
        else:
            group.records.append((line, record))
    if problems:
        raise DeckError(problems)
    if "id" not in columns:
        warnings.append(Problem(str(path), 0, "no 'id' column: card ids come from each card's type and question, "
                                "so a card whose question changes starts afresh", warning=True))
    return build_decks(path, [group], deck_id, title, warnings)


def _rows(path: Path, text: str) -> list[tuple[int, list[str]]]:
    """Non-blank rows with the line each starts on; a header row first."""
    delimiter = _delimiter(path, text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                if len(rows) > MAX_IMPORT_CARDS:  # the header row and this many cards are read already
                    raise too_many(path, start, "rows")
                rows.append((start, row))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise DeckError([Problem(str(path), start, f"cannot read this row: {exc}")]) from None
    if not rows:
        raise DeckError([Problem(str(path), 0, "the file is empty; a spreadsheet needs a header row and cards")])
    return rows


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
    question = cells.get("question", "")
    answer = cells.get("answer", "")
    if not question:
        return {}, "the question is empty"
    if not answer and kind != Kind.CLOZE.value:
        return {}, "the answer is empty"
    record: dict = {"type": kind}
    if kind == Kind.CLOZE.value:
        record["text"] = question  # the blanks carry the answers; an answer cell is not needed
    elif kind == Kind.ORDER.value:
        record |= {"question": question, "items": split_list(answer)}
    else:
        items = split_list(answer)
        typed_list = kind == Kind.TYPED.value and len(items) > 1
        record |= {"question": question, "answer": items if typed_list else answer}
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
    elif kind in {k.value for k in Kind}:
        record["id"] = derived_card_id(Kind(kind), question)
    return record, None


# -- writing --------------------------------------------------------------------------------

COLUMNS = ("id", "type", "question", "answer", "accept", "reject", "distractors", "explain", "ref", "tags")


def table_text(deck: Deck) -> str:
    """The deck as CSV with a header row, in the columns `read_table` reads back to the same cards."""
    ordered = any(card.ordered for card in deck.cards)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS + (("ordered",) if ordered else ()))
    for card in deck.cards:
        data = card_data(card)
        row = {"type": card.kind.value, "question": data.get("text", data.get("question", ""))}
        answer = data.get("items", data.get("answer", ""))
        row["answer"] = _cell(deck, card, "answer", answer)
        for key in ("id", "explain", "ref"):
            row[key] = data.get(key, "")
        for key in LIST_COLUMNS + ("tags",):
            row[key] = _cell(deck, card, key, data.get(key, []))
        if ordered:
            row["ordered"] = "true" if card.ordered else ""
        writer.writerow([row[name] for name in COLUMNS + (("ordered",) if ordered else ())])
    return out.getvalue()


def _cell(deck: Deck, card: Card, key: str, value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    items = value if isinstance(value, list) else [value]
    split_on_import = isinstance(value, list) or (key == "answer" and card.kind is Kind.TYPED)
    separators = LIST_SEPARATOR + ("," if key == "tags" else "")
    clash = next((sep for item in items for sep in separators if sep in item), None) if split_on_import else None
    if clash:
        raise DeckError([Problem(deck.path or deck.id, card.line, f"card '{card.id}': '{key}' holds '{clash}', "
                                 "which separates list items in CSV; export as yaml")])
    return LIST_SEPARATOR.join(items)
