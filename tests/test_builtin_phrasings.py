"""Phrasings a fair teacher judges on the built-in cards (issue 13), judged as a study session would.

Add a case as one row: (deck, card, what the learner types, the outcome it must get).
"""

from __future__ import annotations

from functools import cache

import pytest

from quizzer.decks import builtin_deck_dir, load_deck
from quizzer.grading import judge
from quizzer.model import Outcome
from quizzer.session import Neighbours

CORRECT, WRONG = Outcome.CORRECT, Outcome.WRONG

CASES = [
    # a title or rank before the right name
    ("actors", "coup-leader", "Captain Amadou Sanogo", CORRECT),
    ("actors", "deposed-president", "President Amadou Toumani Touré", CORRECT),
    ("actors", "toure-1991-target", "General Moussa Traoré", CORRECT),
    # ... but the name must still be the right one
    ("actors", "coup-leader", "Captain Amadou Toumani Touré", WRONG),
    # the department's full name, with either spelling of US
    ("actors", "us-department", "US Department of State", CORRECT),
    ("actors", "us-department", "U.S. Department of State", CORRECT),
    # the country for its army, the article's spelling
    ("actors", "libyan-commander", "Libya", CORRECT),
    ("actors", "libyan-commander", "Libya's army", CORRECT),
    ("actors", "libyan-commander", "the Libyan army", CORRECT),
    ("actors", "libyan-commander", "al-Qadhafi", CORRECT),
    ("actors", "libyan-commander", "Muammar al-Qaddafi", CORRECT),
    # approximations where the answer is approximate; digits for ordinals
    ("dates", "multiparty-era-length", "around 20 years", CORRECT),
    ("dates", "multiparty-era-length", "nearly 20 years", CORRECT),
    ("dates", "multiparty-era-length", "around 30 years", WRONG),
    ("dates", "handover-ordinal", "3", CORRECT),
    ("dates", "handover-ordinal", "4", WRONG),
    ("takeaways", "junta-shortage", "weapons and equipment", CORRECT),
    # a date needs its year (docs/grading.md)
    ("dates", "coup-date", "22 March", WRONG),
    ("dates", "coup-date", "March 22", WRONG),
    # what the article says, not a month it never names
    ("dates", "toure-exit-month", "the following month", CORRECT),
    ("dates", "toure-exit-month", "next year", WRONG),
    # the new graded cards
    ("actors", "bloodless-coup", "bloodless", CORRECT),
    ("rebellions", "spillover-pretext", "a pretext", CORRECT),
    ("takeaways", "rationale-vs-aims", "in direct contradiction", CORRECT),
]


@cache
def _deck(name: str):
    return load_deck(builtin_deck_dir() / f"mali-2012-{name}.yaml", builtin=True)


@pytest.mark.parametrize(("deck", "card_id", "response", "outcome"), CASES, ids=lambda v: str(v))
def test_builtin_phrasing(deck, card_id, response, outcome):
    loaded = _deck(deck)
    card = next(c for c in loaded.cards if c.id == card_id)
    assert judge(card, response, neighbours=Neighbours(loaded).besides(card_id)).outcome is outcome
