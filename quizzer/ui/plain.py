"""Plain-text study: one line in per answer, one verdict line out. For pipes, scripts and screen readers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, TextIO

from quizzer import controls
from quizzer.cardtypes import CARD_TYPES, Asks
from quizzer.model import Outcome, Rating, Verdict
from quizzer.session import Decision, Question, Quit
from quizzer.ui.keys import HINT_WIDTH
from quizzer.ui.text import literal, question_header, short_duration

if TYPE_CHECKING:  # the quiz's summary and what it imports load only when a quiz ends, not before a question
    from quizzer.quiz import Quiz

RATING_WORDS = {r.name.lower(): r for r in Rating}
QUIT_WORDS = {"q", ":q", ":quit"}


class PlainPrompter:
    def __init__(self, stdin: TextIO, stdout: TextIO):
        self.stdin = stdin
        self.stdout = stdout
        # A terminal echoes the learner's Enter; from a pipe we end the prompt line ourselves, so
        # each verdict starts a line of its own.
        self.end_prompt_line = not stdin.isatty()
        self.told_commands = False  # the command list is printed with the first question

    def _print(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def _read(self, prompt: str) -> str:
        """One line; q or end of input quits, and `:undo`, `:suspend`... raise the command (controls.read)."""
        while True:
            self.stdout.write(prompt)
            self.stdout.flush()
            line = self.stdin.readline()
            if self.end_prompt_line or not line:
                self._print()
            if not line:
                raise Quit
            line = line.rstrip("\r\n")
            if line.strip().lower() in QUIT_WORDS:  # a Quit, not a command: an answer on screen is kept
                raise Quit
            try:
                return controls.read(line)
            except controls.UnknownCommand as exc:
                self._print(literal(str(exc)))

    def ask(self, question: Question) -> str | tuple[str, ...]:
        card = question.card
        if not self.told_commands:
            self._print(controls.QUIZ_USAGE if question.quiz else controls.USAGE)
            self.told_commands = True
        self._print()
        header = f"[{question.number} of {question.total}] {question.deck.id} · {_stage(question)}"
        self._print(question_header(header, card, HINT_WIDTH))
        self._print(literal(card.prompt))
        ask = {
            Asks.REVEAL: self._ask_reveal, Asks.TEXT: self._ask_text, Asks.PICK: self._ask_pick,
            Asks.TRUTH: self._ask_truth, Asks.ARRANGE: self._ask_arrange,
        }
        return ask[CARD_TYPES[card.kind].asks](question)

    def _ask_reveal(self, question: Question) -> str:
        self._read("(press Enter to show the answer) ")
        return ""

    def _ask_pick(self, question: Question) -> str:
        self._numbered(question.options)
        line = self._read("number or answer> ")
        return _pick(line, question.options) or line

    def _ask_arrange(self, question: Question) -> tuple[str, ...]:
        self._numbered(question.options)
        line = self._read("numbers in order> ")
        return _ordering(line, question.options)

    def _ask_truth(self, question: Question) -> str:
        return self._read("true or false> ")

    def _ask_text(self, question: Question) -> str:
        return self._read("answers, separated by |> " if len(question.card.blanks) > 1 else "answer> ")

    def _numbered(self, options: tuple[str, ...]) -> None:
        for number, option in enumerate(options, 1):
            self._print(f"  {number}. {literal(option)}")

    def rate(self, question: Question, intervals: Mapping[Rating, timedelta]) -> Rating:
        self._print(f"answer: {literal(question.card.answer_text)}")
        if question.card.explain:
            self._print(literal(question.card.explain))
        # A quiz that leaves the schedule alone passes no intervals: nothing comes back sooner or later.
        self._print("   ".join(f"{r.value} {r.name.lower()}" + (f" · {short_duration(intervals[r])}" if intervals else "")
                               for r in Rating))
        while True:
            said = self._read("rating (1-4)> ").strip().lower()
            rating = RATING_WORDS.get(said) or (Rating(int(said)) if said in ("1", "2", "3", "4") else None)
            if rating is not None:
                return rating
            self._print("please type 1, 2, 3 or 4 (again, hard, good, easy)")

    def confirm(self, question, response, verdict, proposed, intervals) -> Decision:
        return Decision(proposed)

    def waiting(self, message: str) -> None:
        self._print(f"waiting: {message}")

    def notice(self, message: str) -> None:
        self._print(literal(message))

    def saved(self, question: Question, verdict: Verdict, rating: Rating, due_in: timedelta) -> None:
        word = rating.name.lower() if verdict.outcome is Outcome.SELF else verdict.outcome.value
        self._verdict(question, verdict, word, f" · back in {short_duration(due_in)}")

    def feedback(self, question: Question, verdict: Verdict) -> None:
        self._verdict(question, verdict, verdict.outcome.value)

    def _verdict(self, question: Question, verdict: Verdict, word: str, after: str = "") -> None:
        """The verdict line, the slip or the items found and missed, the right answer and the explanation."""
        reason = f" ({literal(verdict.reason)})" if verdict.reason else ""
        self._print(f"{word}{reason}{after}")
        if verdict.slip:
            typed, expected = verdict.slip
            self._print(f"  you typed: {literal(typed)}")
            self._print(f"  expected:  {literal(expected)}")
            self._print(f"             {_carets(typed, expected)}")
        for mark in verdict.marks:
            self._print(f"  {mark.status}: {literal(mark.text)}")
        if verdict.outcome is not Outcome.SELF and verdict.outcome is not Outcome.CORRECT:
            self._print(f"answer: {literal(question.card.answer_text)}")
        if question.card.explain and verdict.outcome is not Outcome.SELF:
            self._print(literal(question.card.explain))

    def scored(self, quiz: Quiz) -> None:
        """The end of a quiz: `Score: R/N (P%)`, then one line per mistake."""
        from quizzer.ui.quiz import plain_summary

        self._print()
        for line in plain_summary(quiz):
            self._print(line)

    def summary(self, lines: list[tuple[str, str]]) -> None:
        self._print()
        for label, value in lines:
            self._print(f"{label}: {value}")


def _stage(question: Question) -> str:
    """Where the card is in its learning, or that it is asked in a quiz (which leaves that aside)."""
    return "quiz" if question.quiz else question.phase.value


def _pick(line: str, options: tuple[str, ...]) -> str | None:
    said = line.strip()
    if said.isdigit() and 1 <= int(said) <= len(options):
        return options[int(said) - 1]
    return None


def _ordering(line: str, options: tuple[str, ...]) -> tuple[str, ...]:
    """Item numbers separated by spaces or commas → the items in that order (empty if not valid)."""
    numbers = line.replace(",", " ").split()
    if not all(n.isdigit() and 1 <= int(n) <= len(options) for n in numbers):
        return ()
    return tuple(options[int(n) - 1] for n in numbers)


def _carets(typed: str, expected: str) -> str:
    """A line of ^ under the letters of `expected` that differ from `typed`."""
    width = max(len(typed), len(expected))
    return "".join(
        "^" if (typed[i : i + 1].casefold() != expected[i : i + 1].casefold()) else " " for i in range(width)
    ).rstrip()
