"""`quizzer decks` (list, validate) and `quizzer paths`."""

from __future__ import annotations

from pathlib import Path

import typer

from quizzer.cli.common import EXIT_BAD_INPUT, library, open_store, user_errors

app = typer.Typer(help="List and check decks.", no_args_is_help=False)


@app.callback(invoke_without_command=True)
def list_decks(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the table as JSON."),
) -> None:
    """List the decks: cards, how many are new and due now, built-in or yours, and where the file is."""
    if ctx.invoked_subcommand is not None:
        return
    from datetime import datetime, timezone

    with user_errors():
        decks = library()
        with open_store() as store:
            states = store.states(d.id for d in decks)
    now = datetime.now(timezone.utc)
    rows = []
    for deck in decks:
        deck_states = [states.get((deck.id, c.id)) for c in deck.cards]
        rows.append({
            "id": deck.id, "title": deck.title, "cards": len(deck.cards),
            "new": sum(s is None for s in deck_states),
            "due": sum(s is not None and s.due <= now for s in deck_states),
            "builtin": deck.builtin, "path": deck.path,
        })
    if as_json:
        import json

        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    from quizzer.ui.text import cells

    table = Table(title="Decks", title_justify="left")
    for column, justify in (("id", "left"), ("title", "left"), ("cards", "right"), ("new", "right"),
                            ("due now", "right"), ("kind", "left"), ("path", "left")):
        table.add_column(column, justify=justify, overflow="fold")
    for row in rows:
        table.add_row(*cells(row["id"], row["title"], row["cards"], row["new"], row["due"],
                             "built-in" if row["builtin"] else "user", row["path"]))
    Console(highlight=False).print(table)


@app.command("validate")
def validate(paths: list[Path] = typer.Argument(..., help="Deck files to check.", show_default=False)) -> None:
    """Check deck files without installing them; print every problem as PATH:LINE: message.

    Exits 0 with a summary per deck when all are valid, 2 when any has an error.
    """
    from collections import Counter

    from quizzer.decks import check_deck, duplicate_deck_ids

    decks, problems = [], []
    for path in paths:
        deck, found = check_deck(path)
        problems += found
        if deck is not None:
            decks.append(deck)
    problems += duplicate_deck_ids(decks)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if any(not p.warning for p in problems):
        raise typer.Exit(EXIT_BAD_INPUT)
    for deck in decks:
        kinds = Counter(c.kind.value for c in deck.cards)
        detail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        typer.echo(f"{deck.path}: ok — {deck.id}: {len(deck.cards)} cards ({detail})")


def show_paths() -> None:
    """Show where quizzer keeps progress, your decks and settings (set QUIZZER_HOME to move them)."""
    from quizzer.config import paths
    from quizzer.decks import builtin_deck_dir

    where = paths()
    for label, path in (("home", where.home), ("database", where.database), ("decks", where.decks),
                        ("config", where.config), ("built-in decks", builtin_deck_dir())):
        typer.echo(f"{label + ':':16}{path}")
