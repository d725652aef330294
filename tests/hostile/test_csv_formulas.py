"""CSV written for spreadsheets: no cell is a formula (OWASP's CSV injection rule), and `decks import` of
our own CSV gives back the same deck.

A cell starting with = + - @, tab or CR gets a leading `'`; so does one whose `'`s come before such a
character, which is what lets the reader take exactly one `'` back off. Add a case: one line in CELLS.
"""

import csv
import dataclasses
import io
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.decks import deck_yaml
from quizzer.formats import convert, export_text
from quizzer.formats.table import plain_cell, spreadsheet_cell
from quizzer.model import Blank, Card, Deck, Kind

TRIGGERS = "=+-@\t\r"


def is_formula(cell: str) -> bool:
    return cell[:1] != "" and cell[0] in TRIGGERS

CELLS = [  # (text, the cell written)
    ("=1+1", "'=1+1"),
    ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
    ("+33 1 23", "'+33 1 23"),
    ("-5", "'-5"),
    ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
    ("\t=cmd", "'\t=cmd"),
    ("\r=cmd", "'\r=cmd"),
    ("'=quoted", "''=quoted"),  # a quote of its own before a trigger: one more, so reading takes one off
    ("''-x", "'''-x"),
    ("'tis", "'tis"),  # a quote before anything else is the text itself
    ("a=b", "a=b"),
    ("Bamako", "Bamako"),
    ("", ""),
]


@pytest.mark.parametrize("text, cell", CELLS, ids=[repr(text) for text, _ in CELLS])
def test_a_cell_is_never_a_formula_and_reads_back(text, cell):
    assert spreadsheet_cell(text) == cell
    assert not is_formula(cell)
    assert plain_cell(cell) == text


@settings(max_examples=2000)
@given(st.text(alphabet=TRIGGERS + "' ab|,\n", max_size=12))
def test_every_text_survives_the_escape(text):
    cell = spreadsheet_cell(text)
    assert not is_formula(cell) and plain_cell(cell) == text


FORMULAS = Deck(id="formulas", title="Formulas", cards=(
    Card("neg", Kind.TYPED, "-5 + 3 = ?", "-2", accept=("=-2", "minus two"), explain="@ once: +1"),
    Card("sum", Kind.FLASH, "=SUM(1,2)", "+3", ref="@ref"),
    Card("choose", Kind.CHOICE, "'=quoted", "=A1", distractors=("-B2", "'tis")),
    Card("gap", Kind.CLOZE, "=x {{-1}} y", ("-1",), blanks=(Blank("-1"),)),
    Card("steps", Kind.ORDER, "@first", ("-a", "+b", "=c")),
))


def cells_of(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def test_exported_csv_has_no_formula_and_imports_back_to_the_same_cards(tmp_path):
    text = export_text(FORMULAS, "csv")
    assert [cell for cell in cells_of(text) if is_formula(cell)] == []
    assert "'-5 + 3 = ?" in cells_of(text) and "'=SUM(1,2)" in cells_of(text)
    path = tmp_path / "formulas.csv"
    path.write_text(text, newline="")
    deck = convert(path).decks[0]
    assert [dataclasses.replace(card, line=0) for card in deck.cards] == list(FORMULAS.cards)


def test_decks_export_csv_then_decks_import_gives_the_same_deck(tmp_path):
    runner = CliRunner()
    source = tmp_path / "formulas.yaml"
    source.write_text(deck_yaml(FORMULAS), encoding="utf-8")
    assert runner.invoke(app, ["decks", "add", str(source)]).exit_code == 0
    exported = tmp_path / "out.csv"
    assert runner.invoke(app, ["decks", "export", "formulas", "-o", str(exported)]).exit_code == 0
    before = runner.invoke(app, ["decks", "export", "formulas"]).stdout
    assert runner.invoke(app, ["decks", "import", str(exported), "--id", "formulas"]).exit_code == 0
    assert runner.invoke(app, ["decks", "export", "formulas"]).stdout == before


def test_history_csv_has_no_formula(tmp_path):
    runner = CliRunner()
    deck = Deck(id="sheet", title="Sheet", cards=(Card("q", Kind.TYPED, "=1+1", "2"),))
    source = tmp_path / "sheet.yaml"
    source.write_text(deck_yaml(deck), encoding="utf-8")
    assert runner.invoke(app, ["decks", "add", str(source)]).exit_code == 0
    typed = "=HYPERLINK(\"http://evil.example\",\"x\")"
    assert runner.invoke(app, ["study", "sheet", "--plain"], input=f"{typed}\nq\n").exit_code == 0
    for args in (["history", "--reviews", "--csv"], ["history", "--csv"]):
        text = runner.invoke(app, args).stdout
        assert [cell for cell in cells_of(text) if is_formula(cell)] == [], args
    rows = list(csv.DictReader(io.StringIO(runner.invoke(app, ["history", "--reviews", "--csv"]).stdout)))
    assert rows[0]["response"] == "'" + typed and rows[0]["question"] == "'=1+1"


ALPHABET = string.ascii_letters + " '=+-@"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=20).map(str.strip).filter(bool),
       st.text(alphabet=ALPHABET, min_size=1, max_size=20).map(str.strip).filter(bool))
def test_any_flash_card_survives_csv(tmp_path_factory, question, answer):
    deck = Deck(id="d", title="D", cards=(Card("c", Kind.FLASH, question, answer),))
    path = tmp_path_factory.mktemp("csv") / "d.csv"
    path.write_text(export_text(deck, "csv"), newline="")
    assert [dataclasses.replace(c, line=0) for c in convert(path).decks[0].cards] == list(deck.cards)
