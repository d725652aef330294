"""Content checks on the built-in Mali 2012 decks (issue 3).

The deck files are read straight from the repository's decks/ folder with yaml.safe_load, so these
checks do not depend on the loader's API: they are about what the decks say, not how they load.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml

DECK_DIR = Path(__file__).parent.parent / "decks"
DECK_IDS = (
    "mali-2012-dates",
    "mali-2012-actors",
    "mali-2012-legal",
    "mali-2012-rebellions",
    "mali-2012-places",
    "mali-2012-takeaways",
)
CARD_TYPES = {"flash", "typed", "choice", "truefalse", "cloze", "order"}
_PLACE = r"(¶\d+|takeaway [123])"
# One place, several joined by ", " (a card drawing on more than one paragraph cites all), or "external".
REF_PATTERN = re.compile(rf"^({_PLACE}(, {_PLACE})*|external)$")
ARTICLE_TITLE = "Three Takeaways from Last Week's Coup in Mali"


def _load(deck_id: str) -> dict:
    path = DECK_DIR / f"{deck_id}.yaml"
    assert path.is_file(), f"missing built-in deck {path}"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), f"{path} is not a YAML mapping"
    return data


@pytest.fixture(scope="module")
def decks() -> dict[str, dict]:
    return {deck_id: _load(deck_id) for deck_id in DECK_IDS}


@pytest.fixture(scope="module")
def cards(decks) -> list[tuple[str, dict]]:
    return [(deck_id, card) for deck_id, deck in decks.items() for card in deck["cards"]]


def _kind(card: dict) -> str:
    return card.get("type", "flash")


def _prompt(card: dict) -> str:
    """What the card asks: the question, or a cloze card's text with its blanks emptied."""
    if _kind(card) == "cloze":
        return re.sub(r"\{\{.*?\}\}", "___", card["text"])
    return card["question"]


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


@pytest.mark.parametrize("deck_id", DECK_IDS)
def test_deck_exists_with_at_least_ten_cards(deck_id):
    deck = _load(deck_id)
    assert deck.get("id") == deck_id
    assert isinstance(deck.get("cards"), list)
    assert len(deck["cards"]) >= 10, f"{deck_id} has only {len(deck['cards'])} cards"


@pytest.mark.parametrize("deck_id", DECK_IDS)
def test_deck_tags_and_source(deck_id):
    deck = _load(deck_id)
    topic = deck_id.removeprefix("mali-2012-")
    assert "mali-2012" in deck.get("tags", []), f"{deck_id} lacks the mali-2012 tag"
    assert topic in deck.get("tags", []), f"{deck_id} lacks its topic tag {topic!r}"
    source = deck.get("source") or {}
    assert source.get("title") == ARTICLE_TITLE
    assert source.get("kind") == "blog post"


def test_every_card_has_an_id_unique_in_its_deck(decks):
    for deck_id, deck in decks.items():
        ids = [card.get("id") for card in deck["cards"]]
        assert all(isinstance(i, str) and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", i) for i in ids), deck_id
        repeated = [i for i, n in Counter(ids).items() if n > 1]
        assert not repeated, f"{deck_id}: repeated card ids {repeated}"


def test_every_card_has_explain_and_a_valid_ref(cards):
    for deck_id, card in cards:
        where = f"{deck_id}/{card.get('id')}"
        explain = card.get("explain")
        assert isinstance(explain, str) and explain.strip(), f"{where} has no explain"
        ref = card.get("ref")
        assert isinstance(ref, str) and REF_PATTERN.match(ref), f"{where} has a bad ref {ref!r}"


def test_no_two_cards_ask_the_same_question(cards):
    seen: dict[str, str] = {}
    for deck_id, card in cards:
        where = f"{deck_id}/{card['id']}"
        key = _normalise(_prompt(card))
        assert key, f"{where} asks nothing"
        assert key not in seen, f"{where} asks the same question as {seen.get(key)}"
        seen[key] = where


def test_choice_answers_are_not_distractors_and_distractors_do_not_repeat(cards):
    choices = [(d, c) for d, c in cards if _kind(c) == "choice"]
    assert choices, "no choice cards at all"
    for deck_id, card in choices:
        where = f"{deck_id}/{card['id']}"
        distractors = [_normalise(x) for x in card.get("distractors", [])]
        assert len(distractors) >= 2, f"{where} needs at least two distractors"
        assert _normalise(card["answer"]) not in distractors, f"{where} lists its answer as a distractor"
        assert len(set(distractors)) == len(distractors), f"{where} repeats a distractor"


def test_every_card_type_appears(cards):
    kinds = {_kind(card) for _, card in cards}
    assert kinds <= CARD_TYPES, f"unknown card types {kinds - CARD_TYPES}"
    assert kinds == CARD_TYPES, f"missing card types {CARD_TYPES - kinds}"


def test_at_least_ninety_cards(cards):
    assert len(cards) >= 90, f"only {len(cards)} cards"


def test_at_least_a_third_are_typed(cards):
    typed = sum(1 for _, card in cards if _kind(card) == "typed")
    assert 3 * typed >= len(cards), f"only {typed} of {len(cards)} cards are typed"


def test_an_order_card_spans_1962_to_2012(cards):
    def spans(card: dict) -> bool:
        return "1962" in card["explain"] and "2012" in card["explain"]

    assert any(_kind(card) == "order" and spans(card) for _, card in cards)


def test_order_items_do_not_carry_their_own_years(cards):
    """An item dated "(1962)" answers its own place in the timeline (issue 13)."""
    for deck_id, card in cards:
        for item in card.get("items", []) if _kind(card) == "order" else []:
            assert not re.search(r"\b(1[89]|20)\d\d\b", item), f"{deck_id}/{card['id']}: {item!r}"


def test_background_cards_are_tagged_and_say_so(cards):
    """A fact from outside the article is tagged `background` and its explanation says so (issue 13)."""
    for deck_id, card in cards:
        external = card["ref"] == "external"
        assert external == ("background" in card.get("tags", [])), f"{deck_id}/{card['id']}"
        if external:
            assert card["explain"].startswith("Background, not from the article"), f"{deck_id}/{card['id']}"


def test_truefalse_answers_are_booleans(cards):
    for deck_id, card in cards:
        if _kind(card) == "truefalse":
            assert isinstance(card.get("answer"), bool), f"{deck_id}/{card['id']} answer is not true/false"


def test_typed_answers_are_short_and_never_rejected(cards):
    for deck_id, card in cards:
        if _kind(card) != "typed":
            continue
        where = f"{deck_id}/{card['id']}"
        answer = card["answer"]
        items = answer if isinstance(answer, list) else [answer]
        assert all(isinstance(x, str) and x.strip() for x in items), f"{where}: answers must be text"
        assert all(len(x.split()) <= 8 for x in items), f"{where}: typed answer too long to produce"
        right = {_normalise(x) for x in items if not isinstance(answer, list)}
        right |= {_normalise(x) for x in card.get("accept", [])}
        rejected = {_normalise(x) for x in card.get("reject", [])}
        assert not right & rejected, f"{where}: {right & rejected} is both accepted and rejected"


def test_readme_counts_match_the_decks(decks):
    """README's "What you will learn" gives each deck's card count and the totals per type (issue 13)."""
    readme = (DECK_DIR.parent / "README.md").read_text(encoding="utf-8")
    for deck_id, deck in decks.items():
        assert f"**{deck_id}** ({len(deck['cards'])} cards)" in readme, deck_id
    kinds = Counter(_kind(card) for deck in decks.values() for card in deck["cards"])
    names = {"truefalse": "true/false"}
    per_type = ", ".join(f"{n} {names.get(k, k)}" for k, n in kinds.most_common())
    total = sum(kinds.values())
    assert f"({total} cards: {per_type})" in " ".join(readme.split())
