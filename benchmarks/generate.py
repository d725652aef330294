"""Synthetic libraries for the benchmarks: many YAML decks with a realistic mix of card kinds, and a
review log to go with them.

Run: python benchmarks/generate.py HOME [--decks 100] [--cards 100000] [--reviews N] — writes
HOME/decks/*.yaml, so HOME works as a QUIZZER_HOME, and with --reviews a progress file
HOME/reviews.jsonl for `quizzer progress import`. Deck and card ids (`bench-007`, `card-000107`)
match those bench_stats.py writes, so the decks and any synthetic progress belong together.
"""

from __future__ import annotations

import argparse
import json
import random
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

WORDS = (
    "army coup junta election president captain rebellion north desert treaty aid budget section statute "
    "minister capital river border region movement committee democracy state republic independence "
    "constitution officer soldier region supply weapon return fighter negotiation ceasefire mediation "
    "embassy sanction parliament referendum governor province tribe alliance border crossing"
).split()


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize()


def _card(rng: random.Random, number: int) -> str:
    """One card as YAML lines; the kind cycles through a typical deck's mix."""
    q = json.dumps  # a JSON string is a valid double-quoted YAML scalar
    question = q(f"{_text(rng, rng.randint(6, 14))} (card {number})?")
    explain = q(_text(rng, rng.randint(15, 30)) + ".")
    head = f"  - id: card-{number:06d}\n"
    kind = number // 100 % 20  # 100 decks share card numbers by remainder: vary the kind by the quotient
    if kind < 8:
        accept = ", ".join(q(_text(rng, 2)) for _ in range(rng.randint(0, 2)))
        return (f"{head}    type: typed\n    question: {question}\n    answer: {q(_text(rng, 3))}\n"
                f"    accept: [{accept}]\n    explain: {explain}\n")
    if kind < 12:
        distractors = ", ".join(q(f"{_text(rng, 3)} {n}") for n in range(3))
        return (f"{head}    type: choice\n    question: {question}\n    answer: {q(_text(rng, 4))}\n"
                f"    distractors: [{distractors}]\n    explain: {explain}\n")
    if kind < 14:
        return f"{head}    type: truefalse\n    question: {question}\n    answer: {rng.choice(['true', 'false'])}\n"
    if kind < 17:
        text = q(f"{_text(rng, 5)} {{{{{rng.randint(1900, 2020)}}}}} {_text(rng, 4)} {{{{{rng.choice(WORDS)}}}}}.")
        return f"{head}    type: cloze\n    text: {text}\n    explain: {explain}\n"
    if kind < 18:
        items = ", ".join(q(f"{rng.choice(WORDS)} {year}") for year in sorted(rng.sample(range(1900, 2020), 4)))
        return f"{head}    type: order\n    question: {question}\n    items: [{items}]\n"
    return f"{head}    question: {question}\n    answer: {q(_text(rng, 8))}\n    explain: {explain}\n"


def deck_text(deck_id: str, title: str, numbers, seed: int = 1) -> str:
    rng = random.Random(f"{seed}-{deck_id}")
    return (f"id: {deck_id}\ntitle: {json.dumps(title)}\ndescription: Synthetic cards for benchmarks.\n"
            f"tags: [bench]\ncards:\n" + "".join(_card(rng, number) for number in numbers))


def write_library(home: Path, decks: int = 100, cards: int = 100_000, seed: int = 1) -> Path:
    """`decks` deck files holding `cards` cards in all, in HOME/decks; card n goes to deck n % decks."""
    folder = home / "decks"
    folder.mkdir(parents=True, exist_ok=True)
    for deck in range(decks):
        deck_id = f"bench-{deck:03d}"
        numbers = range(deck, cards, decks)
        (folder / f"{deck_id}.yaml").write_text(deck_text(deck_id, f"Bench deck {deck}", numbers, seed),
                                                encoding="utf-8")
    return folder


LONGEST_GAP = timedelta(days=120)  # between two answers to a card in the synthetic review log


def write_review_log(path: Path, cards: int, reviews: int, now: datetime, decks: int = 100, seed: int = 1) -> int:
    """`reviews` answers to `cards` cards as JSON Lines, as `quizzer progress export` writes them.

    Each card is answered when it falls due, or a little before (never more than four months after
    its previous answer, so a card's history spans a few years, not FSRS's longest intervals), about
    one answer in twelve wrong, and scheduled by quizzer's own FSRS scheduler, so importing the file
    replays exactly this schedule. Each card's answers are then moved in time so the last lies in
    the last four months and the card is due after now, as for a learner who keeps up. Returns the
    number of lines written.
    """
    from quizzer.model import Rating
    from quizzer.scheduler import Scheduler, new_state

    scheduler = Scheduler()
    rng = random.Random(seed)
    per_card, extra = divmod(reviews, cards)
    verdicts = {Rating.AGAIN: "wrong", Rating.HARD: "close", Rating.GOOD: "correct", Rating.EASY: "correct"}
    written = 0
    with path.open("w", encoding="utf-8") as out:
        for number in range(cards):
            at = datetime(2000, 1, 1, 8, tzinfo=timezone.utc)  # moved to the present below
            state, answers = new_state(at), []
            session = str(uuid.UUID(int=rng.getrandbits(128)))
            for _ in range(per_card + (number < extra)):
                rating = Rating(rng.choice((2, 3, 3, 3, 3, 3, 3, 4, 4)) if rng.random() < 0.92 else 1)
                review_id = str(uuid.UUID(int=rng.getrandbits(128)))
                after = scheduler.review(state, rating, at, review_id)
                answers.append((review_id, at, rating, state.phase.value, after.due, session))
                state = after
                at += min(after.due - at, LONGEST_GAP) * rng.uniform(0.85, 1.0)
                if rng.random() < 0.3:
                    session = str(uuid.UUID(int=rng.getrandbits(128)))
            last = answers[-1][1]
            shift = now - min(state.due - last, LONGEST_GAP) * rng.random() - last
            for review_id, moment, rating, phase, due, session in answers:
                out.write(json.dumps({
                    "review_id": review_id, "deck": f"bench-{number % decks:03d}", "card": f"card-{number:06d}",
                    "reviewed_at": (moment + shift).isoformat(timespec="microseconds"), "rating": int(rating),
                    "verdict": verdicts[rating], "response": "an answer", "duration_ms": rng.randrange(2000, 20000),
                    "session": session, "phase": phase, "next_due": (due + shift).isoformat(timespec="microseconds"),
                }) + "\n")
            written += len(answers)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("home", type=Path, help="folder to use as QUIZZER_HOME")
    parser.add_argument("--decks", type=int, default=100)
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--reviews", type=int, default=0, help="also write this many answers to reviews.jsonl")
    args = parser.parse_args()
    folder = write_library(args.home, args.decks, args.cards)
    print(f"wrote {args.decks} decks with {args.cards:,} cards to {folder}")
    if args.reviews:
        log = args.home / "reviews.jsonl"
        count = write_review_log(log, args.cards, args.reviews, datetime.now(timezone.utc), args.decks)
        print(f"wrote {count:,} answers to {log}")


if __name__ == "__main__":
    main()
