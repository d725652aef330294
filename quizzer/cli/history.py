"""`quizzer history`."""

from __future__ import annotations

from typing import Optional

import typer

from quizzer.cli.common import open_store, user_errors


def history(
    reviews: bool = typer.Option(False, "--reviews", help="List individual answers instead of sessions."),
    deck: Optional[str] = typer.Option(None, "--deck", help="Only this deck."),
    limit: Optional[int] = typer.Option(None, "--limit", min=1, help="At most this many rows (newest first)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only."),
) -> None:
    """Show your answers so far, newest first."""
    import json

    with user_errors(), open_store() as store:
        rows = store.reviews(deck=deck, limit=limit)
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        typer.echo("No answers yet. Run `quizzer study` to start.")
        return
    from rich.console import Console
    from rich.table import Table

    from quizzer.ui.text import cells

    table = Table(title="Answers" if reviews else "Answers (use --reviews for every detail)", title_justify="left")
    for column in ("when", "deck", "card", "response", "verdict", "rating", "next due"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*cells(row["reviewed_at"][:16].replace("T", " "), row["deck"], row["card"],
                             row["response"], row["verdict"], row["rating"], row["next_due"][:16].replace("T", " ")))
    Console(highlight=False).print(table)
