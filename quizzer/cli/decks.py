"""`quizzer decks` (list, validate, add, new, show, remove, import, export) and `quizzer paths`."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from quizzer.cli.common import (
    EXIT_BAD_INPUT, fail, library, now, open_store, stdin_is_terminal, user_decks, user_errors,
)

app = typer.Typer(help="List, check, add, write, show, remove, import and export decks.", no_args_is_help=False)


@app.callback(invoke_without_command=True)
def list_decks(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the table as JSON."),
) -> None:
    """List the decks: cards, how many are new and due now, built-in or yours, and where the file is."""
    if ctx.invoked_subcommand is not None:
        return
    from datetime import timedelta

    moment = now()
    with user_errors():
        decks = library()
        with open_store() as store:
            # Counting needs only which cards were answered and which are due: no state is read in full
            # for the many cards waiting for a later day.
            reviewed = store.reviewed(d.id for d in decks)
            due = store.reviewed((d.id for d in decks), due_before=moment + timedelta(microseconds=1))
    rows = []
    for deck in decks:
        keys = [(deck.id, c.id) for c in deck.cards]
        rows.append({
            "id": deck.id, "title": deck.title, "cards": len(deck.cards),
            "new": sum(key not in reviewed for key in keys),
            "due": sum(key in due for key in keys),
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

    Reads YAML decks and the files `decks import` converts: CSV/TSV spreadsheets, Anki text exports
    (.txt) and Anki packages (.apkg, .colpkg). Exits 0 with a summary per deck when all are valid,
    2 when any has an error.
    """
    from collections import Counter

    from quizzer.decks import DeckError, check_deck, duplicate_deck_ids
    from quizzer.formats import convert, detect

    decks, problems = [], []
    for path in paths:
        if detect(path) == "yaml":
            deck, found = check_deck(path)
            problems += found
            decks += [deck] if deck is not None else []
            continue
        try:
            converted = convert(path)
        except DeckError as exc:
            problems += exc.problems
            continue
        problems += converted.warnings
        decks += converted.decks
    problems += duplicate_deck_ids(decks)
    for problem in problems:
        typer.echo(_literal(str(problem)), err=True)
    if any(not p.warning for p in problems):
        raise typer.Exit(EXIT_BAD_INPUT)
    for deck in decks:
        kinds = Counter(c.kind.value for c in deck.cards)
        detail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        typer.echo(f"{deck.path}: ok — {deck.id}: {len(deck.cards)} cards ({detail})")


@app.command("add")
def add(
    paths: list[Path] = typer.Argument(..., help="YAML deck files to install.", show_default=False),
    link: bool = typer.Option(False, "--link", help="Use the files where they are (say, in your own git "
                              "repository) instead of copying them; edits there show up at once."),
) -> None:
    """Validate deck files, then install them into your decks folder (a copy named after the deck id).

    A deck whose id is already installed is updated: cards whose ids stay keep their progress, and
    the command prints how many cards were added, changed, unchanged and removed. The id of a
    built-in deck cannot be taken. Nothing is installed if any file has an error.
    """
    from quizzer.decks import check_deck, duplicate_deck_ids
    from quizzer.formats import detect

    with user_errors():
        checked, problems = [], []
        for path in paths:
            if detect(path) != "yaml" and path.is_file():
                fail(f"{path}: `decks add` installs YAML decks; convert this file with `quizzer decks import {path}`")
            deck, found = check_deck(path)
            problems += found
            checked += [(path, deck)] if deck is not None else []
        problems += duplicate_deck_ids(deck for _, deck in checked)
        for problem in problems:
            typer.echo(_literal(str(problem)), err=True)
        if any(not p.warning for p in problems):
            raise typer.Exit(EXIT_BAD_INPUT)
        folder = user_decks()
        current, _ = folder.load()
        for path, deck in checked:
            folder.check_new(deck, path, current)
        for path, deck in checked:
            if link:
                result = folder.install_link(deck, path, current)
            else:
                result = folder.install_copy(deck, path.read_bytes(), current)
            _report(result)


@app.command("new")
def new(
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the deck to this file instead of "
                                          "installing it."),
) -> None:
    """Write a new deck with a guided prompt: its id, title and tags, then card after card.

    Each answer is checked as you type it; the deck is shown before it is written, and only a valid
    deck is ever written. Needs a terminal.
    """
    if not stdin_is_terminal():
        fail("`quizzer decks new` asks its questions in a terminal; write a YAML deck by hand (docs/decks.md) "
             "or import a spreadsheet with `quizzer decks import`")
    from quizzer.session import Quit
    from quizzer.ui.new_deck import NewDeckPrompt

    with user_errors():
        current = library()
        try:
            drafted = NewDeckPrompt({d.id for d in current}).run()
        except Quit:
            drafted = None
        if drafted is None:
            typer.echo("Nothing written.")
            raise typer.Exit(1)
        save_new_deck(drafted, output)


def save_new_deck(drafted, output: Optional[Path]) -> None:
    """Validate a deck from `decks new` by the deck format's rules, then install it or write it to `output`."""
    from quizzer.decks import DeckError, check_records, deck_yaml
    from quizzer.library import write_deck_file

    meta = {"id": drafted.id, "title": drafted.title, **({"tags": list(drafted.tags)} if drafted.tags else {})}
    deck, problems = check_records(str(output or "new deck"), meta, [(0, card) for card in drafted.cards])
    if deck is None:
        raise DeckError([p for p in problems if not p.warning])
    if output is not None:
        written = write_deck_file(output, deck_yaml(deck), deck.id)
        typer.echo(f"Wrote deck '{deck.id}' ({len(written.cards)} cards) to {output}; "
                   f"install it with `quizzer decks add {output}`.")
        return
    folder = user_decks()
    current, _ = folder.load()
    folder.check_new(deck, Path("new deck"), current)
    _report(folder.install_copy(deck, deck_yaml(deck), current))


@app.command("show")
def show(
    deck_id: str = typer.Argument(..., help="The deck's id (see `quizzer decks`).", show_default=False),
    as_json: bool = typer.Option(False, "--json", help="Print the cards as JSON."),
) -> None:
    """Show a deck's cards in a table, each with its state (new, learning, review, relearning) and when it is due."""
    with user_errors():
        deck = _known_deck(deck_id, library())
        with open_store() as store:
            states = store.states([deck.id])
    rows = []
    for card in deck.cards:
        state = states.get((deck.id, card.id))
        rows.append({
            "id": card.id, "type": card.kind.value, "question": card.prompt, "answer": card.answer_text,
            "state": state.phase.value if state else "new", "due": state.due.isoformat() if state else None,
            "tags": list(card.tags),
        })
    if as_json:
        import json

        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from quizzer.ui.text import cells, literal

    table = Table(title=Text(f"{literal(deck.title)} — {len(deck.cards)} cards · {deck.path}"), title_justify="left")
    for column in ("id", "type", "question", "answer", "state", "due"):
        table.add_column(column, overflow="fold")
    for row in rows:
        due = _local_time(row["due"]) if row["due"] else ""
        table.add_row(*cells(row["id"], row["type"], row["question"], row["answer"], row["state"], due))
    Console(highlight=False).print(table)


@app.command("remove")
def remove(
    deck_id: str = typer.Argument(..., help="The id of the deck to remove.", show_default=False),
    purge: bool = typer.Option(False, "--purge", help="Also delete the deck's progress (its answers and "
                               "schedule), after a confirmation."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
) -> None:
    """Remove one of your decks; its history stays (and shows in `quizzer history`).

    A linked deck is only unregistered: its file stays where it is. With --purge the deck's answers
    and schedule are deleted too, in one transaction, after you confirm; with --purge a deck that is
    no longer installed can still have its leftover progress deleted.
    """
    from quizzer.formats.common import plural
    from quizzer.library import deck_id_problem

    with user_errors():
        problem = deck_id_problem(deck_id)
        if problem:
            fail(problem)
        decks = library()
        if any(d.id == deck_id and d.builtin for d in decks):
            fail(f"'{deck_id}' is a built-in deck; it cannot be removed")
        folder = user_decks()
        where = folder.installation(deck_id, decks)
        with open_store() as store:
            answers = store.answer_count(deck_id)
            counted = plural(answers, "answer")
            if where is None and not (purge and answers):
                yours = ", ".join(sorted(d.id for d in decks if not d.builtin)) or "none"
                fail(f"no deck '{deck_id}' is installed; your decks: {yours}")
            if purge and not yes:
                typer.confirm(f"Delete all progress of deck '{deck_id}' ({counted})? This cannot be undone",
                              abort=True)
            if where is None:
                store.delete_deck_progress(deck_id)
            else:
                with folder.removing(where):
                    if purge:
                        store.delete_deck_progress(deck_id)
    if where is not None:
        how = "Unlinked" if where.linked else "Removed"
        kept = " (the file stays where it is)" if where.linked else ""
        typer.echo(f"{how} deck '{deck_id}': {where.path}{kept}.")
    if purge:
        typer.echo(f"Deleted its progress: {counted}.")
    elif answers:
        typer.echo(f"Its history stays: {counted} (`quizzer history --deck {deck_id}`); "
                   f"`quizzer decks remove {deck_id} --purge` deletes it.")


@app.command("import")
def import_deck(
    file: Path = typer.Argument(..., help="A CSV or TSV spreadsheet, an Anki text export (.txt) or an Anki "
                                "package (.apkg, .colpkg).", show_default=False),
    deck_id: Optional[str] = typer.Option(None, "--id", help="Install under this deck id (default: from the "
                                          "file, or the Anki deck's name)."),
    title: Optional[str] = typer.Option(None, "--title", help="The deck's title (default: the Anki deck's name, "
                                        "the file's name, or the installed deck's title when updating)."),
) -> None:
    """Convert a spreadsheet or an Anki export into quizzer decks and install them (one per Anki deck).

    Importing an updated file again updates the deck: cards whose ids stay (a spreadsheet's id
    column, an Anki note's guid) keep their progress. docs/decks.md lists the columns and what
    becomes of each Anki note type. Nothing is installed if the file has an error.
    """
    from dataclasses import replace

    from quizzer.decks import deck_yaml
    from quizzer.formats import convert
    from quizzer.library import deck_id_problem

    with user_errors():
        if deck_id is not None and deck_id_problem(deck_id):
            fail(deck_id_problem(deck_id))
        if title is not None and not title.strip():
            fail("--title is empty")
        converted = convert(file, deck_id=deck_id, title=title and title.strip())
        for problem in converted.warnings:
            typer.echo(_literal(str(problem)), err=True)
        folder = user_decks()
        current, _ = folder.load()
        for deck in converted.decks:
            folder.check_new(deck, file, current)
        for deck in converted.decks:
            old = next((d for d in current if d.id == deck.id), None)
            if old is not None:  # an update keeps what the user set on the deck
                deck = replace(deck, title=title or old.title, description=old.description, tags=old.tags,
                               source=old.source)
            else:
                deck = replace(deck, source={"imported from": file.name})
            _report(folder.install_copy(deck, deck_yaml(deck), current))


@app.command("export")
def export(
    deck_id: str = typer.Argument(..., help="The deck to export.", show_default=False),
    form: Optional[str] = typer.Option(None, "--format", help="yaml, csv or anki-txt (default: from the output "
                                       "file's suffix, else yaml)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file (default: print it)."),
) -> None:
    """Write a deck as YAML, CSV or Anki's text format.

    anki-txt has a guid column, so importing the file into Anki twice updates notes instead of
    duplicating them, and `quizzer decks import` brings it back to the same cards and progress.
    """
    from quizzer.formats import EXPORT_FORMATS, export_text
    from quizzer.library import write_atomically

    suffixes = {".csv": "csv", ".tsv": "csv", ".txt": "anki-txt"}
    form = form or (suffixes.get(output.suffix.lower(), "yaml") if output else "yaml")
    with user_errors():
        if form not in EXPORT_FORMATS:
            fail(f"unknown format '{form}' (one of {', '.join(EXPORT_FORMATS)})")
        deck = _known_deck(deck_id, library())
        text = export_text(deck, form)
        if output is None:
            typer.echo(text, nl=False)
            return
        if output.is_dir():
            fail(f"{output} is a folder; give a file name")
        write_atomically(output, text.encode("utf-8"))
    typer.echo(f"Wrote deck '{deck.id}' ({len(deck.cards)} cards, {form}) to {output}.", err=True)


def _known_deck(deck_id: str, decks):
    deck = next((d for d in decks if d.id == deck_id), None)
    if deck is None:
        fail(f"unknown deck '{_literal(deck_id)}'; known decks: {', '.join(sorted(d.id for d in decks)) or 'none'}")
    return deck


def _report(result) -> None:
    from quizzer.formats.common import plural

    deck = result.deck
    verb = "Linked" if result.linked else "Installed"
    if result.changes is None:
        typer.echo(f"{verb} deck '{deck.id}' ({plural(len(deck.cards), 'card')}): {result.path}")
        return
    kept = plural(result.changes.changed + result.changes.unchanged, "card")
    typer.echo(f"Updated deck '{deck.id}': {result.changes}; progress kept for {kept} ({result.path})")


def _literal(text: str) -> str:
    from quizzer.ui.text import literal

    return literal(text)


def _local_time(iso_text: str) -> str:
    from datetime import datetime

    return datetime.fromisoformat(iso_text).astimezone().strftime("%Y-%m-%d %H:%M")


def show_paths() -> None:
    """Show where quizzer keeps progress, your decks and settings (set QUIZZER_HOME to move them)."""
    from quizzer.config import paths
    from quizzer.decks import builtin_deck_dir

    where = paths()
    for label, path in (("home", where.home), ("database", where.database), ("decks", where.decks),
                        ("config", where.config), ("built-in decks", builtin_deck_dir())):
        typer.echo(f"{label + ':':16}{path}")
