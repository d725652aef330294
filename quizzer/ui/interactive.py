"""Interactive study in a terminal: questionary prompts, rich panels, one-key decisions."""

from __future__ import annotations

from datetime import timedelta

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
from quizzer.ui.text import literal, short_duration

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


def read_key(hint: str, keys: dict[str, str], input=None, output=None, commands: bool = False) -> str:
    """Show `hint` and wait for one of `keys` (key → result); Ctrl-C, Ctrl-D and q quit.
    With `commands`, the keys of controls.COMMANDS raise their Control."""
    bindings = KeyBindings()
    for key, result in keys.items():
        bindings.add(key)(lambda event, result=result: event.app.exit(result=result))
    for command in controls.COMMANDS if commands else ():
        if command.action is not controls.Action.QUIT:
            for key in (command.key, *command.keys):
                bindings.add(key)(lambda event, command=command: event.app.exit(exception=controls.Control(command)))
    for key in ("c-c", "c-d", "q"):
        bindings.add(key)(lambda event: event.app.exit(result=None))
    app = Application(
        layout=Layout(Window(FormattedTextControl(hint), height=1)),
        key_bindings=bindings, input=input, output=output, erase_when_done=True,
    )
    result = app.run()
    if result is None:
        raise Quit
    return result


class InteractivePrompter:
    def __init__(self, console: Console | None = None, *, input=None, output=None):
        self.console = console or Console(highlight=False)
        # prompt_toolkit input/output; tests pass a pipe input and DummyOutput.
        self.io = {k: v for k, v in (("input", input), ("output", output)) if v is not None}

    def ask(self, question: Question) -> str | tuple[str, ...]:
        card = question.card
        title = Text(literal(f"{question.deck.title} · {question.phase.value}"))
        self.console.print()
        self.console.print(
            Panel(Text(literal(card.prompt)), title=title, subtitle=f"card {question.number} · {question.left} left",
                  title_align="left", subtitle_align="right")
        )
        ask = {
            Asks.REVEAL: self._ask_reveal, Asks.TEXT: self._ask_text, Asks.PICK: self._ask_pick,
            Asks.TRUTH: self._ask_truth, Asks.ARRANGE: self._ask_arrange,
        }
        return ask[CARD_TYPES[card.kind].asks](question)

    def _ask_reveal(self, question: Question) -> str:
        _unsafe(questionary.press_any_key_to_continue("Press any key to show the answer", **self.io))
        return ""

    def _ask_pick(self, question: Question) -> str:
        # Shown literally, answered with the option itself: the judge compares the deck's text.
        choices = [questionary.Choice(literal(o), value=o) for o in question.options]
        return _unsafe(questionary.select("Your answer:", choices=choices,
                                          use_shortcuts=len(question.options) <= 9, **self.io))

    def _ask_truth(self, question: Question) -> str:
        return _unsafe(questionary.select("True or false?", choices=["true", "false"], use_shortcuts=True, **self.io))

    def _ask_arrange(self, question: Question) -> tuple[str, ...]:
        for number, item in enumerate(question.options, 1):
            self.console.print(Text(f"  {number}. {literal(item)}"))
        count = len(question.options)
        line = _unsafe(questionary.text(
            "Item numbers, earliest first:",
            validate=lambda text: _valid_order(text, count) or f"type each number from 1 to {count} once",
            **self.io,
        ))
        return tuple(question.options[int(n) - 1] for n in line.replace(",", " ").split())

    def _ask_text(self, question: Question) -> str:
        label = "Answers, separated by |:" if len(question.card.blanks) > 1 else "Answer:"
        answer = _unsafe(questionary.text(label, **self.io))
        if answer.strip().lower() == "q":
            raise Quit
        try:
            return controls.read(answer)  # `:undo`, `:suspend`... work here as in plain mode
        except controls.UnknownCommand as exc:
            self.console.print(Text(literal(str(exc)), style="yellow"))
            return self._ask_text(question)

    def _show_answer(self, question: Question) -> None:
        self.console.print(Text.assemble(("Answer: ", "bold"), literal(question.card.answer_text)))
        if question.card.explain:
            self.console.print(Text(literal(question.card.explain), style="dim"))

    def rate(self, question: Question, intervals: dict[Rating, timedelta]) -> Rating:
        self._show_answer(question)
        choices = [
            questionary.Choice(f"{r.name.title()} · {short_duration(intervals[r])}", value=r, shortcut_key=str(r.value))
            for r in Rating
        ]
        return _unsafe(questionary.select("How well did you know it?", choices=choices, default=choices[2],
                                          use_shortcuts=True, **self.io))

    def confirm(self, question, response, verdict: Verdict, proposed: Rating, intervals) -> Decision:
        line = Text(verdict.outcome.value, style=VERDICT_STYLE[verdict.outcome])
        if verdict.reason:
            line.append(f" — {literal(verdict.reason)}")
        self.console.print(line)
        if verdict.slip:
            self.console.print(_slip(*verdict.slip))
        for mark in verdict.marks:
            self.console.print(Text(f"  {mark.status}: {literal(mark.text)}", style=MARK_STYLE.get(mark.status, "")))
        self._show_answer(question)
        keys = {"enter": "keep", "c-m": "keep", **{str(r.value): f"rate{r.value}" for r in Rating}}
        hint = f"Enter: {proposed.name.lower()} {short_duration(intervals[proposed])} · 1-4: rate"
        if verdict.outcome in (Outcome.WRONG, Outcome.CLOSE):
            keys |= {"o": "override", "a": "remember"}
            hint += " · o: count as right · a: always accept"
        self.console.print(Text(controls.hint(), style="dim"))
        choice = read_key(hint, keys, **self.io, commands=True)
        if choice in ("override", "remember"):
            return Decision(Rating.GOOD, override=True, remember=choice == "remember")
        if choice.startswith("rate"):
            return Decision(Rating(int(choice[4:])))
        return Decision(proposed)

    def waiting(self, message: str) -> None:
        self.console.print(Text(f"Waiting: {message}", style="yellow"))

    def notice(self, message: str) -> None:
        self.console.print(Text(literal(message), style="cyan"))

    def saved(self, question: Question, verdict: Verdict, rating: Rating, due_in: timedelta) -> None:
        self.console.print(Text(f"Saved · {rating.name.lower()} · back in {short_duration(due_in)}", style="dim"))

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
