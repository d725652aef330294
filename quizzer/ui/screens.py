"""Rich screens for `decks`, `decks show` and `accepted`, and the one console every screen prints on.

Commands build plain rows; these functions lay them out. Outside text goes through `cells`.
"""

from __future__ import annotations

from rich.console import Console, RenderableType
from rich.table import Table
from rich.text import Text

from quizzer.ui.text import cells, literal, local_time


def console() -> Console:
    return Console(highlight=False)


def show(renderable: RenderableType) -> None:
    console().print(renderable)


def decks_table(rows: list[dict]) -> Table:
    """`quizzer decks`: one row per deck, as `decks --json` gives them."""
    table = Table(title="Decks", title_justify="left")
    for column, justify in (("id", "left"), ("title", "left"), ("cards", "right"), ("new", "right"),
                            ("due now", "right"), ("kind", "left"), ("path", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    for row in rows:
        table.add_row(*cells(row["id"], row["title"], row["cards"], row["new"], row["due"],
                             "built-in" if row["builtin"] else "user", row["path"]))
    return table


def deck_table(deck, rows: list[dict]) -> Table:
    """`quizzer decks show`: the deck's cards, as `decks show --json` gives them."""
    table = Table(title=Text(literal(f"{deck.title} — {len(deck.cards)} cards · {deck.path}")), title_justify="left")
    for column in ("id", "type", "question", "answer", "state", "due"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*cells(row["id"], row["type"], row["question"], row["answer"], row["state"],
                             local_time(row["due"]) if row["due"] else ""))
    return table


def accepted_table(rows: list[tuple[str, str, str]]) -> Table:
    """`quizzer accepted`: (deck, card, accepted answer) rows."""
    table = Table(title="Accepted answers", title_justify="left")
    for column in ("deck/card", "accepted answer"):
        table.add_column(column, overflow="fold")
    for deck_id, card, response in rows:
        table.add_row(*cells(f"{deck_id}/{card}", response))
    return table
