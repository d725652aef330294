"""`quizzer quiz` and `quizzer scores`."""

from typing import Optional

import typer

from quizzer.cli.common import (
    fail, library, now, open_store, print_json, say, settings, stdin_is_terminal, user_errors,
)
from quizzer.cli.resolve import complete_deck, resolve
from quizzer.cli.sync import synced

MOST_QUESTIONS = 100_000


def quiz(
    deck_ids: Optional[list[str]] = typer.Argument(None, metavar="[DECK]...", help="Decks to quiz on; all if none.",
                                                   autocompletion=complete_deck),
    tag: Optional[str] = typer.Option(None, "--tag", help="Only cards with this tag (on the card, or its deck unless the card is background)."),
    count: str = typer.Option("20", "-n", "--count", metavar="N", help="How many questions (fewer if fewer cards match)."),
    select: str = typer.Option(
        "random", "--select", metavar="HOW",
        help="random; weakest (lowest recall now, then most lapses); unseen (never answered); due (due today first)."),
    exam: bool = typer.Option(False, "--exam", help="No feedback until the end, then every mistake explained."),
    reschedule: bool = typer.Option(False, "--reschedule", help="Answers count as reviews and reschedule the cards."),
    types: Optional[str] = typer.Option(
        None, "--types", metavar="T,...",
        help="Only these card types: typed, choice, truefalse, cloze, order, flash (default: all but flash)."),
    plain: bool = typer.Option(False, "--plain", help="Plain text, one line per answer (automatic when piped)."),
    seed: Optional[int] = typer.Option(None, "--seed", help="Pick and order the questions the same way every time."),
) -> None:
    """A scored test, outside the schedule: feedback after each answer, the score at the end.

    Cards are asked as in `study`, with its keys and grading; q, :quit, Ctrl-C, Ctrl-D or end of
    input ends the quiz early, and it is saved as unfinished. A right answer scores 1, a close one
    (a slip) 1, a wrong one 0; a flash card (only with --types flash) is wrong if rated Again.

    Answers are saved in your history as quiz answers. They leave every card's schedule as it was,
    unless --reschedule makes them ordinary reviews (`--select weakest --reschedule` drills the
    weakest cards). `quizzer scores` lists past quizzes.

    Examples:
    $ quizzer quiz mali-2012-legal
    $ quizzer quiz --tag people -n 10 --exam
    """
    import random
    import sys

    from quizzer.model import Kind
    from quizzer.quiz import QUIZ_KINDS, SELECTIONS, Plan, QuizRun, choose
    from quizzer.scheduler import Scheduler

    questions = _count(count)
    if select not in SELECTIONS:
        fail(f"--select: '{select}' is not one of {', '.join(SELECTIONS)}")
    kinds = QUIZ_KINDS
    if types is not None:
        named = [t.strip() for t in types.split(",") if t.strip()]
        known = [k.value for k in Kind]
        unknown = [t for t in named if t not in known]
        if unknown or not named:
            fail(f"--types: '{unknown[0] if unknown else types}' is not a card type; use {', '.join(known)}")
        kinds = frozenset(Kind(t) for t in named)
    with user_errors():
        config = settings()
        decks = library()
        known_decks = {d.id: d for d in decks}
        named_decks = tuple(dict.fromkeys(resolve(d, known_decks) for d in deck_ids or ()))
        decks = [known_decks[d] for d in named_decks] if named_decks else decks
        if not decks:
            fail("no decks to quiz on; add one with `quizzer decks add FILE`")
        plan = Plan(count=questions, selection=select, exam=exam, reschedule=reschedule, kinds=kinds, tag=tag,
                    named=named_decks)
        rng = random.Random(seed)
        with open_store() as store, synced(store, config):
            scheduler = Scheduler(desired_retention=config.desired_retention)
            chosen = choose(store, scheduler, decks, plan, now(), rng)
            if not chosen.chosen:
                fail(f"no cards to quiz on in {', '.join(d.id for d in decks)}{_filters(plan)}")
            if chosen.available < questions:
                say(f"Only {chosen.available} card{'s match' if chosen.available > 1 else ' matches'}"
                    f"{_filters(plan)}: asking {'all ' if chosen.available > 1 else ''}{chosen.available}.")
            if plain or not stdin_is_terminal():
                from quizzer.ui.plain import PlainPrompter

                if hasattr(sys.stdin, "reconfigure"):  # bytes that are not UTF-8 are saved as U+FFFD
                    sys.stdin.reconfigure(errors="surrogateescape")
                prompter = PlainPrompter(sys.stdin, sys.stdout)
            else:
                from quizzer.ui.interactive import InteractivePrompter

                prompter = InteractivePrompter()
            result = QuizRun(store, scheduler, chosen, clock=now, rng=rng, leech_action=config.leech_action,
                             day_starts_at=config.day_starts_at).run(prompter)
    prompter.scored(result)
    if result.error:
        fail(result.error)


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not 1 <= value <= MOST_QUESTIONS:
        fail(f"-n/--count: '{text}' is not a number of questions from 1 to {MOST_QUESTIONS:,}")
    return value


def _filters(plan) -> str:
    """What narrowed the cards down, for a message: ` (tagged 'x', of type order)`, or nothing."""
    from quizzer.quiz import QUIZ_KINDS

    parts = [f"tagged '{plan.tag}'" if plan.tag else "",
             f"of type {', '.join(sorted(k.value for k in plan.kinds))}" if plan.kinds != QUIZ_KINDS else "",
             "" if plan.selection == "random" else f"--select {plan.selection}"]
    shown = ", ".join(part for part in parts if part)
    return f" ({shown})" if shown else ""


def scores(
    deck_ids: Optional[list[str]] = typer.Argument(None, metavar="[DECK]...", help="Only quizzes that asked these decks.",
                                                   autocompletion=complete_deck),
    since: Optional[str] = typer.Option(
        None, "--since", metavar="DATE", help="Only quizzes from this study day on (YYYY-MM-DD; days start at 04:00)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only (keys in docs/stats.md)."),
    as_csv: bool = typer.Option(False, "--csv", help="Print CSV only: one row per quiz, with a header row."),
) -> None:
    """Your quiz scores: every quiz, newest first, then per deck the number of quizzes, the last,
    best and average score and the trend of the last ten.

    A quiz row: when it ended, the decks (all, if none was named) and tag, practice or exam (* when
    ended early), the questions asked, the score and the time taken. A deck's scores count only its
    own questions in each quiz.

    Examples:
    $ quizzer scores
    $ quizzer scores mali-2012-legal --since 2026-03-01
    """
    from quizzer.cli.history import since_day_start
    from quizzer.stats import score_history
    from quizzer.store.stats import decks_with_progress

    if as_json and as_csv:
        fail("choose one of --json and --csv")
    with user_errors():
        start = since_day_start(since) if since is not None else None
        decks = library()
        with open_store() as store:
            known = {d.id for d in decks} | set(decks_with_progress(store))
            wanted = [resolve(d, known) for d in deck_ids or ()]
            history = score_history(store, decks=wanted, since=start)
    if as_json:
        print_json(history.to_dict())
    elif as_csv:
        from quizzer.cli.history import print_csv
        from quizzer.stats import quiz_dict

        print_csv((quiz_dict(record) for record in history.quizzes), CSV_KEYS)
    elif not history.quizzes:
        say("No quizzes yet: `quizzer quiz` starts one." if not wanted and since is None else "No quizzes match.")
    else:
        from quizzer.ui.quiz import scores_view
        from quizzer.ui.screens import show

        show(scores_view(history))


CSV_KEYS = ("quiz", "started", "ended", "decks", "tag", "selection", "mode", "reschedule", "requested", "asked",
            "right", "close", "wrong", "score", "finished", "time_ms")
