"""One answer in quizzer's study loop against one answer in Anki's. Run: python benchmarks/anki_peer.py [--answers N]

quizzer: a real StudySession on a 1,000-card typed deck (each answer judged among the deck's 999
other answers, the four-rating interval preview, FSRS, the commit), driven by a prompter that
answers at once; an answer's cost is the time from one question to the next. Anki: a collection of
1,000 Basic notes in Anki's own Rust backend, get_queued_cards + build_answer + answer_card per
answer. Both answer every card right; rounds alternate between the two so both see the same load.
Each side is timed twice: wall time (the target's ratio), and CPU time of this process (Anki's Rust
backend runs in it). Both commit every answer with an fsync of the WAL, whose wait is most of the wall
time when other programs write to the same disk; the CPU time moves less with that, but not nothing:
on a shared machine a process is charged more CPU the longer each answer waits (docs/benchmarks.md,
"One answer, seventh round"), so the ratio to trust is a quiet disk's. Bytes written
per answer (`/proc/self/io`'s wchar over each round) say how many WAL frames (4,120 bytes) each commits.
Nothing is installed here: Anki's part runs when the `anki` package is importable (it is in the
test extra; for a benchmark-only venv, `pip install anki`). Prints both medians and the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from quizzer.model import Card, Deck, Kind, Rating  # noqa: E402
from quizzer.scheduler import Scheduler  # noqa: E402
from quizzer.session import Decision, Limits, Quit, StudySession  # noqa: E402
from quizzer.store import Store  # noqa: E402

CARDS = 1_000
ROUNDS = 6
FRAME = 4096 + 24  # a WAL frame: a page and its header


def anki_available() -> bool:
    try:
        import anki.collection  # noqa: F401
    except ImportError:
        return False
    return True


def clocks() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def written() -> int:
    """Bytes this process has passed to write calls so far (0 where /proc is missing)."""
    try:
        with open("/proc/self/io") as io:
            return next(int(line.split()[1]) for line in io if line.startswith("wchar:"))
    except OSError:
        return 0


def since(start: tuple[float, float]) -> tuple[float, float]:
    """(wall, CPU) seconds since `start`."""
    wall, cpu = clocks()
    return wall - start[0], cpu - start[1]


class Answering:
    """A prompter that answers every question right at once and times question to question."""

    def __init__(self, answers: int):
        self.left = answers
        self.samples: list[tuple[float, float]] = []  # (wall, CPU) seconds
        self.last: tuple[float, float] | None = None

    def ask(self, question):
        if self.last is not None:
            self.samples.append(since(self.last))
        if self.left == 0:
            self.last = None
            raise Quit
        self.left -= 1
        self.last = clocks()
        return question.card.answer

    def rate(self, question, intervals):
        return Rating.GOOD

    def confirm(self, question, response, verdict, proposed, intervals):
        return Decision(proposed)

    def saved(self, question, verdict, rating, due_in):
        pass

    def waiting(self, message):
        pass

    def notice(self, message):
        pass


def quizzer_round(store: Store, deck: Deck, clock: list[datetime], answers: int) -> list[tuple[float, float]]:
    prompter = Answering(answers)
    StudySession(store, Scheduler(), [deck], limits=Limits(new_per_day=10 * CARDS, reviews_per_day=10 * CARDS),
                 clock=lambda: clock[0]).run(prompter)
    clock[0] += timedelta(minutes=30)  # the next round finds the learning steps passed
    return prompter.samples


def anki_collection(folder: Path):
    from anki.collection import Collection

    col = Collection(str(folder / "collection.anki2"))
    col.set_config("collapseTime", 365 * 86_400)  # learn ahead: a card in learning is asked again at once
    deck_id = col.decks.id("peer")
    basic = col.models.by_name("Basic")
    for number in range(CARDS):
        note = col.new_note(basic)
        note["Front"], note["Back"] = f"Question {number}?", f"answer {number}"
        col.add_note(note, deck_id)
    col.decks.select(deck_id)
    col.sched.extend_limits(10 * CARDS, 10 * CARDS)  # as quizzer's limits below: every card may be asked today
    return col


def anki_round(col, answers: int) -> list[tuple[float, float]]:
    samples = []
    for _ in range(answers):
        start = clocks()
        queued = col.sched.get_queued_cards(fetch_limit=1)
        top = queued.cards[0]
        card = col.get_card(top.card.id)
        card.start_timer()
        col.sched.answer_card(col.sched.build_answer(card=card, states=top.states, rating=2))  # 2: Good
        samples.append(since(start))
    return samples


def measure(answers: int, cpu: bool = False) -> tuple[float, float | None]:
    """Median milliseconds per answer, of wall time or of CPU time: (quizzer, Anki or None when Anki is not
    installed)."""
    return measure_both(answers)[cpu]


def measure_both(answers: int, fsync: bool = True, saving: bool = True) -> tuple[tuple[float, float | None], ...]:
    """`measure`'s medians of wall time and of CPU time, and the bytes written per answer, from one run.
    `fsync=False` sets both databases to `synchronous = OFF`: what each side costs besides its durability,
    for comparison only (quizzer never runs so). `saving=False` replaces quizzer's `Store.record` by a
    function that saves nothing: the session's own Python (judging, FSRS, the queue) against Anki's whole
    answer."""
    deck = Deck(id="peer", title="Peer", cards=tuple(
        Card(id=f"c{n}", kind=Kind.TYPED, question=f"Question {n}?", answer=f"answer {n} {n * 7919 % 1000}")
        for n in range(CARDS)))
    ours, theirs = [], []
    wrote = [0, 0]  # bytes: quizzer, Anki
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "q.db") as store:
        col = anki_collection(Path(folder)) if anki_available() else None
        if not saving:
            store.record = lambda review, phase_before, after, **_: after
        if not fsync:
            store.db.execute("PRAGMA synchronous = OFF")
            if col is not None:
                col.db.execute("PRAGMA synchronous = OFF")
        clock = [datetime(2026, 3, 2, 12, tzinfo=timezone.utc)]
        try:
            for _ in range(ROUNDS):
                before = written()
                ours += quizzer_round(store, deck, clock, answers // ROUNDS)
                wrote[0] += written() - before
                if col is not None:
                    before = written()
                    theirs += anki_round(col, answers // ROUNDS)
                    wrote[1] += written() - before
        finally:
            if col is not None:
                col.close()

    def medians(i: int) -> tuple[float, float | None]:  # 0: wall, 1: CPU
        return (statistics.median(s[i] for s in ours) * 1000,
                statistics.median(s[i] for s in theirs) * 1000 if theirs else None)

    return medians(0), medians(1), (wrote[0] / len(ours), wrote[1] / len(theirs) if theirs else None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1200, help="answers on each side (default 1200)")
    parser.add_argument("--without-fsync", action="store_true",
                        help="both sides with synchronous = OFF: the cost of everything but the fsync, for comparison")
    parser.add_argument("--without-saving", action="store_true",
                        help="quizzer's Store.record saves nothing: the session's Python against Anki's whole answer")
    args = parser.parse_args()
    both = measure_both(args.answers, fsync=not args.without_fsync, saving=not args.without_saving)
    print(f"{args.answers} answers each, {ROUNDS} alternating rounds, load average {os.getloadavg()[0]:.1f}"
          + (", both sides WITHOUT fsync (synchronous = OFF)" if args.without_fsync else "")
          + (", quizzer's answers NOT SAVED (Store.record does nothing)" if args.without_saving else ""))
    for what, (ours, theirs) in zip(("wall", "CPU"), both):
        print(f"  {what} time: quizzer, one answer in a StudySession ({CARDS:,} typed cards): {ours:.3f} ms median")
        if theirs is None:
            print("  Anki: not installed (pip install anki)")
            break
        print(f"  {what} time: Anki, get_queued_cards + build_answer + answer_card: {theirs:.3f} ms median")
        print(f"  {what} time: ratio quizzer / Anki: {ours / theirs:.2f}×")
    ours, theirs = both[2]
    print(f"  written per answer (WAL frames and checkpoints): quizzer {ours / 1000:.1f} KB ({ours / FRAME:.1f} "
          "frames' worth)" + (f", Anki {theirs / 1000:.1f} KB ({theirs / FRAME:.1f})" if theirs is not None else ""))


if __name__ == "__main__":
    main()
