"""The one-card deck and the one good answer line that the progress-file tables change a key of."""

DECK = """\
id: demo
title: Demo
cards:
  - id: leader
    type: typed
    question: Who led the coup?
    answer: Amadou Haya Sanogo
"""

ANSWER = {
    "review_id": "r1", "deck": "demo", "card": "leader", "reviewed_at": "2026-03-02T12:00:00.000000+00:00",
    "rating": 3, "verdict": "correct", "response": "Sanogo", "duration_ms": 4000, "session": "s1",
    "phase": "new", "next_due": "2026-03-02T12:10:00.000000+00:00",
}
