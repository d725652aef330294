"""`quizzer decks` (list, validate, add, new, edit, show, remove, import, export) and `quizzer paths`."""

from pathlib import Path
from typing import Optional

import typer

from quizzer.cli.common import (
    EXIT_BAD_INPUT, Typer, data_out, fail, library, now, open_store, print_json, replay, say, settings, showing,
    stdin_is_terminal, unused_name, user_decks, user_errors,
)
from quizzer.cli.resolve import complete_deck, resolve

app = Typer(no_args_is_help=False)  # its help is the docstring of `list_decks`


@app.callback(invoke_without_command=True)
def list_decks(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the table as JSON."),
) -> None:
    """List the decks (cards, new, due now, built-in or yours); check, add, write, show, remove, import, export.

    Without a command: a table of the decks; `quizzer decks show DECK` names a deck's file.

    Examples:
    $ quizzer decks
    $ quizzer decks show dates
    """
    if ctx.invoked_subcommand is not None:
        return
    from datetime import timedelta

    moment = now()
    with user_errors():
        decks = library()
        with open_store() as store:
            # SQLite counts, per deck, its cards answered and due: no state crosses into Python.
            counts = store.answered_and_due(decks, moment + timedelta(microseconds=1))
    rows = []
    for deck in decks:
        answered, due = counts.get(deck.id, (0, 0))
        rows.append({
            "id": deck.id, "title": deck.title, "cards": len(deck.cards), "new": len(deck.cards) - answered,
            "due": due, "builtin": deck.builtin, "path": deck.path,
        })
    if as_json:
        print_json(rows)
        return
    from quizzer.ui.screens import decks_table, show

    show(decks_table(rows))


@app.command("validate")
def validate(paths: list[Path] = typer.Argument(..., metavar="FILE...", help="Deck files to check.",
                                                show_default=False)) -> None:
    """Check deck files without installing them; print every problem as PATH:LINE: message.

    Reads YAML decks and the files `decks import` converts: CSV/TSV spreadsheets, Anki text exports
    (.txt) and Anki packages (.apkg, .colpkg). Exits 0 with a summary per deck when all are valid,
    2 when any has an error.

    Examples:
    $ quizzer decks validate my-deck.yaml
    $ quizzer decks validate words.csv
    """
    from collections import Counter

    from quizzer.decks import DeckError, check_deck, duplicate_deck_ids
    from quizzer.formats import convert, detect
    from quizzer.model import plural

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
        say(str(problem), err=True)
    if any(not p.warning for p in problems):
        raise typer.Exit(EXIT_BAD_INPUT)
    for deck in decks:
        kinds = Counter(c.kind.value for c in deck.cards)
        detail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        say(f"{deck.path}: ok — {deck.id}: {plural(len(deck.cards), 'card')} ({detail})")


@app.command("add")
def add(
    paths: list[Path] = typer.Argument(..., metavar="FILE...", help="YAML deck files to install.", show_default=False),
    link: bool = typer.Option(False, "--link", help="Use the files where they are (say, in your own git "
                              "repository) instead of copying them; edits there show up at once."),
) -> None:
    """Validate deck files, then install them into your decks folder (a copy named after the deck id).

    A deck whose id is already installed is updated: cards whose ids stay keep their progress, and
    the command prints how many cards were added, changed, unchanged and removed. The id of a
    built-in deck cannot be taken. Nothing is installed if any file has an error.

    Examples:
    $ quizzer decks add my-deck.yaml
    $ quizzer decks add --link ~/notes/my-deck.yaml
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
            say(str(problem), err=True)
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

    Examples:
    $ quizzer decks new
    $ quizzer decks new -o my-deck.yaml
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
            say("Nothing written.")
            raise typer.Exit(1)
        save_new_deck(drafted, output)


def save_new_deck(drafted, output: Optional[Path]) -> None:
    """Validate a deck from `decks new` by the deck format's rules, then install it or write it to `output`."""
    from quizzer.decks import DeckError, check_records, deck_yaml
    from quizzer.library import write_deck_file
    from quizzer.model import plural

    meta = {"id": drafted.id, "title": drafted.title, **({"tags": list(drafted.tags)} if drafted.tags else {})}
    deck, problems = check_records(str(output or "new deck"), meta, [(0, card) for card in drafted.cards])
    if deck is None:
        raise DeckError([p for p in problems if not p.warning])
    if output is not None:
        written = write_deck_file(output, deck_yaml(deck), deck.id)
        say(f"Wrote deck '{deck.id}' ({plural(len(written.cards), 'card')}) to {output}; "
            f"install it with `quizzer decks add {output}`.")
        return
    folder = user_decks()
    current, _ = folder.load()
    folder.check_new(deck, Path("new deck"), current)
    _report(folder.install_copy(deck, deck_yaml(deck), current))


@app.command("edit")
def edit(
    deck_id: str = typer.Argument(..., metavar="DECK", help="The id of one of your decks.", show_default=False,
                                  autocompletion=complete_deck),
    card_id: Optional[str] = typer.Option(None, "--card", metavar="CARD", help="Open the file at this card's line.",
                                          show_default=False),
) -> None:
    """Open one of your decks in $VISUAL or $EDITOR (else nano, else vi), then check it when the editor closes.

    A valid deck is kept and the command says how many cards were added, changed and removed;
    cards whose ids stay keep their progress. If the file has errors, each is listed as
    FILE:LINE: message and you choose to edit it again or restore it as it was. A deck that does
    not load can be opened this way to fix it. Built-in decks are read-only. Needs a terminal.
    $EDITOR may hold arguments: EDITOR="code -w".

    Examples:
    $ quizzer decks edit my-deck
    $ quizzer decks edit my-deck --card capital-of-mali
    """
    if not stdin_is_terminal():
        fail("`quizzer decks edit` opens an editor, which needs a terminal; edit the file itself and check it "
             "with `quizzer decks validate FILE`")
    from quizzer.config import paths
    from quizzer.editing import Editor

    with user_errors():
        decks = library()
        old = next((d for d in decks if d.id == deck_id), None)
        where = user_decks().installation(deck_id, decks) if old is None or not old.builtin else None
        if old is None and where is None:  # a typo, or a short name: `dates` for `mali-2012-dates`
            deck_id = resolve(deck_id, [d.id for d in decks])
            old = next(d for d in decks if d.id == deck_id)
            where = None if old.builtin else user_decks().installation(deck_id, decks)
        line = 1
        if card_id is not None:
            if old is None:
                fail(f"deck '{deck_id}' does not load, so its cards cannot be found; edit it without --card")
            card_id = resolve(card_id, [c.id for c in old.cards], kind="card")
            line = next(c for c in old.cards if c.id == card_id).line
        editor = Editor(edit_again_or_restore, paths().home / "backups")
        result = editor.edit_deck(deck_id, where.path if where else Path(old.path), old, line)
    from quizzer.model import plural

    if result.restored:
        say(f"Restored deck '{deck_id}' as it was.")
        raise typer.Exit(1)
    if not result.changed:
        say(f"No changes to deck '{deck_id}'.")
    elif result.changes is None:
        say(f"Deck '{deck_id}' loads again: {plural(len(result.deck.cards), 'card')}.")
    else:
        say(_updated(deck_id, result.changes) + ".")


def edit_again_or_restore(problems) -> str:
    """The problems of an edited deck, one line each, then the learner's choice: edit again or restore."""
    from quizzer.editing import EDIT, RESTORE

    for problem in problems:
        say(str(problem), err=True)
    while True:
        answer = typer.prompt("Edit again or restore the file as it was? [e/r]", default="e", show_default=False,
                              err=True).strip().lower()
        if answer in ("e", "edit", "r", "restore"):
            return EDIT if answer.startswith("e") else RESTORE


@app.command("show")
def show(
    deck_id: str = typer.Argument(..., metavar="DECK", help="The deck's id (see `quizzer decks`).", show_default=False,
                                  autocompletion=complete_deck),
    as_json: bool = typer.Option(False, "--json", help="Print the cards as JSON."),
) -> None:
    """Show a deck's cards in a table, each with its state (new, learning, review, relearning) and when it is due.

    Examples:
    $ quizzer decks show dates
    $ quizzer decks show mali-2012-dates --json
    """
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
        print_json(rows)
        return
    from quizzer.ui.screens import deck_table, show

    show(deck_table(deck, rows))


@app.command("remove")
def remove(
    deck_id: str = typer.Argument(..., metavar="DECK", help="The id of the deck to remove.", show_default=False,
                                  autocompletion=complete_deck),
    purge: bool = typer.Option(False, "--purge", help="Also delete the deck's progress (its answers and "
                               "schedule)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation (for scripts)."),
) -> None:
    """Remove one of your decks; its history stays (and shows in `quizzer history`).

    Asks first, in a terminal (--yes for scripts), and keeps a copy of the deck file in backups/
    in the data folder (see `quizzer paths`); `quizzer decks add` on that copy brings it back. A
    linked deck is only unregistered: its file stays where it is. With --purge the deck's answers
    and schedule are deleted too, in one transaction; with --purge a deck that is no longer
    installed can still have its leftover progress deleted.

    Examples:
    $ quizzer decks remove my-deck
    $ quizzer decks remove my-deck --purge --yes
    """
    from quizzer.model import plural
    from quizzer.library import deck_id_problem
    from quizzer.store.stats import decks_with_progress

    with user_errors():
        if deck_id_problem(deck_id):
            fail(deck_id_problem(deck_id))
        decks = library()
        folder = user_decks()
        with open_store() as store:
            if any(d.id == deck_id and d.builtin for d in decks):
                fail(f"'{deck_id}' is a built-in deck; it cannot be removed")
            yours = {d.id for d in decks if not d.builtin} | set(folder.links())
            yours |= {p.stem for p in folder.folder.glob("*.yaml")}  # a copy that no longer loads
            deck_id = resolve(deck_id, yours | (set(decks_with_progress(store)) if purge else set()))
            where = folder.installation(deck_id, decks)
            answers = store.answer_count(deck_id)
            counted = plural(answers, "answer")
            if where is None and not (purge and answers):
                fail(f"deck '{deck_id}' is not installed and has no progress to delete")
            deleting = [f"deck '{deck_id}' (a copy is kept in backups/)"] if where and not where.linked else []
            if purge:
                whose = "all its progress" if deleting else f"all progress of deck '{deck_id}'"
                deleting.append(f"{whose} ({counted}; this cannot be undone)")
            if deleting and not yes:
                if not stdin_is_terminal():
                    fail(f"`decks remove` asks before deleting {' and '.join(deleting)}; "
                         "run it in a terminal, or add --yes")
                typer.confirm(f"Delete {' and '.join(deleting)}?", abort=True)
            kept = _backup_deck(where) if where is not None and not where.linked else None
            if where is None:
                store.delete_deck_progress(deck_id)
            else:
                with folder.removing(where):
                    if purge:
                        store.delete_deck_progress(deck_id)
    if where is not None and where.linked:
        say(f"Unlinked deck '{deck_id}': {where.path} (the file stays where it is).")
    elif kept is not None:
        say(f"Removed deck '{deck_id}'; a copy is in {kept} (`quizzer decks add {kept}` restores it).")
    if purge:
        say(f"Deleted its progress: {counted}.")
    elif answers:
        say(f"Its history stays: {counted} (`quizzer history --deck {deck_id}`); "
            f"`quizzer decks remove {deck_id} --purge` deletes it.")


def _backup_deck(where) -> Path:
    """Copy an installed deck file into backups/ under a name of its own; nothing is removed if this fails."""
    from quizzer.config import paths
    from quizzer.library import write_atomically

    backups = paths().home / "backups"
    try:
        backups.mkdir(parents=True, exist_ok=True)
        data = where.path.read_bytes()
    except OSError as exc:
        fail(f"cannot keep a copy of {where.path} in {backups} ({exc.strerror}); nothing removed")
    target = unused_name(backups, f"deck-{where.deck_id}", ".yaml")
    write_atomically(target, data)
    return target


@app.command("import")
def import_deck(
    file: Path = typer.Argument(..., metavar="FILE", help="A CSV or TSV spreadsheet, an Anki text export (.txt) or an "
                                "Anki package (.apkg, .colpkg).", show_default=False),
    deck_id: Optional[str] = typer.Option(None, "--id", help="Install under this deck id (default: from the "
                                          "file, or the Anki deck's name)."),
    title: Optional[str] = typer.Option(None, "--title", help="The deck's title (default: the Anki deck's name, "
                                        "the file's name, or the installed deck's title when updating)."),
    skip_invalid: bool = typer.Option(False, "--skip-invalid", help="Install the good rows (or Anki notes) and "
                                      "list each row left out as FILE:LINE: why."),
    without_history: bool = typer.Option(False, "--without-history", help="From an Anki package, import the "
                                         "notes only: no reviews, nothing suspended or buried."),
) -> None:
    """Convert a spreadsheet or an Anki export into quizzer decks and install them (one per Anki deck).

    Importing an updated file again updates the deck: cards whose ids stay (a spreadsheet's id
    column, an Anki note's guid) keep their progress. docs/decks.md lists the columns and what
    becomes of each Anki note type. Every problem of the file is listed, and nothing is installed
    if there is one, unless --skip-invalid leaves out the rows that have them.

    An Anki package exported with its scheduling brings its review history: each answer joins your
    log (importing a later export adds only the answers not yet here), every card's schedule is
    rebuilt by replaying its answers, and suspended and buried cards stay so. A damaged history
    row is listed as FILE: revlog id N: why and left out.

    Examples:
    $ quizzer decks import words.csv --id spanish-words
    $ quizzer decks import collection.apkg
    """
    from dataclasses import replace

    from quizzer.decks import deck_yaml
    from quizzer.formats import convert, detect
    from quizzer.model import plural
    from quizzer.library import deck_id_problem
    from quizzer.model import next_study_day

    with user_errors():
        if deck_id is not None and deck_id_problem(deck_id):
            fail(deck_id_problem(deck_id))
        if title is not None and not title.strip():
            fail("--title is empty")
        moment = None if without_history or detect(file) != "anki-package" else now()
        bury_until = moment and next_study_day(moment, settings().day_starts_at)
        with showing(f"Reading {file.name}…"):
            converted = convert(file, deck_id=deck_id, title=title and title.strip(), skip_invalid=skip_invalid,
                                now=moment, bury_until=bury_until)
        history = converted.history
        for problem in converted.warnings + converted.skipped + (history.problems if history else []):
            say(str(problem), err=True)
        if converted.skipped:
            say(f"Left out the rows above ({plural(len(converted.skipped), 'problem')}); installing the rest.", err=True)
        folder = user_decks()
        current, _ = folder.load()
        for deck in converted.decks:
            folder.check_new(deck, file, current)

        installed = []

        def install(report=installed.append) -> None:
            for deck in converted.decks:
                old = next((d for d in current if d.id == deck.id), None)
                if old is not None:  # an update keeps what the user set on the deck
                    deck = replace(deck, title=title or old.title, description=old.description, tags=old.tags,
                                   source=old.source)
                else:
                    deck = replace(deck, source={"imported from": file.name})
                report(folder.install_copy(deck, deck_yaml(deck), current, source=file))

        if history is None:
            install(_report)
            return
        # The answers, the rebuilt states and the deck files are saved together: a failure saves none.
        saving = f"Saving {plural(len(history.answers), 'review')} and rebuilding schedules…"
        with open_store() as store, showing(saving):
            added, events = store.import_answers(history.answers, history.events, replay(), then=install)
            states = store.states(d.id for d in converted.decks)
    for done in installed:  # said once the status line is gone
        _report(done)
    _report_history(history, added, events, states)


def _report_history(history, added: int, events: int, states) -> None:
    """What came from an Anki package's review log, what was left out, and how far the schedules differ."""
    from datetime import timedelta

    from quizzer.model import plural
    from quizzer.model import EventKind

    left_out = [plural(n, noun) + after for n, noun, after in (
        (history.not_answers, "manual or rescheduling row", ""),
        (history.not_rescheduled, "filtered-deck review", " that did not reschedule"),
        (history.unplaced, "review", " of cards not imported (above)"),
        (len(history.problems), "damaged row", " (above)")) if n]
    if not history.answers and not left_out:
        say("The package holds no review history; to bring it, export from Anki with \"Include scheduling "
            "information\" ticked.")
    else:
        cards = len({(review.deck, review.card) for review, _, _ in history.answers})
        known = len(history.answers) - added
        say(f"Imported {plural(added, 'review')} of {plural(cards, 'card')} from Anki"
            + (f" ({known:,} already here)" if known else "") + "; "
            + ("left out " + ", ".join(left_out) if left_out else "nothing left out") + ".")
    kinds = [e.kind for e in history.events]
    arrived = [f"{kinds.count(kind):,} {word}" for kind, word in ((EventKind.SUSPEND, "suspended"),
                                                                  (EventKind.BURY, "buried")) if kind in kinds]
    if arrived:
        say(f"Cards as in Anki: {' and '.join(arrived)} ({plural(events, 'new event')}).")
    compared = [(states[key].due, due) for key, due in history.anki_due.items() if key in states]
    if compared:
        apart = sum(abs(ours - theirs) > timedelta(days=1) for ours, theirs in compared)
        say(f"{apart:,} of {plural(len(compared), 'card')} are due more than a day away from Anki's date "
            "(quizzer replays the answers with its own FSRS parameters and steps: docs/decks.md).")
    for name, parameters in history.parameters.items():
        values = ", ".join(f"{p:.4f}" for p in parameters)
        say(f"Anki's deck options '{name}' hold FSRS parameters ({len(parameters)}): [{values}]. quizzer keeps "
            "its own; to adopt these, put `parameters = [...]` with them in config.toml, or fit yours with "
            "`quizzer optimize`.")


@app.command("export")
def export(
    deck_id: str = typer.Argument(..., metavar="DECK", help="The deck to export.", show_default=False,
                                  autocompletion=complete_deck),
    form: Optional[str] = typer.Option(None, "--format", help="yaml, csv, anki-txt or apkg (default: from the "
                                       "output file's suffix, else yaml)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file (default: print it; "
                                          "an apkg goes to DECK.apkg)."),
    with_history: bool = typer.Option(False, "--with-history", help="apkg: include your answers and each card's "
                                      "schedule, suspended and buried cards too."),
) -> None:
    """Write a deck as YAML, CSV, Anki's text format or an Anki package (.apkg).

    anki-txt has a guid column, so importing the file into Anki twice updates notes instead of
    duplicating them, and `quizzer decks import` brings it back to the same cards and progress.
    An .apkg is written by Anki's own library (`pip install 'quizzer\\[anki]'`); with --with-history
    Anki shows your answers in its card info and schedules each card from its state here.

    Examples:
    $ quizzer decks export dates --format anki-txt
    $ quizzer decks export dates --format apkg --with-history -o dates.apkg
    """
    from quizzer.formats import EXPORT_FORMATS, export_text
    from quizzer.library import write_atomically
    from quizzer.model import plural

    suffixes = {".csv": "csv", ".tsv": "csv", ".txt": "anki-txt", ".apkg": "apkg"}
    form = form or (suffixes.get(output.suffix.lower(), "yaml") if output else "yaml")
    with user_errors():
        if form not in (*EXPORT_FORMATS, "apkg"):
            fail(f"unknown format '{form}' (one of {', '.join(EXPORT_FORMATS)}, apkg)")
        if with_history and form != "apkg":
            fail("--with-history is for --format apkg: the other formats hold cards, not progress")
        deck = _known_deck(deck_id, library())
        if form == "apkg":
            output = output or Path(f"{deck.id}.apkg")
        if output is not None and output.is_dir():
            fail(f"{output} is a folder; give a file name")
        if form == "apkg":
            data = _apkg(deck, with_history)
        else:
            text = export_text(deck, form)
            if output is None:
                data_out().write(text)
                return
            data = text.encode("utf-8")
        write_atomically(output, data)
    say(f"Wrote deck '{deck.id}' ({plural(len(deck.cards), 'card')}, {form}) to {output}.", err=True)


def _apkg(deck, with_history: bool) -> bytes:
    """The deck as an Anki package, with each card's answers, state and flags when `with_history`."""
    from quizzer.formats.anki_export import AnkiMissing, Answer, CardHistory, write_apkg
    from quizzer.model import Phase, Rating
    from quizzer.store import parse_time

    history = None
    if with_history:
        with open_store() as store:
            answers: dict[str, list] = {}
            for row in store.iter_reviews(deck=deck.id):  # newest first: reversed below
                if not row["reschedules"]:  # a quiz answer that left the schedule alone: Anki would replay it
                    continue
                answers.setdefault(row["card"], []).append(Answer(
                    parse_time(row["reviewed_at"]), Rating(row["rating"]), row["duration_ms"], Phase(row["phase"]),
                    parse_time(row["next_due"])))
            states, flags, moment = store.states([deck.id]), store.flags(), now()
        history = {}
        for card in deck.cards:
            flag = flags.get((deck.id, card.id))
            history[card.id] = CardHistory(answers.get(card.id, [])[::-1], states.get((deck.id, card.id)),
                                           bool(flag and flag.suspended),
                                           bool(flag and flag.buried_until and flag.buried_until > moment))
    try:
        return write_apkg(deck, history)
    except AnkiMissing as exc:
        fail(str(exc))


def _known_deck(deck_id: str, decks):
    known = {d.id: d for d in decks}
    return known[resolve(deck_id, known)]


def _report(result) -> None:
    from quizzer.model import plural

    deck = result.deck
    verb = "Linked" if result.linked else "Installed"
    if result.changes is None:
        say(f"{verb} deck '{deck.id}' ({plural(len(deck.cards), 'card')}): {result.path}")
        return
    say(f"{_updated(deck.id, result.changes)} ({result.path})")


def _updated(deck_id: str, changes) -> str:
    from quizzer.model import plural

    kept = plural(changes.changed + changes.unchanged, "card")
    return f"Updated deck '{deck_id}': {changes}; progress kept for {kept}"


def show_paths() -> None:
    """Show where quizzer keeps progress, your decks and settings (set QUIZZER_HOME to move them).

    Examples:
    $ quizzer paths
    """
    from quizzer.config import paths
    from quizzer.decks import builtin_deck_dir

    where = paths()
    for label, path in (("home", where.home), ("database", where.database), ("decks", where.decks),
                        ("config", where.config), ("built-in decks", builtin_deck_dir())):
        say(f"{label + ':':16}{path}")
