"""Interactive study in a terminal: questionary prompts, rich panels, one-key decisions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

import questionary
from prompt_toolkit.application import Application
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.layout import FormattedTextControl, Layout, Window
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from quizzer import controls
from quizzer.cardtypes import CARD_TYPES, Asks
from quizzer.model import Outcome, Rating, Verdict
from quizzer.session import Decision, Question, Quit
from quizzer.ui.keys import Key, hint_lines, next_keys, question_keys, rating_keys, verdict_keys
from quizzer.ui.text import literal, question_header, short_duration

if TYPE_CHECKING:  # the quiz's summary and what it imports load only when a quiz ends, not before a question
    from quizzer.quiz import Quiz

VERDICT_STYLE = {
    Outcome.CORRECT: "bold green", Outcome.CLOSE: "bold yellow", Outcome.WRONG: "bold red",
    Outcome.OVERRIDDEN: "bold cyan", Outcome.SELF: "bold",
}
MARK_STYLE = {"found": "green", "close": "yellow", "missing": "red", "extra": "red", "wrong": "red"}


def _unsafe(prompt: questionary.Question):
    """Ask, turning Ctrl-C / Ctrl-D into Quit instead of questionary's 'Cancelled' message."""
    try:
        return prompt.unsafe_ask()
    except (KeyboardInterrupt, EOFError) as exc:
        raise Quit from exc


def read_key(keys: list[Key], choices: Sequence[tuple[str, object]] = (), default: int = 0,
             input=None, output=None) -> object:
    """Show `choices` (one highlighted: arrows move, Enter takes it) above the hint of `keys`, and return
    what the pressed key or the chosen choice stands for; a key standing for None (q, Ctrl-C, Ctrl-D) quits.

    Every line drawn is at most HINT_WIDTH wide (short choice labels, a wrapped hint), so a terminal that
    reflows on a resize keeps the line count prompt_toolkit erases."""
    index = default
    bindings = KeyBindings()

    def move(step: int):
        def handler(event) -> None:
            nonlocal index
            index = (index + step) % len(choices)
        return handler

    if choices:
        for name in ("up", "left", "s-tab"):
            bindings.add(name)(move(-1))
        for name in ("down", "right", "tab"):
            bindings.add(name)(move(1))
        bindings.add("enter")(lambda event: event.app.exit(result=(choices[index][1],)))
    for key in keys:
        for name, result in key.bindings.items():
            bindings.add(name)(lambda event, result=result: event.app.exit(result=(result,)))

    def screen():
        shown = []
        for i, (label, _) in enumerate(choices):
            shown += [("reverse" if i == index else "", f" {label} "), ("", " ")]
        return [*shown, ("", "\n" if choices else ""), ("fg:ansibrightblack", "\n".join(hint_lines(keys)))]

    app = Application(
        layout=Layout(Window(FormattedTextControl(screen), wrap_lines=True, dont_extend_height=True)),
        key_bindings=bindings, input=input, output=output, erase_when_done=True,
    )
    (result,) = app.run()
    if result is None:
        raise Quit
    if isinstance(result, controls.Control):  # undo, suspend, bury: the session carries it out
        raise result
    return result


class InteractivePrompter:
    def __init__(self, console: Console | None = None, *, input=None, output=None):
        self.console = console or Console(highlight=False)
        # prompt_toolkit input/output; tests pass a pipe input and DummyOutput.
        self.io = {k: v for k, v in (("input", input), ("output", output)) if v is not None}

    def ask(self, question: Question) -> str | tuple[str, ...]:
        card = question.card
        self.console.print()
        # Above the panel rather than in its border, where rich would cut a long deck title.
        stage = "quiz" if question.quiz else question.phase.value
        header = f"{question.deck.title} · {stage} · {question.number} of {question.total}"
        self.console.print(Text(question_header(header, card, self.console.width), style="bold"))
        self.console.print(Panel(Text(literal(card.prompt))))
        ask = {
            Asks.REVEAL: self._ask_reveal, Asks.TEXT: self._ask_text, Asks.PICK: self._ask_pick,
            Asks.TRUTH: self._ask_truth, Asks.ARRANGE: self._ask_arrange,
        }
        return ask[CARD_TYPES[card.kind].asks](question)

    def _ask_reveal(self, question: Question) -> str:
        return read_key(question_keys(question.card, (), commands=not question.quiz), **self.io)

    def _ask_pick(self, question: Question) -> str:
        # The options are printed wrapped; the picker shows only their numbers, so nothing is cut.
        # Answered with the option itself: the judge compares the deck's text.
        self._numbered(question.options)
        numbers = [(str(n), option) for n, option in enumerate(question.options, 1)]
        option = read_key(question_keys(question.card, question.options, commands=not question.quiz), numbers,
                          **self.io)
        self.console.print(Text(f"→ {question.options.index(option) + 1}. {literal(option)}"))
        return option

    def _ask_truth(self, question: Question) -> str:
        said = read_key(question_keys(question.card, (), commands=not question.quiz),
                        [("true", "true"), ("false", "false")], **self.io)
        self.console.print(Text(f"→ {said}"))
        return said

    def _ask_arrange(self, question: Question) -> tuple[str, ...]:
        self._numbered(question.options)
        count = len(question.options)
        line = self._line(question, "Item numbers, in order:", lambda text: text.strip().lower() == "q" or (
            _valid_order(text, count) or f"type each number from 1 to {count} once"))
        return tuple(question.options[int(n) - 1] for n in line.replace(",", " ").split())

    def _ask_text(self, question: Question) -> str:
        return self._line(question, "Answers, separated by |:" if len(question.card.blanks) > 1 else "Answer:")

    def _line(self, question: Question, label: str, validate=None) -> str:
        """A typed line; a line of just q ends the session."""
        self._hint(question_keys(question.card, question.options, commands=not question.quiz))
        extra = {"validate": validate} if validate else {}
        answer = _unsafe(questionary.text(label, **extra, **self.io))
        if answer.strip().lower() == "q":
            raise Quit
        try:
            return controls.read(answer)  # `:undo`, `:suspend`... work here as in plain mode
        except controls.UnknownCommand as exc:
            self.console.print(Text(literal(str(exc)), style="yellow"))
            return self._ask_text(question)

    def _hint(self, keys: list[Key]) -> None:
        for line in hint_lines(keys):
            self.console.print(Text(line, style="dim"))

    def _numbered(self, options: tuple[str, ...]) -> None:
        """Each option wrapped under its number, never cut."""
        grid = Table.grid(padding=(0, 1))
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(overflow="fold")
        for number, option in enumerate(options, 1):
            grid.add_row(f"  {number}.", Text(literal(option)))
        self.console.print(grid)

    def _show_answer(self, question: Question) -> None:
        self.console.print(Text.assemble(("Answer: ", "bold"), literal(question.card.answer_text)))
        if question.card.explain:
            self.console.print(Text(literal(question.card.explain), style="dim"))

    def rate(self, question: Question, intervals: Mapping[Rating, timedelta]) -> Rating:
        self._show_answer(question)
        # A quiz that leaves the schedule alone passes no intervals: nothing comes back sooner or later.
        choices = [(f"{r.name.lower()} {short_duration(intervals[r])}" if intervals else r.name.lower(), r)
                   for r in Rating]
        rating = read_key(rating_keys(commands=not question.quiz), choices, default=Rating.GOOD.value - 1, **self.io)
        self.console.print(Text(f"→ {rating.name.lower()}"))
        return rating

    def confirm(self, question, response, verdict: Verdict, proposed: Rating, intervals) -> Decision:
        self._verdict(question, verdict)
        choice = read_key(verdict_keys(question.card, verdict.outcome, proposed, intervals), **self.io)
        if choice in ("override", "remember"):
            return Decision(Rating.GOOD, override=True, remember=choice == "remember")
        if isinstance(choice, Rating):
            return Decision(choice)
        return Decision(proposed)

    def feedback(self, question: Question, verdict: Verdict) -> None:
        self._verdict(question, verdict)
        read_key(next_keys(), **self.io)

    def _verdict(self, question: Question, verdict: Verdict) -> None:
        """The verdict, the slip or the items found and missed, the right answer and the explanation."""
        line = Text(verdict.outcome.value, style=VERDICT_STYLE[verdict.outcome])
        if verdict.reason:
            line.append(f" — {literal(verdict.reason)}")
        self.console.print(line)
        if verdict.slip:
            self.console.print(_slip(*verdict.slip))
        for mark in verdict.marks:
            self.console.print(Text(f"  {mark.status}: {literal(mark.text)}", style=MARK_STYLE.get(mark.status, "")))
        self._show_answer(question)

    def waiting(self, message: str) -> None:
        self.console.print(Text(f"Waiting: {message}", style="yellow"))

    def notice(self, message: str) -> None:
        self.console.print(Text(literal(message), style="cyan"))

    def saved(self, question: Question, verdict: Verdict, rating: Rating, due_in: timedelta) -> None:
        self.console.print(Text(f"Saved · {rating.name.lower()} · back in {short_duration(due_in)}", style="dim"))

    def scored(self, quiz: Quiz) -> None:
        """The end of a quiz: the score, then each mistake with the right answer and explanation."""
        from quizzer.ui.quiz import summary_view

        self.console.print(summary_view(quiz))

    def summary(self, lines: list[tuple[str, str]]) -> None:
        table = Table(title="Session summary", show_header=False, title_justify="left")
        table.add_column(style="bold")
        table.add_column(justify="right")
        for label, value in lines:
            table.add_row(label, value)
        self.console.print()
        self.console.print(table)


def _valid_order(text: str, count: int) -> bool:
    numbers = text.replace(",", " ").split()
    return sorted(numbers, key=lambda n: int(n) if n.isdigit() else -1) == [str(i) for i in range(1, count + 1)]


def _slip(typed: str, expected: str) -> Text:
    """The response with the letters that differ from the expected answer highlighted."""
    shown = Text("  you typed: ")
    for i, ch in enumerate(literal(typed)):
        same = i < len(expected) and expected[i].casefold() == ch.casefold()
        shown.append(ch, style="" if same else "reverse yellow")
    shown.append("\n  expected:  " + literal(expected))
    return shown
