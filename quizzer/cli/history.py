"""`quizzer history`."""

from datetime import date
from typing import Optional

import typer

from quizzer.cli.common import data_out, fail, library, now, open_store, print_json, say, settings, user_errors
from quizzer.cli.resolve import complete_deck, resolve

SCREEN_SESSIONS = 20  # rows on screen when no --limit is given; JSON and CSV give every row
SCREEN_ANSWERS = 50
FIRST_DAY = date(1970, 1, 1)


def history(
    reviews: bool = typer.Option(False, "--reviews", help="List individual answers instead of sessions."),
    deck: Optional[str] = typer.Option(None, "--deck", metavar="DECK", help="Only answers to this deck.",
                                       autocompletion=complete_deck),
    since: Optional[str] = typer.Option(
        None, "--since", metavar="DATE", help="Only answers from this study day on (YYYY-MM-DD; days start at 04:00)."
    ),
    limit: Optional[int] = typer.Option(
        None, "--limit", min=1,
        help=f"At most this many rows, newest first (on screen {SCREEN_SESSIONS} sessions or {SCREEN_ANSWERS} "
             "answers unless given; JSON and CSV give all).",
    ),
    voided: bool = typer.Option(False, "--voided", help="With --reviews: undone answers too, marked voided."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only (keys in docs/stats.md)."),
    as_csv: bool = typer.Option(False, "--csv", help="Print CSV only, with a header row."),
) -> None:
    """Your score history, newest first: one row per session with a total line, or every answer with --reviews.

    A session row: when it started, time spent answering, the decks, cards, answers to new cards and
    to cards in review, right, wrong and accuracy.

    Examples:
    $ quizzer history
    $ quizzer history --reviews --deck dates --limit 20
    """
    from quizzer.stats import ReviewEntry, ReviewHistory, SessionRow, review_history, session_history
    from quizzer.store.stats import decks_with_progress

    if as_json and as_csv:
        fail("choose one of --json and --csv")
    if voided and not reviews:
        fail("--voided lists answers: use it with --reviews")
    on_screen = not (as_json or as_csv)
    if limit is None and on_screen:
        limit = SCREEN_ANSWERS if reviews else SCREEN_SESSIONS
    with user_errors():
        start = since_day_start(since) if since is not None else None
        decks = library() if reviews or deck is not None else []
        with open_store() as store:
            if deck is not None:
                deck = resolve(deck, {d.id for d in decks} | set(decks_with_progress(store)))
            if reviews:
                found = review_history(store, decks, deck=deck, since=start, limit=limit, voided=voided)
                records = (row.to_dict() for row in found.rows)
                if on_screen:  # the answers shown, at most the limit
                    found = ReviewHistory(list(found.rows), found.total)
            else:
                found = session_history(store, deck=deck, since=start, limit=limit)
                records = (row.to_dict() for row in found.rows)
            # Printed while the store is open: answers are read from it as they are written out.
            if as_json:
                print_json(records if reviews else {"sessions": records, "total": found.total.to_dict()})
            elif as_csv:
                print_csv(records, (ReviewEntry if reviews else SessionRow).CSV_KEYS + (("voided",) if voided else ()))
    if on_screen:
        from quizzer.ui.screens import show
        from quizzer.ui.stats import EMPTY_HISTORY, review_table, session_table

        if not found.rows:
            say(EMPTY_HISTORY if deck is None and since is None else "No answers match.")
        else:
            show(review_table(found) if reviews else session_table(found))


def since_day_start(text: str):
    """The start of the study day DATE names, in local time."""
    from quizzer.stats import StudyDays

    try:
        day = date.fromisoformat(text)
    except ValueError:
        fail(f"--since: '{text}' is not a date like 2026-03-02")
    if day < FIRST_DAY:  # the day before 0001-01-01 cannot be computed; no answer is older than 1970
        fail(f"--since: {day} is before {FIRST_DAY}; give a later date (or leave --since out for every answer)")
    return StudyDays(now(), settings().day_starts_at).start_of(day)


def print_csv(records, keys: tuple[str, ...]) -> None:
    """One header row (`keys`, JSON keys of the records), then a row per record with those keys; lists
    become space-separated. No cell is a formula to a spreadsheet (see `spreadsheet_cell`)."""
    import csv

    from quizzer.formats.table import spreadsheet_cell

    writer = csv.DictWriter(data_out(), fieldnames=keys, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()

    def cell(value) -> str:
        return spreadsheet_cell(" ".join(value) if isinstance(value, list) else "" if value is None else str(value))

    for record in records:
        writer.writerow({key: cell(value) for key, value in record.items()})
