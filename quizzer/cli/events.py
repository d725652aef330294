"""`quizzer undo`, `suspend` and `unsuspend`: events appended to the log, outside a session (docs/events.md)."""

from typing import Optional

import typer

from quizzer.cli.common import fail, say, stdin_is_terminal
from quizzer.cli.resolve import complete_card
from quizzer.cli.stats import NOW_HELP, _progress, now_or, resolve_card

CARDS = typer.Argument(..., metavar="DECK/CARD...", help="Cards, as deck id/card id.", show_default=False,
                       autocompletion=complete_card)


def _events(config, store, scheduler):
    from quizzer.controls import CardEvents

    return CardEvents(store, scheduler, day_starts_at=config.day_starts_at, leech_action=config.leech_action)


def undo(
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask first (for scripts)."),
    now: Optional[str] = typer.Option(None, "--now", hidden=True, help=NOW_HELP),
) -> None:
    """Undo the most recent study answer: it stays in the log, voided, and the card is as it was before it.

    Asks first in a terminal; without one, --yes is needed.

    Examples:
    $ quizzer undo
    $ quizzer undo --yes
    """
    from quizzer.model import AnswerKind
    from quizzer.ui.text import literal

    moment = now_or(now)
    with _progress() as (config, _, store, scheduler):
        last = store.reviews(limit=1, kind=AnswerKind.STUDY.value)
        if not last:
            fail("no answer to undo (answers in a quiz are never undone)")
        answer = last[0]
        shown = (f"{answer['deck']}/{answer['card']} (answered {answer['reviewed_at'][:16].replace('T', ' ')} UTC, "
                 f"{answer['verdict']})")
        if not yes:
            if not stdin_is_terminal():
                fail(f"undo {shown}? Not a terminal to ask in: add --yes")
            if not typer.confirm(literal(f"Undo {shown}?"), default=False):
                fail("nothing undone")
        # Voids the answer read above, unless another terminal answered meanwhile: then the newest one.
        undone = _events(config, store, scheduler).undo(moment)
    say(f"undone {undone['deck']}/{undone['card']}")


def suspend(
    keys: list[str] = CARDS,
    now: Optional[str] = typer.Option(None, "--now", hidden=True, help=NOW_HELP),
) -> None:
    """Suspend cards: never asked again until `quizzer unsuspend`. Their progress is kept.

    Examples:
    $ quizzer suspend mali-2012-dates/coup-date mali-2012-dates/junta-name
    """
    _flag(keys, now, "suspend", "suspended")


def unsuspend(
    keys: list[str] = CARDS,
    now: Optional[str] = typer.Option(None, "--now", hidden=True, help=NOW_HELP),
) -> None:
    """Ask suspended cards again, from where their progress stood.

    Examples:
    $ quizzer unsuspend mali-2012-dates/coup-date
    """
    _flag(keys, now, "unsuspend", "unsuspended")


def _flag(keys: list[str], now: Optional[str], action: str, done: str) -> None:
    moment = now_or(now)
    with _progress() as (config, decks, store, scheduler):
        chosen = list(dict.fromkeys(resolve_card(key, decks, store) for key in keys))  # all checked first
        getattr(_events(config, store, scheduler), action)(chosen, moment)
    for deck, card in chosen:
        say(f"{done} {deck}/{card}")
