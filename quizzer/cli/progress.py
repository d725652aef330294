"""`quizzer backup`, `quizzer progress export/import` and `quizzer doctor`: keeping progress safe."""

from pathlib import Path
from typing import Optional

import typer

from quizzer.cli.common import (Typer, fail, json_out, library, now, open_store, progress_line, replay, say,
                                 settings, showing, unused_name, user_errors, warn)

app = Typer(help="Move your progress between machines as a file of answers (JSON Lines).\n\n"
                 "Examples:\n$ quizzer progress export answers.jsonl\n$ quizzer progress import answers.jsonl")

EXIT_PROBLEMS_FOUND = 1
EXIT_INTERRUPTED = 130  # as a shell reports a program Ctrl-C stopped (128 + SIGINT)


def backup(
    path: Optional[Path] = typer.Argument(
        None, metavar="PATH", help="File (or existing folder) to write; default: backups/ in the data folder.",
        show_default=False,
    ),
) -> None:
    """Copy the progress database to PATH, consistently, even while you study in another terminal.

    An existing file is never overwritten. Restore by copying the backup over quizzer.db while
    quizzer is not running.

    Examples:
    $ quizzer backup
    $ quizzer backup ~/quizzer-backups/
    """
    with user_errors(), open_store() as store:
        if path is None:
            (store.path.parent / "backups").mkdir(exist_ok=True)
            target = unused_name(store.path.parent / "backups", "quizzer", ".db")
        elif path.is_dir():
            target = unused_name(path, "quizzer", ".db")
        elif path.exists():
            fail(f"{path} already exists; choose another name (a backup never overwrites a file)")
        elif not path.parent.is_dir():
            fail(f"{path.parent} is not a folder")
        else:
            target = path
        with showing("Backing up the database…"):
            store.backup(target)
    say(f"Backed up {store.path} to {target}")


@app.command("export")
def export(
    file: Path = typer.Argument(..., metavar="FILE", help="JSON Lines file to write, or - for standard output.",
                                show_default=False),
) -> None:
    """Write every answer so far to FILE, one JSON object per line, oldest first, then every undo,
    suspension, bury and accepted answer (lines with an `event` key; see docs/events.md).

    The answers' keys are those of `quizzer history --reviews --json`. Import the file on another
    machine with `quizzer progress import FILE`.

    Examples:
    $ quizzer progress export answers.jsonl
    """
    from quizzer.model import plural
    from quizzer.store.sync import atomic_file, export_reviews

    with user_errors(), open_store() as store:
        if str(file) == "-":
            with progress_line() as progress:
                export_reviews(store, json_out(), progress)
            return
        if file.is_dir():
            fail(f"{file} is a folder; give a file name")
        try:
            with atomic_file(file) as out, progress_line() as progress:
                count, events = export_reviews(store, out, progress)
        except OSError as exc:
            fail(f"cannot write {file}: {exc.strerror or exc}")
    say(f"Exported {plural(count, 'answer')} and {plural(events, 'event')} to {file}")


@app.command("import")
def import_(
    file: Path = typer.Argument(..., metavar="FILE", show_default=False,
                                help="JSON Lines file from `quizzer progress export`, or - for standard input."),
) -> None:
    """Merge the answers and events in FILE into your progress; importing the same file twice changes nothing.

    Answers are matched by review id, events (undo, suspend, bury, accept) by event id. Every card that gained answers gets its schedule rebuilt by
    replaying all of its answers in time order, so two machines that swap files agree. A bad line
    stops the import with FILE:LINE and nothing is saved. An answer whose id is already here with
    other contents is a conflict: the one here is kept, and the conflicts are counted.

    A large file is merged in transactions of about a second, so you can study in another terminal
    meanwhile; if the import is interrupted, run it again to add the rest. A file that at least
    doubles your log (100,000 new answers or more, as on a new machine) is merged in one
    transaction, several times faster: studying meanwhile waits until it ends.

    Examples:
    $ quizzer progress import answers.jsonl
    """
    import sys

    from quizzer.model import plural
    from quizzer.store.sync import ProgressFileError, bounded_lines, import_reviews

    at = now()  # the window of times an answer may carry moves with it
    with user_errors(), open_store() as store:
        try:
            if str(file) == "-":
                with progress_line() as progress:
                    result = import_reviews(store, bounded_lines(sys.stdin, "<stdin>"), "<stdin>", replay(), now=at,
                                            read_ahead=True, progress=progress)
            else:
                with file.open(encoding="utf-8") as lines, progress_line() as progress:
                    result = import_reviews(store, bounded_lines(lines, str(file)), str(file), replay(), now=at,
                                            read_ahead=True, progress=progress)
        except ProgressFileError as exc:
            fail(f"{exc}; nothing was imported")
        except UnicodeDecodeError:
            fail(f"{file}: not UTF-8 text; nothing was imported")
        except OSError as exc:
            fail(f"cannot read {file}: {exc.strerror or exc}")
        except KeyboardInterrupt:
            # Merged in turns, a large import keeps what it merged; ids make importing again add only the rest.
            warn("interrupted; answers already merged are kept, and importing the file again adds the rest")
            raise typer.Exit(EXIT_INTERRUPTED) from None
    conflicts = result.conflicts
    known = result.read - result.added - conflicts.count
    say(
        f"Imported {plural(result.added, 'new answer')} from {file} ({known:,} already here) and "
        f"{plural(result.events_added, 'new event')}; rebuilt the schedule of {plural(result.cards, 'card')}."
    )
    if result.event_conflicts.count:
        warn(f"{result.event_conflicts.count} events conflict: the event id of one already here or earlier in the "
             f"file, with other contents (first at {result.event_conflicts.first}); kept the first of each")
    if conflicts.count:
        warn(f"{conflicts.count} answers conflict: the review id of one already here or earlier in the file, "
             f"with other contents (first at {conflicts.first}); kept the first of each")


def doctor(
    fix: bool = typer.Option(False, "--fix",
                             help="Rebuild card states and sums from the review log (after a backup)."),
) -> None:
    """Check the progress database; --fix rebuilds card states and sums from the answers.

    Looks at integrity, progress on cards no longer in any deck, card states that disagree with a
    replay of their answers, and the sums of answers kept for `stats` and `history` that disagree
    with the log. The replay uses your settings: desired retention and the FSRS parameters in
    config.toml (`quizzer optimize`), so states scheduled with others disagree.

    Exits 1 when states disagree (and --fix was not given), 2 when the file is damaged: --fix never
    touches a damaged file. Orphaned progress is only reported: it is kept, so a deck put back later
    finds its history.

    Examples:
    $ quizzer doctor
    $ quizzer doctor --fix
    """
    from quizzer.model import plural
    from quizzer.store.sync import check

    with user_errors():
        installed = {(deck.id, card.id) for deck in library() for card in deck.cards}
        config = settings()
        rebuild_with = replay(config)
        with open_store() as store:
            with progress_line() as progress:
                found = check(store, installed, rebuild_with, progress)
            _report(found, fitted=config.parameters is not None)
            if found.integrity:
                fail(f"{store.path} is damaged; move it aside and restore a copy from "
                     f"{store.path.parent / 'backups'} (quizzer has not changed it)")
            with showing("Comparing the sums of answers with the log…"):
                sums = store.sums_disagreeing()
            if sums:
                table, key = sums[0]
                shown = " ".join("(none)" if isinstance(part, bytes) else str(part) for part in key)
                say(f"sums of answers: {len(sums)} {'row differs' if len(sums) == 1 else 'rows differ'} from the "
                    f"review log (first: {table} {shown})")
            else:
                say("sums of answers: all agree with the review log")
            if (found.disagreeing or sums) and fix:
                (store.path.parent / "backups").mkdir(exist_ok=True)
                copy = unused_name(store.path.parent / "backups", "quizzer", "-before-doctor-fix.db")
                with showing("Backing up the database…"):
                    store.backup(copy)
                done = []
                if found.disagreeing:
                    with showing("Rebuilding every card's state from its answers…"):
                        rebuilt = store.rebuild_states(rebuild_with)
                    done.append(f"rebuilt the state of {plural(rebuilt, 'card')} from their answers")
                if sums:
                    with showing("Refilling the sums of answers…"):
                        store.refill_sums()
                    done.append("refilled the sums of answers")
                say(f"Fixed: {' and '.join(done)} (backup: {copy}).")
                return
    if not found.healthy or sums:
        say("Run `quizzer doctor --fix` to rebuild them from the review log.")
        raise typer.Exit(EXIT_PROBLEMS_FOUND)


def _report(found, *, fitted: bool) -> None:
    from quizzer.model import plural

    say("integrity: " + ("ok" if not found.integrity else "FAILED"))
    for line in found.integrity[:20]:
        say(f"  {line}")
    if found.integrity:
        return
    if found.orphaned:
        cards = sum(found.orphaned.values())
        say(f"orphaned progress: {plural(cards, 'card')} no longer in any deck (kept, and shown again if the deck "
            "comes back):")
        for deck, count in sorted(found.orphaned.items()):
            say(f"  {deck}: {plural(count, 'card')}")
    else:
        say("orphaned progress: none")
    if found.disagreeing:
        say(f"card states: {len(found.disagreeing):,} of {found.cards:,} disagree with a replay of their answers "
            f"({_parameters(fitted)}):")
        for deck, card in found.disagreeing[:20]:
            say(f"  {deck}/{card}")
        if len(found.disagreeing) > 20:
            say(f"  … and {len(found.disagreeing) - 20:,} more")
    else:
        say(f"card states: all {found.cards:,} agree with a replay of their answers ({_parameters(fitted)})")


def _parameters(fitted: bool) -> str:
    return "with the FSRS parameters fitted by `quizzer optimize`" if fitted else "with FSRS's default parameters"
