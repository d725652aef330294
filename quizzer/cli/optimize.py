"""`quizzer optimize` and `quizzer retention`: FSRS fitted to your answers, and what desired retention costs."""

import typer

from quizzer.cli.common import (fail, library, open_store, print_json, replay, say, settings, showing,
                                 stdin_is_terminal, unused_name, user_errors)


def optimize(
    dry_run: bool = typer.Option(False, "--dry-run", help="Fit and show the comparison; change nothing."),
    json_: bool = typer.Option(False, "--json", help="Print the parameters and figures as JSON."),
    force: bool = typer.Option(False, "--force", help="Save the fitted parameters even if they predict no better."),
    reset: bool = typer.Option(False, "--reset", help="Go back to FSRS's default parameters."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask before saving (for scripts)."),
) -> None:
    """Fit FSRS's parameters to your own answers, show whether they predict them better, and save them.

    Fits on the first 80 % of your answers and compares default and fitted parameters on the last 20 %
    (log loss and RMSE: lower is better), then on the whole history. If the fitted ones are better, it
    asks, saves them to config.toml (after a backup of it and of the database) and reschedules every card
    by replaying its answers with them. --reset goes back to the defaults the same way. Needs the
    optional extra `optimize` (the package fsrs-rs-python).

    Examples:
    $ quizzer optimize
    $ quizzer optimize --dry-run --json
    """
    from quizzer.optimizer import FitFailed, NotEnoughReviews, OptimizerMissing, fit

    if reset and dry_run:
        fail("--reset changes the parameters and --dry-run changes nothing: give one of them")
    if json_ and not (dry_run or yes or reset):
        fail("--json cannot ask before saving: add --yes to save, or --dry-run")
    with user_errors():
        config = settings()
        with open_store() as store:
            if reset:
                _reset(store, config, yes=yes, json_=json_)
                return
            try:
                with showing("Fitting FSRS to your answers…"):
                    found = fit(store.training_answers(), config.day_starts_at, config.parameters)
            except (OptimizerMissing, FitFailed) as exc:
                fail(f"{exc}; nothing changed" if isinstance(exc, FitFailed) else str(exc))
            except NotEnoughReviews as exc:
                fail(f"too few answers to fit FSRS: {exc.have} usable of the {exc.answered} given on a later day than "
                     "the card's previous answer (fsrs-rs sets rare gaps aside as outliers), "
                     f"{exc.need} needed ({exc.need - exc.have} more); nothing changed")
            if not json_:
                _show(found)
            if dry_run or not (found.better or force):
                if dry_run and not json_:
                    say("Dry run: nothing changed.")
                elif not json_:
                    say(f"Kept the {found.baseline} parameters: the fitted ones do not")
                    say("predict your last 20 % better (--force saves them anyway).")
                if json_:
                    print_json({**found.to_dict(), "saved": False})
                return
            if not yes:
                _confirm("Save the fitted parameters and reschedule every card?")
            earlier, later, backups = _save(store, config, found.parameters)
    if json_:
        print_json({**found.to_dict(), "saved": True, "earlier": earlier, "later": later})
        return
    _saved(config, backups, earlier, later)


def _reset(store, config, *, yes: bool, json_: bool) -> None:
    if config.parameters is None:
        if json_:
            print_json({"saved": False, "earlier": 0, "later": 0})
        else:
            say("Already on FSRS's default parameters: nothing changed.")
        return
    if not yes:
        _confirm("Go back to FSRS's default parameters and reschedule every card?")
    earlier, later, backups = _save(store, config, None)
    if json_:
        print_json({"saved": True, "earlier": earlier, "later": later})
    else:
        _saved(config, backups, earlier, later)


def _confirm(question: str) -> None:
    if not stdin_is_terminal():
        fail("not a terminal to ask in: add --yes to save, or --dry-run; nothing changed")
    if not typer.confirm(question, default=False):
        fail("nothing changed")


def _save(store, config, parameters):
    """Back up the database and config.toml, write `parameters` (None: the defaults) and replay every card
    with them. If the replay fails, config.toml is put back: the settings and the schedule never disagree."""
    import dataclasses
    import shutil

    from quizzer.config import paths, save_parameters

    where = paths()
    folder = where.home / "backups"
    folder.mkdir(exist_ok=True)
    backups = [unused_name(folder, "quizzer", "-before-optimize.db")]
    with showing("Backing up the database…"):
        store.backup(backups[0])
    if where.config.exists():
        backups.append(unused_name(folder, "config", "-before-optimize.toml"))
        shutil.copy2(where.config, backups[-1])
    save_parameters(where.config, parameters)
    try:
        with showing("Rescheduling every card…"):
            earlier, later = store.reschedule(replay(dataclasses.replace(config, parameters=parameters)))
    except BaseException:
        if len(backups) > 1:
            shutil.copy2(backups[-1], where.config)
        else:
            where.config.unlink()
        raise
    return earlier, later, backups


def _saved(config, backups, earlier: int, later: int) -> None:
    from quizzer.config import paths

    say(f"Saved to {paths().config}")
    for backup in backups:
        say(f"  backup: {backup}")
    say(f"Rescheduled every card: {earlier:,} due earlier, {later:,} due later.")


def _show(found) -> None:
    say(f"Fitted to {found.answers:,} answers of {found.cards:,} cards in {found.seconds:.2f} s.")
    say(f"{'':22}{'log loss':>9}{'RMSE':>8}{'answers':>9}")
    for title, part in (("last 20 %", found.held_out), ("whole history", found.whole)):
        for index, (name, metrics) in enumerate(part.items()):
            label = f"{title if index == 0 else '':14}{name:8}"
            if metrics is None:
                say(f"{label}{'—':>9}{'—':>8}{0:>9}")
            else:
                count = f"{metrics.reviews:,}" if index == 0 else ""
                say(f"{label}{metrics.log_loss:>9.4f}{metrics.rmse_bins:>8.4f}{count:>9}".rstrip())
    say("Lower is better; on the last 20 %, \"fitted\" was fitted to")
    say("the first 80 % only. RMSE over srs-benchmark's bins.")
    if found.better:
        fitted, baseline = found.held_out["fitted"], found.held_out[found.baseline]
        say("The fitted parameters predict your last 20 % better than")
        say(f"the {found.baseline} ones (log loss {fitted.log_loss:.4f} < {baseline.log_loss:.4f}).")


def retention(
    json_: bool = typer.Option(False, "--json", help="Print the simulated figures as JSON."),
) -> None:
    """Simulate a year of study at each desired retention from 0.70 to 0.97: reviews a day and cards known.

    Uses fsrs-rs's simulator with your parameters (fitted by `quizzer optimize`, else the defaults), the
    cards of your decks and your daily limits. Marks your current setting and the retention that gives
    the most cards known per answer. Needs the optional extra `optimize` (the package fsrs-rs-python).

    Examples:
    $ quizzer retention
    $ quizzer retention --json
    """
    from quizzer.optimizer import RETENTIONS, OptimizerMissing, workloads
    from quizzer.scheduler import DEFAULT_PARAMETERS

    with user_errors():
        config = settings()
        decks = library()
    cards = sum(len(deck.cards) for deck in decks)
    if not cards:
        fail("no cards to simulate; add a deck with `quizzer decks add FILE`")
    parameters = config.parameters or DEFAULT_PARAMETERS
    chosen = sorted({*RETENTIONS, config.desired_retention})
    try:
        rows = workloads(parameters, chosen, cards=cards, new_per_day=config.new_per_day * len(decks),
                         reviews_per_day=config.reviews_per_day)
    except OptimizerMissing as exc:
        fail(str(exc))
    best = max(rows, key=lambda row: row.known_per_answer)
    current = next(row for row in rows if row.retention == config.desired_retention)
    if json_:
        print_json({"cards": cards, "days": 365, "fitted": config.parameters is not None,
                    "current": current.retention, "best_per_answer": best.retention,
                    "retentions": [row.to_dict() for row in rows]})
        return
    which = "your fitted" if config.parameters else "the default"
    say(f"A year of study of your {cards:,} cards, simulated with")
    say(f"{which} parameters and your daily limits")
    say(f"({config.new_per_day:,} new cards a day per deck, {config.reviews_per_day:,} reviews):")
    # At most 38 + 17 columns: the answers of a year are in --json only.
    say(f"{'desired':>9}{'reviews':>10}{'known':>9}{'known per':>11}")
    say(f"{'retention':>9}{'a day':>10}{'day 365':>9}{'answer':>11}")
    for row in rows:
        marks = ", ".join(mark for mark, yes in (("current", row is current), ("best", row is best)) if yes)
        say(f"{row.retention:>9.2f}{row.reviews_per_day:>10,.1f}{row.known:>9,.0f}{row.known_per_answer:>11.3f}"
            + (f"  ◀ {marks}" if marks else ""))
    say("best: the most cards known per answer (first answers count).")
    say("Change desired_retention in config.toml (`quizzer paths`).")
