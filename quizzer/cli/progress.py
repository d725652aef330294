"""`quizzer backup`, `quizzer progress export/import` and `quizzer doctor`: keeping progress safe."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from quizzer.cli.common import fail, library, open_store, settings, user_errors

app = typer.Typer(help="Move your progress between machines as a file of answers (JSON Lines).")

EXIT_PROBLEMS_FOUND = 1


def _replay():
    """Rebuild one card's state from its log with the learner's own FSRS settings."""
    from quizzer.scheduler import Scheduler

    scheduler = Scheduler(desired_retention=settings().desired_retention)
    return lambda log: scheduler.replay(log, log[0][2])


def _stamp() -> str:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")


def _unused_name(folder: Path, suffix: str = "") -> Path:
    """`quizzer-STAMP{suffix}.db` in `folder`, numbered if a backup was already made this second."""
    import itertools

    stamp = _stamp()
    for number in itertools.count(1):
        candidate = folder / f"quizzer-{stamp}{'' if number == 1 else f'-{number}'}{suffix}.db"
        if not candidate.exists():
            return candidate


def backup(
    path: Optional[Path] = typer.Argument(
        None, help="File (or existing folder) to write; default: backups/ in the data folder.", show_default=False
    ),
) -> None:
    """Copy the progress database to PATH, consistently, even while you study in another terminal.

    An existing file is never overwritten. Restore by copying the backup over quizzer.db while
    quizzer is not running.
    """
    with user_errors(), open_store() as store:
        if path is None:
            (store.path.parent / "backups").mkdir(exist_ok=True)
            target = _unused_name(store.path.parent / "backups")
        elif path.is_dir():
            target = _unused_name(path)
        elif path.exists():
            fail(f"{path} already exists; choose another name (a backup never overwrites a file)")
        elif not path.parent.is_dir():
            fail(f"{path.parent} is not a folder")
        else:
            target = path
        store.backup(target)
    typer.echo(f"Backed up {store.path} to {target}")


@app.command("export")
def export(
    file: Path = typer.Argument(..., help="JSON Lines file to write, or - for standard output.", show_default=False),
) -> None:
    """Write every answer so far to FILE, one JSON object per line, oldest first.

    The keys are those of `quizzer history --reviews --json`. Import the file on another machine
    with `quizzer progress import FILE`.
    """
    import sys

    from quizzer.store.sync import atomic_file, export_reviews

    with user_errors(), open_store() as store:
        if str(file) == "-":
            export_reviews(store, sys.stdout)
            return
        if file.is_dir():
            fail(f"{file} is a folder; give a file name")
        try:
            with atomic_file(file) as out:
                count = export_reviews(store, out)
        except OSError as exc:
            fail(f"cannot write {file}: {exc.strerror or exc}")
    typer.echo(f"Exported {count} answers to {file}")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., help="JSON Lines file from `quizzer progress export`, or - for standard input.",
                                show_default=False),
) -> None:
    """Merge the answers in FILE into your progress; importing the same file twice changes nothing.

    Answers are matched by review id. Every card that gained answers gets its schedule rebuilt by
    replaying all of its answers in time order, so two machines that swap files agree. A bad line
    stops the import with FILE:LINE and nothing is saved.
    """
    import sys

    from quizzer.store.sync import ProgressFileError, bounded_lines, import_reviews

    with user_errors(), open_store() as store:
        try:
            if str(file) == "-":
                result = import_reviews(store, bounded_lines(sys.stdin, "<stdin>"), "<stdin>", _replay())
            else:
                with file.open(encoding="utf-8") as lines:
                    result = import_reviews(store, bounded_lines(lines, str(file)), str(file), _replay())
        except ProgressFileError as exc:
            fail(f"{exc}; nothing was imported")
        except UnicodeDecodeError:
            fail(f"{file}: not UTF-8 text; nothing was imported")
        except OSError as exc:
            fail(f"cannot read {file}: {exc.strerror or exc}")
    known = result.read - result.added
    typer.echo(
        f"Imported {result.added} new answers from {file} ({known} already here); "
        f"rebuilt the schedule of {result.cards} cards."
    )


def doctor(
    fix: bool = typer.Option(False, "--fix", help="Rebuild card states from the review log (after a backup)."),
) -> None:
    """Check the progress database; --fix rebuilds card states from the answers.

    Looks at integrity, progress on cards no longer in any deck, and card states that disagree
    with a replay of their answers.

    Exits 1 when states disagree (and --fix was not given), 2 when the file is damaged: --fix never
    touches a damaged file. Orphaned progress is only reported: it is kept, so a deck put back later
    finds its history.
    """
    from quizzer.store.sync import check

    with user_errors():
        installed = {(deck.id, card.id) for deck in library() for card in deck.cards}
        replay = _replay()
        with open_store() as store:
            found = check(store, installed, replay)
            _report(found)
            if found.integrity:
                fail(f"{store.path} is damaged; move it aside and restore a copy from "
                     f"{store.path.parent / 'backups'} (quizzer has not changed it)")
            if found.disagreeing and fix:
                (store.path.parent / "backups").mkdir(exist_ok=True)
                copy = _unused_name(store.path.parent / "backups", "-before-doctor-fix")
                store.backup(copy)
                rebuilt = store.rebuild_states(replay)
                typer.echo(f"Fixed: rebuilt the state of {rebuilt} cards from their answers (backup: {copy}).")
                return
    if not found.healthy:
        typer.echo("Run `quizzer doctor --fix` to rebuild them from the review log.")
        raise typer.Exit(EXIT_PROBLEMS_FOUND)


def _report(found) -> None:
    from quizzer.ui.text import literal  # deck and card ids may come from an imported file

    typer.echo("integrity: " + ("ok" if not found.integrity else "FAILED"))
    for line in found.integrity[:20]:
        typer.echo(f"  {line}")
    if found.integrity:
        return
    if found.orphaned:
        cards = sum(found.orphaned.values())
        typer.echo(f"orphaned progress: {cards} cards no longer in any deck (kept, and shown again if the deck "
                   "comes back):")
        for deck, count in sorted(found.orphaned.items()):
            typer.echo(f"  {literal(deck)}: {count} cards")
    else:
        typer.echo("orphaned progress: none")
    if found.disagreeing:
        typer.echo(f"card states: {len(found.disagreeing)} of {found.cards} disagree with a replay of their answers:")
        for deck, card in found.disagreeing[:20]:
            typer.echo(f"  {literal(deck)}/{literal(card)}")
        if len(found.disagreeing) > 20:
            typer.echo(f"  … and {len(found.disagreeing) - 20} more")
    else:
        typer.echo(f"card states: all {found.cards} agree with a replay of their answers")
