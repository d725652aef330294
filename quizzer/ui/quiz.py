"""The end of a quiz and `quizzer scores`: plain lines and rich renderables, every one within 60 columns."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from quizzer.model import QuizScore
from quizzer.quiz import CLOSE, Quiz, Result
from quizzer.stats import TREND, ScoreHistory
from quizzer.ui.screens import Fitted, compact_table
from quizzer.ui.stats import percent
from quizzer.ui.text import cells, literal, local_time, spent

SPARKS = "▁▂▃▄▅▆▇█"


def score_text(counts: QuizScore) -> str:
    """`R/N (P%)`: right and close answers out of the questions asked."""
    shown = f"{counts.right + counts.close}/{counts.asked}"
    return f"{shown} ({percent(counts.score)})" if counts.asked else shown


def sparkline(scores: list[float]) -> str:
    """One bar per score, oldest first: ▁ for 0 % up to █ for 100 %."""
    return "".join(SPARKS[min(len(SPARKS) - 1, int(score * len(SPARKS)))] for score in scores)


def _mistake(result: Result) -> str:
    """One line: what was asked, what was answered, the right answer and why."""
    label = "slip" if result.mark == CLOSE else "wrong"
    line = (f"{label}: {result.deck.id}/{result.card.id} · {result.card.prompt} → "
            f"{result.response or '–'} · answer: {result.card.answer_text}")
    return literal(line + (f" · {result.card.explain}" if result.card.explain else ""))


def _heading(quiz: Quiz) -> list[str]:
    total = quiz.total
    lines = [f"Time: {spent(int((quiz.ended - quiz.started).total_seconds() * 1000))}"]
    if not quiz.finished:
        lines.insert(0, f"Ended early: {total.asked} of {len(quiz.chosen)} questions answered (saved as unfinished).")
    if total.close:
        lines.append(f"Slips counted right: {total.close}")
    return lines


def plain_summary(quiz: Quiz) -> list[str]:
    """The plain end of a quiz: a few lines, `Score: R/N (P%)`, then one line per mistake."""
    return [*_heading(quiz), f"Score: {score_text(quiz.total)}", *(_mistake(r) for r in quiz.mistakes)]


def summary_view(quiz: Quiz) -> RenderableType:
    """The interactive end of a quiz: the score, then each mistake with the right answer and explanation."""
    parts: list[RenderableType] = [Text(), Text(f"Score: {score_text(quiz.total)}", style="bold")]
    parts += [Text(line, style="dim") for line in _heading(quiz)]
    if quiz.mistakes:
        parts += [Text(), Text("Mistakes", style="bold")]
    for result in quiz.mistakes:
        card = result.card
        slip = result.mark == CLOSE
        # The lines under the question are indented as a block, so a wrapped explanation stays under it.
        parts += [
            Text.assemble(("slip " if slip else "wrong ", "yellow" if slip else "red"), f"{result.deck.id}/{card.id}"),
            Text(literal(card.prompt)),
            Padding(Group(
                Text.assemble("you: ", literal(result.response or "–")),
                Text.assemble("answer: ", (literal(card.answer_text), "bold")),
                *((Text(literal(card.explain), style="dim"),) if card.explain else ()),
            ), (0, 0, 0, 2)),
        ]
    return Group(*parts)


def scores_view(history: ScoreHistory) -> RenderableType:
    """`quizzer scores`: every quiz, newest first, then each deck's count, last, best, average and trend."""
    quizzes = compact_table()
    quizzes.add_column("when", no_wrap=True)
    quizzes.add_column("decks", overflow="fold")
    for name in ("mode", "N", "score", "time"):
        quizzes.add_column(name, justify="left" if name == "mode" else "right", no_wrap=True)
    for record in history.quizzes:
        decks = " ".join(record.decks) or "all"
        mode = record.mode + ("" if record.finished else "*")
        quizzes.add_row(local_time(record.ended), Text(literal(decks + (f" #{record.tag}" if record.tag else ""))),
                        *cells(mode, record.total.asked, percent(record.score),
                               spent(int((record.ended - record.started).total_seconds() * 1000))))
    decks = compact_table()
    decks.add_column("deck", overflow="fold")
    for name in ("quizzes", "last", "best", "average"):
        decks.add_column(name, justify="right", no_wrap=True)
    decks.add_column("trend", no_wrap=True)
    for row in history.decks:
        scores = row.scores
        decks.add_row(Text(literal(row.deck)), *cells(len(scores), percent(scores[-1]), percent(max(scores)),
                                                      percent(sum(scores) / len(scores)), sparkline(scores[-TREND:])))
    return Group(
        Text("Quizzes, newest first (* ended early)", style="bold"), Fitted(quizzes), Text(),
        Text("Per deck (trend: the last ten scores, oldest first)", style="bold"), Fitted(decks),
    )
