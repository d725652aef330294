"""Judge a learner's response to a card: one entry point, `judge`."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from quizzer.model import Card, Kind, Outcome, Verdict

_TRUE = {"true", "t", "yes", "y"}
_FALSE = {"false", "f", "no", "n"}


def normalise(text: str) -> str:
    """Fold case, accents, spacing and surrounding punctuation away."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = " ".join(text.casefold().split())
    return text.strip(" .,;:!?\"'()[]")


def judge(
    card: Card,
    response: str | Sequence[str],
    *,
    neighbours: Sequence[str] = (),
    accepted: Sequence[str] = (),
) -> Verdict:
    """Judge `response` against `card`.

    `response` is the text typed (typed; cloze blanks separated by `|`), the option chosen
    (choice), true/false (truefalse) or the items in the order given (order).
    `neighbours` are other answers in the same deck that must never pass as slips, and `accepted`
    are extra alternatives the learner chose to accept for this card.
    """
    if card.kind is Kind.ORDER:
        right = tuple(response) == card.answer
        return Verdict(Outcome.CORRECT if right else Outcome.WRONG)
    assert isinstance(response, str)
    if card.kind is Kind.TRUEFALSE:
        said = normalise(response)
        value = True if said in _TRUE else False if said in _FALSE else None
        return Verdict(Outcome.CORRECT if value is card.answer else Outcome.WRONG)
    if card.kind is Kind.CHOICE:
        right = normalise(response) == normalise(str(card.answer))
        return Verdict(Outcome.CORRECT if right else Outcome.WRONG)
    if card.kind is Kind.CLOZE:
        parts = response.split("|")
        if len(parts) != len(card.blanks):
            return Verdict(Outcome.WRONG, f"expected {len(card.blanks)} blanks")
        for part, blank in zip(parts, card.blanks):
            if normalise(part) not in {normalise(a) for a in (blank.answer, *blank.accept)}:
                return Verdict(Outcome.WRONG)
        return Verdict(Outcome.CORRECT)
    if isinstance(card.answer, tuple):
        items = {normalise(p) for p in response.replace(";", ",").split(",") if p.strip()}
        right = items == {normalise(a) for a in card.answer}
        return Verdict(Outcome.CORRECT if right else Outcome.WRONG)
    said = normalise(response)
    if said == normalise(str(card.answer)):
        return Verdict(Outcome.CORRECT)
    if said in {normalise(a) for a in (*card.accept, *accepted)}:
        return Verdict(Outcome.CORRECT, "accepted alternative")
    return Verdict(Outcome.WRONG)
