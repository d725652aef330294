"""The `quizzer` command. Thin: each command wires the library pieces together and prints the result.

Heavy modules (yaml, fsrs, sqlite, questionary) are imported inside the commands that need them,
so `quizzer --help` costs little more than typer itself.
"""

import gc

import typer

from quizzer.cli import accepted, decks, events, history, quiz, stats, study
from quizzer.cli import optimize, progress, sync
from quizzer.cli.common import Typer, version_callback

app = Typer(
    name="quizzer",
    no_args_is_help=False,
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", callback=version_callback, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """Quiz and flashcard study in the terminal, scheduled with FSRS. Start with `quizzer study`.

    Tab completes commands, deck ids and DECK/CARD once `quizzer --install-completion` has set up your shell.

    Examples:
    $ quizzer study
    $ quizzer decks
    """
    if not gc.isenabled():  # paused for start-up by quizzer.__main__
        gc.freeze()  # what start-up made lives until the end: later collections skip it
        gc.enable()
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())


app.command("study")(study.study)
app.command("quiz")(quiz.quiz)
app.command("scores")(quiz.scores)
app.add_typer(decks.app, name="decks")
app.command("undo")(events.undo)
app.command("suspend")(events.suspend)
app.command("unsuspend")(events.unsuspend)
app.command("history")(history.history)
app.command("stats")(stats.stats)
app.command("cards")(stats.cards)
app.command("card")(stats.card)
app.command("paths")(decks.show_paths)
app.command("accepted")(accepted.accepted)
app.command("backup")(progress.backup)
app.add_typer(progress.app, name="progress")
app.command("doctor")(progress.doctor)
app.command("sync")(sync.sync)
app.command("optimize")(optimize.optimize)
app.command("retention")(optimize.retention)


def main() -> None:
    app()
