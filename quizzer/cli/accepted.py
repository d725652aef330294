"""`quizzer accepted`: the answers you told quizzer to accept, kept in the progress database."""

from typing import Optional

import typer

from quizzer.cli.common import fail, now, open_store, print_json, say, user_errors
from quizzer.cli.resolve import complete_card, complete_deck


def accepted(
    deck: Optional[str] = typer.Argument(None, metavar="DECK", help="Only this deck.", autocompletion=complete_deck),
    remove: Optional[str] = typer.Option(None, "--remove", metavar="DECK/CARD", autocompletion=complete_card,
                                         help="Forget an accepted answer of this card (give it with --answer)."),
    answer: Optional[str] = typer.Option(None, "--answer", help="The accepted answer to forget, as listed."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only."),
) -> None:
    """List, or remove, the answers you chose to accept for cards (the 'a' key after a verdict).

    They live in the progress database, never in deck files, and survive deck edits.
    `progress export`/`import` and `quizzer sync` take them to your other machines.

    Examples:
    $ quizzer accepted dates
    $ quizzer accepted --remove mali-2012-dates/coup-date --answer '22/03/2012'
    """
    if remove is not None or answer is not None:
        _remove(remove, answer)
        return
    with user_errors(), open_store() as store:
        rows = store.accepted([deck] if deck else None)
    if as_json:
        print_json([{"deck": d, "card": c, "response": r} for d, c, r in rows])
        return
    if not rows:
        say("No accepted answers. While studying, press 'a' after a verdict to accept your answer.")
        return
    from quizzer.ui.screens import accepted_table, show

    show(accepted_table(rows))
    say("Remove one with: quizzer accepted --remove DECK/CARD --answer 'ANSWER'")


def _remove(card: str | None, response: str | None) -> None:
    if card is None or response is None:
        fail("give both --remove DECK/CARD and --answer 'ANSWER'")
    deck_id, slash, card_id = card.partition("/")
    if not slash or not deck_id or not card_id:
        fail(f"'{card}' is not DECK/CARD (for example mali-2012-dates/coup-date)")
    with user_errors(), open_store() as store:
        removed = store.remove_accepted(deck_id, card_id, response, now())
    if not removed:
        fail(f"'{response}' is not an accepted answer of {card}; see `quizzer accepted {deck_id}`")
    say(f"No longer accepting '{response}' for {card}.")
