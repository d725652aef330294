"""Every pattern in quizzer, and judging an answer, takes time linear in its input (issue 10 #3–#5).

One line per case in CASES: the pattern it exercises, the function that uses it, the adversarial
input (a unit repeated to the wanted size) and the size limit such input can reach in a real file.
The test doubles the input three times and checks the time at most ~2.5× per doubling (linear is 2×,
quadratic 4×); it is never a wall-clock bound. `benchmarks/bench_hostile.py` times each case at its size limit.
"""

from __future__ import annotations

import gc
import re
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from quizzer import grading
from quizzer.cli.common import _REQUIRED
from quizzer.config import PARAMETERS_LINE
from quizzer.decks import _DERIVED_ID, CARD_ID_PATTERN
from quizzer.formats import anki
from quizzer.formats.anki_text import HEADER
from quizzer.formats.table import _check_header, _delimiter, spreadsheet_cell
from quizzer.grading import judge
from quizzer.library import TEMPORARY
from quizzer.model import DECK_ID_PATTERN, Blank, Card, Kind, cloze_blanks, replace_blanks
from quizzer.ui.text import json_safe, literal

DECK = 10 * 1024 * 1024  # a deck file, a spreadsheet or Anki text: read up to 10 MB
FIELD = 1024 * 1024  # one typed response (a line pasted at the prompt), or one Anki field or template
SRC = Path(__file__).resolve().parents[2] / "quizzer"


@dataclass(frozen=True)
class Case:
    pattern: str  # module.NAME of the compiled pattern exercised
    run: Callable[[str], object]
    unit: str  # repeated to make the input
    limit: int  # characters such input can reach
    head: str = ""
    tail: str = ""
    start: int = 256  # the smallest input measured

    def text(self, size: int) -> str:
        return self.head + self.unit * max(1, size // len(self.unit)) + self.tail


def typed(answer, accept=()):
    return Card("c", Kind.TYPED, "q?", answer, accept=accept)


def numbered(columns: list[str]) -> list[str]:
    """Header cells made all different, as in a wide spreadsheet: 0x, 1x, 2x, …"""
    return [f"{n}{name}" for n, name in enumerate(columns)]


def judge_shifted(text: str):
    """A typed answer, and the same text moved by one character: no common start or end to trim."""
    return judge(typed(text), text[1:] + "x")


def judge_list(text: str):
    items = tuple(text.split(","))
    return judge(typed(items), ", ".join(item + "y" for item in items), neighbours=items[::2])


def judge_cloze(text: str):
    answers = text.split("|")
    card = Card("c", Kind.CLOZE, "{{x}}" * len(answers), tuple(answers), blanks=tuple(Blank(a) for a in answers))
    return judge(card, "|".join(a + "y" for a in answers), neighbours=answers)


# Every fair phrasing applies (rules 10-15): the question asks whose army, the answer is approximate.
FAIR = Card("c", Kind.TYPED, "Whose army, which region?", "Libya and about 20 years", accept=("Libya",))


def judge_fair(text: str):
    return judge(FAIR, text, neighbours=("Libyan people",))


def judge_fair_answer(text: str):
    """A long answer `A and B`, answered `B and A` wrapped in a title and a head noun."""
    return judge(Card("c", Kind.TYPED, "Whose army?", f"{text} and about 20 years"),
                 f"Gen. nearly 20 years and {text} region")


CASES = [
    Case("model._CLOZE_BLANK", cloze_blanks, "{{a", DECK),
    Case("model._CLOZE_BLANK", lambda t: replace_blanks(t, str.upper), "{{a}", DECK),
    Case("model.DECK_ID_PATTERN", DECK_ID_PATTERN.match, "a-", DECK, tail="!"),
    Case("decks.CARD_ID_PATTERN", CARD_ID_PATTERN.match, "a.", DECK, tail="!"),
    Case("decks._DERIVED_ID", _DERIVED_ID.match, "0", DECK, head="typed-"),
    Case("ui.text._SEQUENCE", literal, "\x1b[0;", DECK),
    Case("ui.text._SEQUENCE", literal, "a", DECK, head="\x1b]"),
    Case("ui.text._SEQUENCE", literal, "\x9d", DECK),  # C1 string introducers, none closed
    Case("ui.text._BIDI", literal, "\u202ea", DECK),
    Case("ui.text._JSON_UNSAFE", json_safe, "\x9b\u2066", DECK),
    Case("ui.text._CONTROL", literal, "\x01a", DECK),
    Case("formats.anki_text.HEADER", HEADER.match, "a ", DECK, head="#"),
    Case("formats.anki.SOUND", anki.tidy, "[sound:", FIELD),
    Case("formats.anki.ANKI_CLOZE", anki.cloze_numbers, "{{c1::a:", FIELD),
    Case("formats.anki.ANKI_CLOZE", lambda t: anki.cloze_text(t, 1), "{{c1::a::b", FIELD),
    Case("formats.anki.TAG", lambda t: anki.render(t, {"a": "x"}), "{{#a}}", FIELD),
    Case("formats.anki.TAG", lambda t: anki.render(t, {"a": "x"}), "{{a", FIELD),
    Case("formats.anki.TAG", lambda t: anki.render(t, {"a": "x"}), " ", FIELD, head="{{#a", tail="}}x{{/a}}"),
    Case("formats.anki.TYPE_IN", anki.typed_field, "{{type:", FIELD),
    Case("formats.anki.TYPE_IN", anki.typed_field, " ", FIELD, head="{{type:a", tail="}}"),
    Case("formats.anki.CLOZE_FIELD", lambda t: anki.cloze_field(t, ()), "{{cloze:", FIELD),
    Case("formats.anki.CLOZE_FIELD", lambda t: anki.cloze_field(t, ()), "a:", FIELD, head="{{", tail="}}"),
    Case("formats.anki.HR", anki.answer_side, "<hr", FIELD),
    Case("formats.anki.ANSWER_ID", anki.answer_side, "id ", FIELD, head="<hr ", tail=">"),
    # Not our pattern but the standard library's HTML parser, on every Anki field: quadratic on unclosed
    # tags, and before Python 3.13 an AssertionError on a malformed `<![`.
    Case("formats.anki html_to_text", lambda t: anki.html_to_text(t), "<a", FIELD),
    Case("formats.anki html_to_text", lambda t: anki.html_to_text(t), "<![", FIELD),
    Case("formats.anki html_to_text", lambda t: anki.html_to_text(t), "<a/", FIELD, tail=">"),
    Case("formats.anki.QUIZZER_GUID", anki.card_id, "a-", FIELD, head="quizzer:", tail=":"),
    Case("formats.anki.PLAIN_GUID", anki.card_id, "a.", FIELD, tail="!"),
    Case("formats.table sniffer", lambda t: _delimiter(Path("x.csv"), t), "a'b,", DECK),
    Case("formats.table._FORMULA", spreadsheet_cell, "'", DECK, tail="a"),
    Case("formats.table header", lambda t: _check_header(Path("x.csv"), 1, numbered(t.split(",")), []), "x,", DECK),
    # A file name is at most 255 bytes, but the pattern must not care.
    Case("library.TEMPORARY", TEMPORARY.match, ".yml", FIELD, head=".", tail=".abcdefgh.tmpx"),
    # config.toml is read up to 1 MB; spaces or `[` after a line's start, never `parameters`.
    Case("config.PARAMETERS_LINE", PARAMETERS_LINE.search, " ", FIELD, head="\n[", tail="x"),
    Case("config.PARAMETERS_LINE", PARAMETERS_LINE.search, "\n ", FIELD),
    # typer's usage text for an argument, never user text; still linear.
    Case("cli.common._REQUIRED", _REQUIRED.match, "}", FIELD, head="{", tail="x"),
    Case("grading._STRAY_DOT", grading.normalise, "a.", FIELD),
    Case("grading._NUMBER", grading.normalise, ",000", FIELD, head="1", tail="0"),
    Case("grading._RANGE", judge_shifted, "1 ", FIELD),
    Case("grading._RANGE", judge_shifted, "between 1 ", FIELD),
    Case("grading._ISO", grading._read_date, "1", FIELD),
    Case("grading._DAY_MONTH", grading._read_date, "a", FIELD, head="1 of "),
    Case("grading._MONTH_DAY", grading._read_date, "a", FIELD, tail=" 1"),
    Case("grading._MONTH_YEAR", grading._read_date, "a", FIELD, tail=" of 2012"),
    Case("grading._NUMERIC", grading._read_date, "1/", FIELD),
    Case("grading._NUMERIC_MONTH", grading._read_date, "1 ", FIELD),
    Case("grading._YEAR", grading._read_date, "2012", FIELD),
    Case("grading._LIST_SEPARATOR", judge_list, " ", FIELD, head="a", tail="b,c"),
    # Edit distance grows with the product of the lengths; below ~8,000 characters other work hides it.
    Case("grading: typed answer", judge_shifted, "ab ", FIELD, start=8 * 1024),
    Case("grading: fair phrasings", judge_fair, "Capt. about 20 region of ", FIELD, start=8 * 1024),
    Case("grading: fair phrasings", judge_fair, "Libya's and ", FIELD, start=8 * 1024, tail="army"),
    Case("grading: fair phrasings", judge_fair_answer, "us gen ", FIELD, start=8 * 1024),
    # Below about 4,000 items slips are looked for, which costs pieces × items × other answers (under
    # grading._SLIP_WORK); past it each piece must name an item exactly, which is linear.
    Case("grading: list answer", judge_list, "w1x,", FIELD, start=64 * 1024),
    # Small clozes cost most per blank; the neighbours' share (blanks × answers, before the fix) shows past ~1,000.
    Case("grading: cloze answer", judge_cloze, "abcd|", FIELD, start=16 * 1024),
]

RATIO = 2.5
GROWN = 0.005  # the input doubles until one run takes this long (or reaches its limit): past start-up costs
BATCH = 0.05  # runs repeat until they fill this long, so timer noise is small beside what is measured
SPAN = 3  # doublings measured at once
TRIES = 3  # a shared machine can slow one measurement: a linear case passes on any try


def seconds(case: Case, size: int) -> float:
    """CPU seconds per run on input of `size` characters: the best of three batches of runs. CPU time, not
    wall time: on a loaded machine the wall clock also counts the time other programs ran."""
    text = case.text(size)
    best = float("inf")
    for _ in range(3):
        gc.collect()
        runs, start = 0, time.process_time()
        while not runs or (elapsed := time.process_time() - start) < BATCH:
            case.run(text)
            runs += 1
        best = min(best, elapsed / runs)
    return best


def doubling_ratio(case: Case) -> tuple[int, float]:
    """(size, the time ratio per doubling), from the smallest size whose run takes GROWN seconds.

    The ratio is taken over SPAN doublings at once, (time at 8 × size / time at size) ** (1/3):
    a measurement slowed by a busy machine then moves it by the cube root of the slowdown."""
    size = case.start
    while size < case.limit:
        start = time.process_time()
        case.run(case.text(size))
        if time.process_time() - start >= GROWN:
            break
        size *= 2
    span = max(1, min(SPAN, (case.limit // size).bit_length() - 1))
    return size, (seconds(case, size << span) / seconds(case, size)) ** (1 / span)


def ratio_in_a_fresh_process(index: int) -> tuple[int, float]:
    """`doubling_ratio` of CASES[index] measured in a new interpreter: a long test run's heap can slow
    the regex engine's growing backtrack stack (7× per doubling seen late in a full run, 2× alone)."""
    code = (f"import sys; sys.path.insert(0, {str(Path(__file__).parents[1])!r}); "
            f"from hostile.test_patterns import CASES, doubling_ratio; print(*doubling_ratio(CASES[{index}]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=600)
    size, ratio = out.stdout.split()
    return int(size), float(ratio)


@pytest.mark.parametrize("index", range(len(CASES)),
                         ids=[f"{c.pattern}:{c.head}{c.unit}{c.tail}"[:60] for c in CASES])
def test_doubling_the_input_at_most_doubles_the_work(index):
    case, measured = CASES[index], []
    for attempt in range(TRIES):
        size, ratio = doubling_ratio(case) if attempt < TRIES - 1 else ratio_in_a_fresh_process(index)
        if ratio <= RATIO:
            return
        measured.append(f"{ratio:.1f}× at {size:,} characters")
    pytest.fail(f"{case.pattern} is not linear: doubling its input took {', '.join(measured)}")


def test_every_pattern_in_the_code_has_a_case():
    compiled = {
        f"{path.relative_to(SRC).with_suffix('').as_posix().replace('/', '.')}.{name}"
        for path in SRC.rglob("*.py")
        for name in re.findall(r"^(\w+) = re\.compile\(", path.read_text(encoding="utf-8"), re.M)
    }
    assert compiled, "no patterns found: has the scan broken?"
    assert compiled <= {case.pattern for case in CASES}
