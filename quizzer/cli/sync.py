"""`quizzer sync`: study on several machines through a folder a sync tool keeps in step; and the pull and
push around `study` and `quiz`."""

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Optional

import typer

from quizzer.cli.common import fail, now, open_store, print_json, progress_line, replay, say, user_errors, warn


def sync(
    folder: Optional[Path] = typer.Argument(
        None, metavar="DIR", show_default=False,
        help="Folder kept in step between your machines (Syncthing, Dropbox, a git repository); "
             "remembered, then synced now.",
    ),
    show: bool = typer.Option(False, "--status", help="Show this device, the others seen and what each added."),
    off: bool = typer.Option(False, "--off", help="Stop syncing on this device (the files in the folder stay)."),
    as_json: bool = typer.Option(False, "--json", help="With --status: print it as JSON."),
) -> None:
    """Sync your progress with your other machines through a folder, with no server.

    Each machine writes only its own files under DIR/devices/, so the sync tool never sees a
    conflict; each reads the others' and merges them like `progress import`. Run it once per
    machine; after that `study` and `quiz` pull before choosing cards and push when they end.
    Without DIR, syncs now through the folder remembered; --status shows what each device
    added, --off stops. Decks are not synced: keep your own in the folder and
    `quizzer decks add --link` them on each machine.

    Examples:
    $ quizzer sync ~/Sync/quizzer
    $ quizzer sync --status
    """
    from quizzer import sync as folder_sync
    from quizzer.config import paths

    home = paths().home
    if sum((folder is not None, show, off)) > 1:
        fail("give DIR, --status or --off, one at a time")
    if as_json and not show:
        fail("--json goes with --status")
    with user_errors():
        try:
            if off:
                folder_sync.disable(home)
                say("This device no longer syncs; the files in the sync folder stay.")
                return
            if show:
                _show(folder_sync.status(home), as_json)
                return
            if folder is not None:
                folder_sync.enable(home, folder)
            with open_store() as store, progress_line() as progress:
                result = folder_sync.sync(store, home, replay(), now(), progress)
        except folder_sync.SyncError as exc:
            fail(str(exc))
    if result is None:
        fail("this device does not sync; start with `quizzer sync DIR`")
    say(f"Synced through {folder_sync.folder(home)}: pushed {result.pushed:,} lines, "
        f"pulled {result.pulled:,} new answers and events.")
    _report(result.problems)


def _report(problems) -> None:
    for problem in problems[:3]:
        warn(f"skipped {problem}")
    if len(problems) > 3:
        warn(f"skipped {len(problems) - 3} more lines; see `quizzer sync --status`")


def _show(status, as_json: bool) -> None:
    from dataclasses import asdict

    if as_json:
        print_json(asdict(status))
        return
    # Short lines, one fact each: a device id alone takes 32 of a 60-column terminal.
    say(f"This device  {status.device}")
    say(f"Folder       {status.folder or '(not syncing)'}")
    say(f"Last push    {_when(status.pushed_at)}")
    say(f"Last pull    {_when(status.pulled_at)} (that brought lines)")
    for device in status.devices:
        say(f"Device       {device.device}")
        say(f"  {device.lines:,} line{'s' * (device.lines != 1)} read, the latest from {_when(device.last)}")
        say(f"  last brought something {_when(device.pulled_at)}")
    if status.problem_count:
        say(f"Lines skipped: {status.problem_count:,}, the last {len(status.problems)}:")
        for problem in status.problems:
            say(f"  {problem}")


def _when(stamp: str | None) -> str:
    from quizzer.ui.text import local_time

    return local_time(stamp) if stamp else "never"


@contextlib.contextmanager
def synced(store, config) -> Iterator[None]:
    """Around a study session or a quiz: pull (pushing first what an earlier run left) before the cards are
    chosen, push once it ends, also when it ends early. The push is one append at the end rather than one
    per answer: the answers are already safe in the database, and a sync tool copies a file once, not once
    per answer; a crash before the push is made good by the next run. A folder that cannot be used is one
    warning line and the session goes on with the local progress."""
    from quizzer import sync as folder_sync
    from quizzer.config import paths

    home = paths().home
    try:
        with progress_line() as progress:
            result = folder_sync.sync(store, home, replay(config), now(), progress)
    except folder_sync.SyncError as exc:
        warn(f"{exc}; studying with this device's progress only")
        result = None
    if result is not None:
        _report(result.problems)
    try:
        yield
    finally:
        if result is not None:
            with contextlib.suppress(folder_sync.SyncError):
                folder_sync.push(store, home, now())
