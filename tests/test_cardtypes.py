"""Card types in one table (issue 17, reshape 3): every kind has its entry, and a new type is one entry.

The second half registers a type the program has never heard of — `capital`, typed like a `typed` card
but with its own check — and follows it through reading, a study session, judging and every export.
"""

import enum
import io
import random
from pathlib import Path

import pytest

from quizzer import deck_cache, session
from quizzer.cardtypes import CARD_TYPES, COMMON_KEYS, Asks, CardType, Judged
from quizzer.decks import card_data, check_deck
from quizzer.formats import convert, export_text
from quizzer.model import Kind, Outcome
from quizzer.scheduler import Scheduler
from quizzer.session import StudySession
from quizzer.store import Store
from quizzer.ui.plain import PlainPrompter

# The smallest valid card of each type, as deck keys.
MINIMAL = {
    Kind.FLASH: {"question": "Q?", "answer": "A"},
    Kind.TYPED: {"question": "Q?", "answer": "A"},
    Kind.CHOICE: {"question": "Q?", "answer": "A", "distractors": ["B"]},
    Kind.TRUEFALSE: {"question": "Q?", "answer": False},
    Kind.CLOZE: {"text": "The {{A}} answer."},
    Kind.ORDER: {"question": "Q?", "items": ["A", "B"]},
}
# What the plain prompter ends its question with, for each way of asking.
PLAIN_PROMPT = {
    Asks.REVEAL: "(press Enter to show the answer) ", Asks.TEXT: "answer> ", Asks.PICK: "number or answer> ",
    Asks.TRUTH: "true or false> ", Asks.ARRANGE: "numbers in order> ",
}


def deck_text(*cards: tuple[str, str, dict]) -> str:
    """A YAML deck with cards given as (id, type, keys); values are written as YAML flow scalars/lists."""
    lines = ["id: d", "title: D", "cards:"]
    for card_id, kind, keys in cards:
        lines += [f"  - id: {card_id}", f"    type: {kind}"]
        for key, value in keys.items():
            shown = "[" + ", ".join(value) + "]" if isinstance(value, list) else str(value).lower() \
                if isinstance(value, bool) else value
            lines.append(f"    {key}: {shown}")
    return "\n".join(lines) + "\n"


def test_every_kind_has_exactly_one_entry_and_nothing_else_does():
    assert list(CARD_TYPES) == list(Kind)
    assert all(CARD_TYPES[kind].kind is kind for kind in Kind)
    assert set(MINIMAL) == set(Kind)


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.value)
def test_an_entry_is_complete_its_keys_read_and_written_back(kind, write_deck):
    card_type = CARD_TYPES[kind]
    assert card_type.summary and card_type.required
    assert not set(card_type.keys) & set(COMMON_KEYS)
    assert set(MINIMAL[kind]) == set(card_type.required)
    deck, problems = check_deck(write_deck(deck_text(("c", kind.value, MINIMAL[kind]))))
    assert problems == [] and deck.cards[0].kind is kind
    assert card_data(deck.cards[0]) == {"id": "c", **({} if kind is Kind.FLASH else {"type": kind.value}),
                                        **MINIMAL[kind]}


@pytest.mark.parametrize(("kind", "key"), [(k, key) for k in Kind for key in CARD_TYPES[k].required],
                         ids=lambda v: getattr(v, "value", v))
def test_a_card_without_a_required_key_is_refused_naming_the_key(kind, key, write_deck):
    keys = {k: v for k, v in MINIMAL[kind].items() if k != key}
    deck, problems = check_deck(write_deck(deck_text(("c", kind.value, keys))))
    assert deck is None and any(f"'{key}'" in p.message and p.line == 4 for p in problems), problems


@pytest.mark.parametrize("kind", list(Kind), ids=lambda k: k.value)
def test_each_type_is_asked_with_the_prompt_its_entry_names(kind, write_deck, tmp_path, clock):
    deck, _ = check_deck(write_deck(deck_text(("c", kind.value, MINIMAL[kind]))))
    stdout = io.StringIO()
    with Store(tmp_path / "q.db") as store:
        StudySession(store, Scheduler(fuzz=False), [deck], clock=clock, rng=random.Random(1)).run(
            PlainPrompter(io.StringIO(""), stdout))  # end of input: asked, then the learner leaves
    assert stdout.getvalue().rstrip("\n").endswith(PLAIN_PROMPT[CARD_TYPES[kind].asks])


# -- a type added in one entry ------------------------------------------------------------------


class Extra(str, enum.Enum):
    CAPITAL = "capital"


def _read_capital(f):
    question = f.text("question") if f.require("question") else ""
    if not f.require("answer"):
        return None
    answer = f.text("answer")
    if answer[:1].islower():
        f.error("answer", "a capital city is written with a capital letter")
    return {"question": question, "answer": answer, **({"accept": f.texts("accept")} if f.has("accept") else {})}


CAPITAL = CardType(Extra.CAPITAL, "name a country's capital", ("question", "answer"), ("accept",),
                   _read_capital, Asks.TEXT, Judged.TEXT)
CAPITALS = """\
id: capitals
title: Capitals
cards:
  - id: mali
    type: capital
    question: The capital of Mali?
    answer: Bamako
    accept: Bamakó
  - id: niger
    type: capital
    question: The capital of Niger?
    answer: Niamey
"""


@pytest.fixture
def capital(monkeypatch):
    monkeypatch.setitem(CARD_TYPES, Extra.CAPITAL, CAPITAL)


def test_a_new_type_is_validated_by_its_entry(capital, write_deck):
    path = write_deck(deck_text(
        ("ok", "capital", {"question": "Mali?", "answer": "Bamako"}),
        ("low", "capital", {"question": "Niger?", "answer": "niamey"}),
        ("none", "capital", {"question": "Chad?"}),
        ("other", "capital", {"question": "Togo?", "answer": "Lomé", "distractors": ["Accra"]}),
        ("typo", "capitl", {"question": "Benin?", "answer": "Porto-Novo"}),
    ))
    deck, problems = check_deck(path)
    assert [str(p).removeprefix(f"{path}:") for p in problems] == [
        "11: card 'low': a capital city is written with a capital letter",
        "12: card 'none': a capital card needs 'answer'",
        "19: card 'other': 'distractors' is not used by capital cards",
        "21: card 'typo': unknown card type 'capitl' (one of flash, typed, choice, truefalse, cloze, order, capital); "
        "did you mean 'capital'?",
    ]
    assert deck is None


def test_a_new_type_is_asked_judged_and_saved_in_a_study_session(capital, write_deck, tmp_path, clock):
    deck, problems = check_deck(write_deck(CAPITALS))
    assert problems == [] and {c.kind for c in deck.cards} == {Extra.CAPITAL}
    stdout = io.StringIO()
    with Store(tmp_path / "q.db") as store:
        StudySession(store, Scheduler(fuzz=False), [deck], clock=clock, rng=random.Random(1)).run(
            PlainPrompter(io.StringIO("bamakó\nNiamye\n"), stdout))
        # Sorted: the fake clock stands still, and answers of the same instant list by review id (random).
        verdicts = sorted((r["card"], r["verdict"]) for r in store.reviews())
    assert verdicts == [("mali", Outcome.CORRECT.value), ("niger", Outcome.CLOSE.value)]
    assert "The capital of Mali?\nanswer> \ncorrect" in stdout.getvalue()
    # Its answers are typed, so no other card may accept them as a slip.
    assert session.typed_answers(deck) == [("mali", "Bamako"), ("niger", "Niamey")]


@pytest.mark.parametrize("form", ["yaml", "csv", "anki-txt"])
def test_a_new_type_is_exported_and_read_back(capital, write_deck, tmp_path, form):
    deck, _ = check_deck(write_deck(CAPITALS))
    text = export_text(deck, form)
    if form == "anki-txt":  # Anki has no capital note: a Basic note, read back as a flash card
        assert "\tBasic\tThe capital of Mali?\tBamako\t" in text
        return
    path = tmp_path / f"back.{form}"
    path.write_text(text, encoding="utf-8")
    back = check_deck(path)[0] if form == "yaml" else convert(path).decks[0]
    assert [card_data(c) for c in back.cards] == [card_data(c) for c in deck.cards]
    assert card_data(back.cards[0])["type"] == "capital"


def test_editing_the_card_types_table_makes_parsed_decks_stale(monkeypatch):
    read = []
    real_stat = Path.stat
    monkeypatch.setattr(Path, "stat", lambda self, **kw: read.append(self.name) or real_stat(self, **kw))
    deck_cache._parser_key()
    assert {"cardtypes.py", "decks.py", "model.py"} <= set(read)
