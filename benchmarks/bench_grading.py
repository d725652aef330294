"""How long judging one response takes: median and p99 per kind of response, and over the whole mix.

A script, not a test: `python benchmarks/bench_grading.py [--rounds N]`. Answers are under 100
characters and the responses a realistic mix of right, alternative, slipped and wrong answers, judged
with a deck's worth of neighbours, as a study session does (card-side caches warm after the first
round, as they are after the first card of a session).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quizzer.grading import judge  # noqa: E402
from quizzer.model import Blank, Card, Kind  # noqa: E402


def typed(answer, accept=(), reject=(), ordered=False):
    return Card(id="c", kind=Kind.TYPED, question="q", answer=answer, accept=accept, reject=reject, ordered=ordered)


TOURE = typed("Amadou Toumani Touré", ("Touré", "ATT", "President Touré"), ("Amadou Haya Sanogo", "Sanogo"))
CNRDR = typed("National Committee for the Restoration of Democracy and State", ("CNRDR",), ("MNLA", "AQIM"))
SECTION = typed("Section 7008", ("7008", "Sec. 7008"), ("Section 7080", "Section 7800"))
REBELLION = typed("1990-1995", ("1990 to 1995",), ("1991-1995", "1990-1996"))
COUP = typed("22 March 2012", ("March 22, 2012",), ("22 March 2011",))
AZAWAD = typed(("Gao", "Kidal", "Timbuktu"))
TERMS = Card(id="c", kind=Kind.CLOZE, question="q", answer=("2002", "second"),
             blanks=(Blank("2002"), Blank("second", ("2nd",))))
TRUTH = Card(id="c", kind=Kind.TRUEFALSE, question="q", answer=False)
CHOICE = Card(id="c", kind=Kind.CHOICE, question="q", answer="National Movement for the Liberation of Azawad",
              distractors=("Ansar Dine", "AQIM"))

# Another card's answers in the same deck, as the session passes them.
NEIGHBOURS = (
    "Amadou Haya Sanogo", "Moussa Traoré", "soldier of democracy", "CNRDR", "Captain", "General",
    "Al-Qaeda in the Islamic Maghreb", "State Department", "Muammar al-Qadhafi", "MNLA", "Tuaregs",
    "National Movement for the Liberation of Azawad", "Mid-level officers", "Lower-ranking officers",
    "Azawad", "Libya", "Sahel", "Islamic Maghreb", "north", "Sahara", "France", "United States",
    "1960", "1991", "1992", "2002", "2011", "January 2012", "April 2012", "two decades", "third",
)

MIX = {
    "right": [(TOURE, "Amadou Toumani Touré"), (CNRDR, "national committee for the restoration of democracy and state"),
              (SECTION, "Section 7008"), (CHOICE, "National Movement for the Liberation of Azawad")],
    "alternative / form": [(TOURE, "toure"), (CNRDR, "CNRDR."), (SECTION, "sec 7008"), (REBELLION, "1990-95"),
                           (TRUTH, "F")],
    "date": [(COUP, "2012-03-22"), (COUP, "Mar. 22 2012"), (COUP, "03/22/2012"), (COUP, "March 2012")],
    "slip": [(TOURE, "Amadou Toumani Tourre"), (CNRDR, "National Comittee for the Restoration of Democracy and Stat"),
             (SECTION, "Sectoin 7008")],
    "wrong": [(TOURE, "Sanogo"), (SECTION, "Section 7080"), (REBELLION, "1990-1996"), (TOURE, "Moussa Traore"),
              (CNRDR, "National Movement for the Liberation of Azawad")],
    "list": [(AZAWAD, "Gao, Kidal and Timbuktu"), (AZAWAD, "timbuktu; kidl; gao"), (AZAWAD, "Gao, Timbuktu")],
    "cloze": [(TERMS, "2002|second"), (TERMS, "2002 | 2nd"), (TERMS, "2003|secnod")],
}


def timings(cases, rounds: int) -> list[float]:
    """Microseconds per judgement, one sample per case per round."""
    samples = []
    clock = time.perf_counter_ns
    for _ in range(rounds):
        for card, response in cases:
            start = clock()
            judge(card, response, neighbours=NEIGHBOURS)
            samples.append((clock() - start) / 1000)
    return samples


def p99(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=100)[98]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000, help="times each response is judged (default 2000)")
    rounds = parser.parse_args().rounds
    assert all(len(card.answer_text) < 100 for cases in MIX.values() for card, _ in cases)

    timings([case for cases in MIX.values() for case in cases], 1)  # warm the card-side caches
    rows = [(name, timings(cases, rounds)) for name, cases in MIX.items()]
    everything = [sample for _, samples in rows for sample in samples]
    print(f"{'responses':<20} {'judged':>8} {'median µs':>10} {'p99 µs':>8}")
    for name, samples in [*rows, ("all", everything)]:
        print(f"{name:<20} {len(samples):>8} {statistics.median(samples):>10.1f} {p99(samples):>8.1f}")


if __name__ == "__main__":
    main()
