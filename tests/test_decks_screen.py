"""`quizzer decks`' table, drawn line by line where it fits: the same bytes as rich's own table.

The quick drawing must print exactly what `Fitted(table)` prints — plain and in colour, at any width,
whatever the ids and titles hold (wide and combining characters, spaces, tabs, line breaks). Add a
tricky title to TITLES in one line.
"""

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from quizzer.ui.screens import Fitted, decks_table

TITLES = [
    "Mali 2012 — actors", "", " leading and trailing ", "two  spaces", "漢字の題名", "e\u0301 combining",
    "tab\there", "line\nbreak", "[bold]not markup[/]", ":smile: no emoji", "a" * 70, "🙂 emoji",
]


def row(number: int, title: str, deck_id: str = "") -> dict:
    return {"id": deck_id or f"deck-{number:03}", "title": title, "cards": 10 ** (number % 6), "new": number,
            "due": number * 7 % 13, "builtin": number % 2 == 0, "path": "/nowhere"}


def printed(renderable, width: int, colour: bool) -> str:
    console = Console(file=io.StringIO(), width=width, highlight=False, force_terminal=colour,
                      color_system="truecolor" if colour else None, legacy_windows=False)
    console.print(renderable)
    return console.file.getvalue()


def through_rich(rows: list[dict]) -> Fitted:
    """The same table drawn by rich cell by cell (what `decks` printed before)."""
    return Fitted(decks_table(rows).table)


@pytest.mark.parametrize("colour", [False, True])
@pytest.mark.parametrize("width", [20, 40, 60, 80, 100, 200])
@pytest.mark.parametrize("title", TITLES)
def test_the_decks_table_prints_what_rich_prints(title, width, colour):
    rows = [row(n, title if n == 3 else f"Deck {n}") for n in range(8)]
    assert printed(decks_table(rows), width, colour) == printed(through_rich(rows), width, colour)


def test_no_decks_prints_what_rich_prints():
    assert printed(decks_table([]), 100, True) == printed(through_rich([]), 100, True)


@settings(max_examples=150, deadline=None)
@given(titles=st.lists(st.text(max_size=30), min_size=1, max_size=5),
       ids=st.lists(st.text(st.characters(codec="utf-8"), min_size=1, max_size=20), min_size=5, max_size=5),
       width=st.integers(20, 120), colour=st.booleans())
def test_any_ids_and_titles_print_what_rich_prints(titles, ids, width, colour):
    rows = [row(n, title, ids[n]) for n, title in enumerate(titles)]
    assert printed(decks_table(rows), width, colour) == printed(through_rich(rows), width, colour)


def test_a_hundred_decks_that_fit_lay_out_no_cell_through_rich(monkeypatch):
    """Rich lays out every cell of a table on its own (`render_lines` twice a cell): the quick drawing none."""
    laid_out = []
    original = Console.render_lines
    monkeypatch.setattr(Console, "render_lines", lambda *a, **k: laid_out.append(1) or original(*a, **k))
    rows = [row(n, f"Bench deck {n}") for n in range(100)]
    text = printed(decks_table(rows), 100, True)
    assert "deck-099" in text and "Bench deck 99" in text
    assert laid_out == []
