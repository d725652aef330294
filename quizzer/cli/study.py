"""`quizzer study`."""

from typing import Optional

import typer

from quizzer.cli.common import fail, library, now, open_store, say, scheduler, settings, stdin_is_terminal, user_errors
from quizzer.cli.resolve import complete_deck, resolve
from quizzer.cli.sync import synced


def study(
    deck_ids: Optional[list[str]] = typer.Argument(None, metavar="[DECK]...", help="Decks to study; all if none.",
                                                   autocompletion=complete_deck),
    tag: Optional[str] = typer.Option(None, "--tag", help="Only cards with this tag (on the card, or its deck unless the card is background)."),
    new: Optional[int] = typer.Option(None, "--new", min=0, help="At most this many new cards per deck today."),
    limit: Optional[int] = typer.Option(None, "--limit", min=0, help="At most this many reviews today."),
    plain: bool = typer.Option(False, "--plain", help="Plain text, one line per answer (automatic when piped)."),
    seed: Optional[int] = typer.Option(None, "--seed", hidden=True, help="Seed the shuffling of options (tests)."),
) -> None:
    """Study due and new cards; every answer is saved before the next question.

    Interactive in a terminal, with the keys of each screen listed under it: a number
    answers a choice, t/f (or y/n) a true/false card, 1-4 rates. In plain mode (a pipe, or
    --plain) each card reads one line: typed and cloze answers (cloze blanks separated by |),
    a choice's number or text, true/false, order item numbers, and for flash cards Enter then
    a rating 1-4. q, :quit, Ctrl-C, Ctrl-D or end of input ends the session with its summary.

    At any prompt :undo, :suspend, :bury, :edit or :quit does that (::x is the answer :x);
    after a verdict, so do the keys u (or Ctrl+Z), s, b and e. Edit opens the card's deck
    file in $VISUAL or $EDITOR at the card, checks it when the editor closes and asks the
    card again as edited.

    Examples:
    $ quizzer study
    $ quizzer study dates --new 5
    """
    import random
    import sys

    from quizzer.session import Limits, StudySession

    with user_errors():
        config = settings()
        decks = library()
        known = {d.id: d for d in decks}
        if deck_ids:
            decks = [known[d] for d in dict.fromkeys(resolve(d, known) for d in deck_ids)]
        if not decks:
            fail("no decks to study; add one with `quizzer decks add FILE`")
        limits = Limits(
            new_per_day=config.new_per_day if new is None else new,
            reviews_per_day=config.reviews_per_day if limit is None else limit,
            day_starts_at=config.day_starts_at,
            new_order=config.new_order,
            leech_action=config.leech_action,
        )
        with open_store() as store, synced(store, config):
            session = StudySession(
                store, scheduler(config), decks,
                limits=limits, tag=tag, clock=now, rng=random.Random(seed), edit_card=_card_editor(),
            )
            if tag is not None and not session.cards_in_scope():
                fail(f"no cards tagged '{tag}' in {', '.join(d.id for d in decks)}")
            if plain or not stdin_is_terminal():
                from quizzer.ui.plain import PlainPrompter

                # Bytes that are not UTF-8 reach the session escaped (it saves them as U+FFFD), never as a crash.
                if hasattr(sys.stdin, "reconfigure"):
                    sys.stdin.reconfigure(errors="surrogateescape")
                prompter = PlainPrompter(sys.stdin, sys.stdout)
            else:
                from quizzer.ui.interactive import InteractivePrompter

                prompter = InteractivePrompter()
            summary = session.run(prompter)
            if summary.started:
                from quizzer.stats import due_soon  # after the session: not in the way of the first question

                due = due_soon(store, decks, decks=[d.id for d in decks], tag=tag, now=now(),
                               day_starts_at=config.day_starts_at)
    if not summary.started:
        say(_nothing_to_study(summary.next_due))
        return
    from quizzer.ui.text import summary_rows

    prompter.summary(summary_rows(summary, *due))
    if summary.error:
        fail(summary.error)


def _card_editor():
    """The session's "edit this card": the editor round trip of `quizzer decks edit`, given a terminal."""
    from quizzer.cli.decks import edit_again_or_restore
    from quizzer.config import paths
    from quizzer.decks import DeckError
    from quizzer.editing import Editor
    from quizzer.session import NotEditable

    editor = Editor(edit_again_or_restore, paths().home / "backups")

    def edit_card(deck, card):
        if not stdin_is_terminal():
            raise NotEditable("editing a card opens an editor, which needs a terminal; edit the deck file "
                              f"itself ({deck.path}) and study on")
        try:
            edited = editor.edit_card(deck, card)
        except DeckError as exc:  # a built-in deck, or no editor that starts
            raise NotEditable("; ".join(p.message for p in exc.problems)) from None
        return edited.deck if edited.changed else None

    return edit_card


def _nothing_to_study(next_due) -> str:
    from quizzer.ui.text import short_duration

    if next_due is None:
        return "Nothing due and no new cards left today."
    wait = next_due - now()
    when = next_due.astimezone().strftime("%Y-%m-%d %H:%M")
    return f"Nothing due and no new cards left today. Next card due {when} (in {short_duration(wait)})."
