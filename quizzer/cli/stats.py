"""`quizzer stats`, `quizzer cards` and `quizzer card`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from typing import Optional

import typer

from quizzer.cli.common import fail, library, now, open_store, parse_moment, settings, user_errors

NOW_HELP = "Compute as of this UTC ISO time instead of now (tests)."


def now_or(value: Optional[str]):
    """The current UTC time, or `value` (an ISO time) for tests."""
    return now() if value is None else parse_moment(value, "--now")


@contextlib.contextmanager
def _progress(*, fuzz: bool = True):
    """Settings, decks, store and scheduler for one of these commands; a StatsError exits 2."""
    from quizzer.scheduler import Scheduler
    from quizzer.stats import StatsError

    with user_errors():
        config = settings()
        decks = library()
        with open_store() as store:
            try:
                yield config, decks, store, Scheduler(desired_retention=config.desired_retention, fuzz=fuzz)
            except StatsError as exc:
                fail(str(exc))


def print_json(data) -> None:
    """`data` as JSON on stdout, laid out as json.dumps(indent=2) would. Lists and generators, at the
    top or as values of a top-level dict, are written item by item: a long one never becomes one
    huge string."""
    import json
    import sys

    out = sys.stdout

    def dumps(value, level: int) -> str:
        return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * level)

    def stream(items, level: int) -> None:
        out.write("[")
        separator = "\n" + "  " * (level + 1)
        wrote = False
        for item in items:
            out.write(("," if wrote else "") + separator + dumps(item, level + 1))
            wrote = True
        out.write("\n" + "  " * level + "]" if wrote else "]")

    if isinstance(data, dict):
        out.write("{")
        for index, (key, value) in enumerate(data.items()):
            out.write(("," if index else "") + "\n  " + json.dumps(key) + ": ")
            if isinstance(value, dict) or not isinstance(value, Iterable) or isinstance(value, str):
                out.write(dumps(value, 1))
            else:
                stream(value, 1)
        out.write("\n}\n" if data else "}\n")
    else:
        stream(data, 0)
        out.write("\n")


def show(renderable) -> None:
    from rich.console import Console

    Console(highlight=False).print(renderable)


def stats(
    deck_ids: Optional[list[str]] = typer.Argument(None, metavar="[DECK]...", help="Decks to count; all if none."),
    tag: Optional[str] = typer.Option(None, "--tag", help="Only cards with this tag (on the card or its deck)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only (keys in docs/stats.md)."),
    now: Optional[str] = typer.Option(None, "--now", hidden=True, help=NOW_HELP),
) -> None:
    """How am I doing? One screen of statistics.

    Cards by state, accuracy and true retention, mastery per tag, the cards due in the next 14
    days, a 16-week review calendar, streaks, the hardest cards and leeches.
    """
    from quizzer.stats import compute_stats

    moment = now_or(now)
    with _progress() as (config, decks, store, scheduler):
        result = compute_stats(
            store, scheduler, decks, decks=deck_ids or (), tag=tag, now=moment, day_starts_at=config.day_starts_at,
        )
    if as_json:
        print_json(result.to_dict())
        return
    from quizzer.ui.stats import EMPTY_HISTORY, stats_view

    if result.empty:
        typer.echo(EMPTY_HISTORY)
        return
    from rich.console import Console

    console = Console(highlight=False)
    console.print(stats_view(result, console.width))


def cards(
    deck: Optional[str] = typer.Argument(None, metavar="[DECK]", help="Only this deck; all decks if none."),
    due: bool = typer.Option(False, "--due", help="Only cards due today (overdue included), soonest first."),
    leeches: bool = typer.Option(False, "--leeches", help="Only leeches: cards with 8 or more lapses."),
    tag: Optional[str] = typer.Option(None, "--tag", help="Only cards with this tag (on the card or its deck)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only (keys in docs/stats.md)."),
    now: Optional[str] = typer.Option(None, "--now", hidden=True, help=NOW_HELP),
) -> None:
    """Browse cards: state, due date, stability, chance of recall now, reviews, lapses and the last verdict."""
    from quizzer.stats import list_cards

    moment = now_or(now)
    with _progress() as (config, decks, store, scheduler):
        rows = list_cards(
            store, scheduler, decks, deck=deck, tag=tag, due_only=due, leeches_only=leeches, now=moment,
            day_starts_at=config.day_starts_at,
        )
    if as_json:
        print_json(row.to_dict() for row in rows)
        return
    if not rows:
        typer.echo("No cards match.")
        return
    from quizzer.ui.stats import cards_table

    show(cards_table(rows))


def card(
    key: str = typer.Argument(..., metavar="DECK/CARD", help="The card, as deck id/card id.", show_default=False),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only (keys in docs/stats.md)."),
    now: Optional[str] = typer.Option(None, "--now", hidden=True, help=NOW_HELP),
) -> None:
    """One card's whole history, its state, and the interval each rating would give if answered now."""
    from quizzer.stats import card_detail

    deck, _, card_id = key.partition("/")
    if not deck or not card_id:
        fail(f"'{key}' is not DECK/CARD; `quizzer cards DECK` lists a deck's card ids")
    moment = now_or(now)
    # Without fuzz: the intervals shown are FSRS's own, not one random draw of their spread.
    with _progress(fuzz=False) as (_, decks, store, scheduler):
        detail = card_detail(store, scheduler, decks, deck, card_id, now=moment)
    if as_json:
        print_json(detail.to_dict())
        return
    from quizzer.ui.stats import card_view

    show(card_view(detail))
