"""Synthetic review histories drawn from known FSRS parameters, for the optimizer's tests."""

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

from quizzer.model import Rating
from quizzer.scheduler import DEFAULT_PARAMETERS, Scheduler, new_state

START = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)

# Known parameters clearly unlike the defaults: first memories three times as stable, and a steeper
# forgetting curve (decay 0.4 rather than 0.1542).
KNOWN = tuple(round(w * 3, 4) if i < 4 else w for i, w in enumerate(DEFAULT_PARAMETERS[:20])) + (0.4,)


def history(parameters, *, cards: int, days: int, seed: int = 7) -> list[tuple[str, str, datetime, int]]:
    """(deck, card, time, rating) of `cards` cards studied for `days` days by a learner whose memory follows
    `parameters`: each card first seen on one of the first days, then answered at a third to three
    times each interval, recalled with the probability FSRS gives, rated Good (some Hard or Easy) or Again."""
    rng = random.Random(seed)
    scheduler = Scheduler(parameters=parameters, fuzz=False)
    end = START + timedelta(days=days)
    answers = []
    for number in range(cards):
        at = START + timedelta(days=rng.randrange(days // 3), minutes=rng.randrange(600))
        state = new_state(at)
        while at < end:
            recalled = state.last_review is None or rng.random() < scheduler.retrievability(state, at)
            if not recalled:
                rating = Rating.AGAIN
            else:
                rating = rng.choices([Rating.HARD, Rating.GOOD, Rating.EASY], [1, 8, 1])[0]
            answers.append(("synthetic", f"card-{number:05d}", at, int(rating)))
            state = scheduler.review(state, rating, at)
            # Early or late, 1/3 to 3 times the interval: answers across the forgetting curve, so its shape
            # can be fitted (answers only when due would all be at about 90 % recall).
            at = at + (state.due - at) * 3 ** rng.uniform(-1, 1) + timedelta(minutes=rng.randrange(60))
    return sorted(answers, key=lambda answer: (answer[0], answer[1], answer[2]))


def write_progress(answers, path: Path) -> Path:
    """`answers` as a file for `quizzer progress import` (phase and next_due are only recorded)."""
    with path.open("w", encoding="utf-8") as out:
        for number, (deck, card, at, rating) in enumerate(answers):
            moment = at.isoformat(timespec="microseconds")
            out.write(json.dumps({
                "review_id": f"r{number:06d}", "deck": deck, "card": card, "reviewed_at": moment, "rating": rating,
                "verdict": "self", "response": "", "duration_ms": 1000, "session": None, "phase": "review",
                "next_due": moment,
            }) + "\n")
    return path
