"""`quizzer stats`, `quizzer cards` and `quizzer card`."""

import contextlib
from typing import Optional

import typer

from quizzer.cli.common import (fail, library, now, open_store, parse_moment, print_json, say, scheduler, settings,
                                 user_errors)
from quizzer.cli.resolve import complete_card, complete_deck, resolve

NOW_HELP = "Compute as of this UTC ISO time instead of now (tests)."


def now_or(value: Optional[str]):
    """The current UTC time, or `value` (an ISO time) for tests."""
    return now() if value is None else parse_moment(value, "--now")


@contextlib.contextmanager
def _progress(*, fuzz: bool = True):
    """Settings, decks, store and scheduler for one of these commands; a StatsError exits 2."""
    from quizzer.stats import StatsError

    with user_errors():
        config = settings()
        decks = library()
        with open_store() as store:
            try:
                yield config, decks, store, scheduler(config, fuzz=fuzz)
            except StatsError as exc:
                fail(str(exc))


def _known_decks(decks, store) -> set[str]:
    """Deck ids these commands accept: installed decks and decks whose file is gone but whose answers stay."""
    from quizzer.store.stats import decks_with_progress

    return {d.id for d in decks} | set(decks_with_progress(store))


def resolve_card(key: str, decks, store) -> tuple[str, str]:
    """DECK/CARD as typed → (deck id, card id) of an installed card or one with progress; else exit 2."""
    deck, _, card_id = key.partition("/")
    if not deck or not card_id:
        fail(f"'{key}' is not DECK/CARD; `quizzer cards DECK` lists a deck's card ids")
    deck = resolve(deck, _known_decks(decks, store))
    installed = next((d for d in decks if d.id == deck), None)
    card_ids = {c.id for c in installed.cards} if installed else set()
    card_id = resolve(card_id, card_ids | {card for _, card in store.reviewed([deck])}, kind="card",
                      listing=f"`quizzer cards {deck}` lists them")
    return deck, card_id


def stats(
    deck_ids: Optional[list[str]] = typer.Argument(None, metavar="[DECK]...", help="Decks to count; all if none.",
                                                   autocompletion=complete_deck),
    tag: Optional[str] = typer.Option(None, "--tag", help="Only cards with this tag (on the card, or its deck unless the card is background)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only (keys in docs/stats.md)."),
    now: Optional[str] = typer.Option(None, "--now", hidden=True, help=NOW_HELP),
) -> None:
    """How am I doing? One screen of statistics.

    Cards by state, accuracy and true retention, mastery per tag, the cards due in the next 14
    days, a 16-week review calendar, streaks, the hardest cards and leeches.

    Examples:
    $ quizzer stats
    $ quizzer stats mali-2012-dates --tag coup
    """
    from quizzer.stats import compute_stats

    moment = now_or(now)
    with _progress() as (config, decks, store, scheduler):
        wanted = [resolve(d, _known_decks(decks, store)) for d in deck_ids] if deck_ids else []
        result = compute_stats(
            store, scheduler, decks, decks=wanted, tag=tag, now=moment,
            day_starts_at=config.day_starts_at,
        )
    if as_json:
        print_json(result.to_dict())
        return
    from quizzer.ui.screens import console
    from quizzer.ui.stats import EMPTY_HISTORY, stats_view

    if result.empty:
        say(EMPTY_HISTORY)
        return
    screen = console()
    screen.print(stats_view(result, screen.width))


def cards(
    deck: Optional[str] = typer.Argument(None, metavar="DECK", help="Only this deck; all decks if none.",
                                         autocompletion=complete_deck),
    due: bool = typer.Option(False, "--due", help="Only cards a session would ask today (overdue included; "
                             "not suspended or buried), soonest first."),
    leeches: bool = typer.Option(False, "--leeches", help="Only leeches: cards with 8 or more lapses."),
    suspended: bool = typer.Option(False, "--suspended", help="Only suspended cards (`quizzer unsuspend` them)."),
    tag: Optional[str] = typer.Option(None, "--tag", help="Only cards with this tag (on the card, or its deck unless the card is background)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only (keys in docs/stats.md)."),
    now: Optional[str] = typer.Option(None, "--now", hidden=True, help=NOW_HELP),
) -> None:
    """Browse cards: state, due date, stability, chance of recall now, reviews, lapses and the last verdict.

    Examples:
    $ quizzer cards dates --due
    $ quizzer cards --leeches
    """
    from quizzer.stats import list_cards

    moment = now_or(now)
    with _progress() as (config, decks, store, scheduler):
        deck = deck and resolve(deck, _known_decks(decks, store))
        rows = list_cards(
            store, scheduler, decks, deck=deck, tag=tag, due_only=due, leeches_only=leeches,
            suspended_only=suspended, now=moment,
            day_starts_at=config.day_starts_at,
        )
    if as_json:
        print_json(row.to_dict() for row in rows)
        return
    if not rows:
        say("No cards match.")
        return
    from quizzer.ui.screens import show
    from quizzer.ui.stats import cards_table

    show(cards_table(rows))


def card(
    key: str = typer.Argument(..., metavar="DECK/CARD", help="The card, as deck id/card id.", show_default=False,
                              autocompletion=complete_card),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only (keys in docs/stats.md)."),
    now: Optional[str] = typer.Option(None, "--now", hidden=True, help=NOW_HELP),
) -> None:
    """One card's whole history, its state, and the interval each rating would give if answered now.

    Examples:
    $ quizzer card mali-2012-dates/coup-date
    """
    from quizzer.stats import card_detail

    moment = now_or(now)
    # Without fuzz: the intervals shown are FSRS's own, not one random draw of their spread.
    with _progress(fuzz=False) as (_, decks, store, scheduler):
        deck, card_id = resolve_card(key, decks, store)
        detail = card_detail(store, scheduler, decks, deck, card_id, now=moment)
    if as_json:
        print_json(detail.to_dict())
        return
    from quizzer.ui.screens import show
    from quizzer.ui.stats import card_view

    show(card_view(detail))
