"""A fitted compact table whose cells are each one line of one style is drawn without rich's per-cell layout
(`Fitted._lines`), and prints byte for byte as rich draws the table itself. Add a cell to CELLS in one line."""

import io

import pytest
from rich.console import Console
from rich.text import Text

from quizzer.ui.screens import Fitted, compact_table

CELLS = [  # (what, a cell of the wrapping first column, a cell of a right-aligned number column)
    ("plain", "bench-001", "1000"),
    ("styled", Text("total", style="bold"), Text("12", style="cyan")),
    ("markup read from a string", "[bold]x[/bold]", "[red]3[/red]"),
    ("markup kept in a Text", Text("[bold]x[/bold]"), Text("[red]3[/red]")),
    ("emoji code", ":thumbs_up: deck", ":1st_place_medal:"),
    ("wide characters", "日本語のデッキ", "１２"),
    ("combining and zero-width", "e\u0301cole\u200bdeck", "7"),
    ("empty", "", Text("")),
    ("spaces inside", "two  spaces", "4 2"),
    ("spaces around", " lead", "9 "),
    ("a tab", "a\tb", "1"),
    ("spans", Text.assemble("deck ", ("gone", "dim")), Text.assemble(("8", "red"), "5")),
    ("a Text's own justify", Text("left", justify="right"), Text("3", justify="left")),
    ("bidi mark shown", "deck<U+202E>", "0"),
]


def table_of(first, number, rows: int = 3):
    table = compact_table()
    table.add_column("deck", overflow="fold")
    table.add_column("cards", justify="right", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    for n in range(rows):
        table.add_row(first, number, f"kind-{n}", end_section=n == rows - 2)
    return table


def printed(renderable, width: int, colour: str | None) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=colour, force_terminal=bool(colour),
                      highlight=False)
    console.print(renderable)
    return console.file.getvalue()


@pytest.mark.parametrize("what, first, number", CELLS, ids=[case[0] for case in CELLS])
@pytest.mark.parametrize("colour", [None, "truecolor"])
def test_a_fitted_table_draws_as_rich_draws_it(what, first, number, colour):
    for width in (60, 100):
        assert printed(Fitted(table_of(first, number)), width, colour) == printed(table_of(first, number), width,
                                                                                 colour), what


def test_drawing_a_fitted_table_lays_out_no_cell_through_rich(monkeypatch):
    # An operation count, not a timing: rich renders each cell through Padding and Text (most of a 100-deck
    # `stats` screen's drawing); drawn directly, the lines rich renders do not grow with the rows.
    calls = []
    real = Console.render_lines

    def counting(self, *args, **kwargs):
        calls.append(args[0])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Console, "render_lines", counting)
    counts = []
    for rows in (10, 200):
        calls.clear()
        printed(Fitted(table_of("bench-001", "1000", rows)), 100, "truecolor")
        counts.append(len(calls))
    assert counts[0] == counts[1]
