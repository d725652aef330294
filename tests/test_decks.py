"""Deck loading and every validation error the core issue names."""

import textwrap
from pathlib import Path

import pytest
import yaml

from quizzer.decks import DeckError, Problem, check_deck, derived_card_id, load_deck, load_library, read_text
from quizzer.model import Blank, Kind

GOOD = textwrap.dedent("""\
    id: sample
    title: Sample deck
    tags: [demo]
    source:
      title: An article
    cards:
      - id: leader
        type: typed
        question: Who led the coup?
        answer: Amadou Haya Sanogo
        accept: [Sanogo]
        reject: [Amadou Toumani Touré]
        explain: He was a captain.
        ref: "¶1"
        tags: [people]
      - id: acronym
        type: choice
        question: What does CNRDR stand for?
        answer: National Committee for the Restoration of Democracy and State
        distractors: [National Movement for the Liberation of Azawad, Economic Community of West African States]
      - id: bloodless
        type: truefalse
        question: The coup cost many lives.
        answer: false
      - id: regions
        type: typed
        question: Which regions make up Azawad?
        answer: [Gao, Kidal, Timbuktu]
      - id: terms
        type: cloze
        text: Touré was elected in {{2002}} and served a {{second|2nd}} term.
      - id: timeline
        type: order
        question: Earliest first.
        items: [1962, 1990, 2012]
      - id: mnla
        question: What is the MNLA?
        answer: A Tuareg rebel movement.
    """)


def problems_of(write_deck, text):
    deck, problems = check_deck(write_deck(text))
    return deck, [str(p) for p in problems]


def test_a_valid_deck_loads_every_card_type(write_deck):
    deck = load_deck(write_deck(GOOD))
    assert deck.id == "sample" and deck.title == "Sample deck" and deck.tags == ("demo",) and deck.description == ""
    assert deck.source == {"title": "An article"}
    kinds = {c.id: c.kind for c in deck.cards}
    assert kinds == {
        "leader": Kind.TYPED, "acronym": Kind.CHOICE, "bloodless": Kind.TRUEFALSE, "regions": Kind.TYPED,
        "terms": Kind.CLOZE, "timeline": Kind.ORDER, "mnla": Kind.FLASH,
    }
    leader = deck.card("leader")
    assert leader.accept == ("Sanogo",) and leader.reject == ("Amadou Toumani Touré",)
    assert leader.line == 7 and leader.ref == "¶1" and leader.tags == ("people",)
    assert deck.card("bloodless").answer is False
    assert deck.card("regions").answer == ("Gao", "Kidal", "Timbuktu")
    assert deck.card("terms").blanks == (Blank("2002"), Blank("second", ("2nd",)))
    assert deck.card("terms").prompt == "Touré was elected in [1: ____] and served a [2: ____] term."
    assert deck.card("timeline").answer == ("1962", "1990", "2012")
    mnla = deck.card("mnla")  # nothing but a question and an answer
    assert (mnla.explain, mnla.ref, mnla.tags, mnla.line) == ("", "", (), 36)


@pytest.mark.parametrize(
    "card, expected",
    [
        ("- id: a\n    type: typed\n    question: Q?\n    anwser: A", "unknown key 'anwser'; did you mean 'answer'?"),
        ("- id: a\n    type: typed\n    answer: A", ":7: card 'a': a typed card needs 'question'"),
        ("- id: a\n    type: typed\n    question: Q?", "card 'a': a typed card needs 'answer'"),
        ("- id: a\n    type: choice\n    question: Q?\n    answer: A\n    distractors: [B, A]",
         "the answer 'A' is also listed among the distractors"),
        ("- id: a\n    type: choice\n    question: Q?\n    answer: A", "a choice card needs 'distractors'"),
        ("- id: a\n    type: choice\n    question: Q?\n    answer: A\n    distractors: [B, B]",
         "a distractor is repeated"),
        ("- id: a\n    type: cloze\n    text: no blanks here", "cloze text has no {{...}} blank"),
        ("- id: a\n    type: order\n    question: Q?\n    items: [one]", "an order card needs at least two items"),
        ("- id: a\n    type: truefalse\n    question: Q?\n    answer: maybe", "a truefalse answer must be true or false"),
        ("- id: a\n    type: typed\n    question: [not, text]\n    answer: A", "question must be a single value"),
        ("- id: a\n    type: typo\n    question: Q?\n    answer: A", "unknown card type 'typo'"),
        ("- id: a\n    type: typed\n    question: Q?\n    answer: A\n    distractors: [B]",
         "'distractors' is not used by typed cards"),
        ("- id: a\n    type: typed\n    question: Q?\n    answer: A\n    ordered: sometimes",
         "'ordered' must be true or false"),
        ("- id: 'bad id!'\n    question: Q?\n    answer: A", "card id 'bad id!' may use only"),
        ("- id: a\n    type: typed\n    question: Q?\n    answer: A\n    accept: 2012-03-22",
         "card 'a': accept must be text, not date"),
        ("- just a string", ":7: card 2: a card must be a mapping of keys to values"),
        ("- question: What is  the\n      capital?\n    anwser: A", 'card "What is the capital?": unknown key'),
        ("- question: " + "long " * 20 + "\n    anwser: A", 'card "' + "long " * 7 + 'long…": unknown key'),
        ("- question: " + "x" * 40 + "\n    anwser: A", 'card "' + "x" * 40 + '": unknown key'),  # 40 fit
        ("- id: [x]\n    question: Q?\n    answer: A", 'card "Q?": the card id must be a single value'),
        ("- text: Gap {{x}}\n    type: cloze\n    explain: [a]", 'card "Gap {{x}}": explain must be a single'),
        ("- type: typed\n    answer: A", "card 2: a typed card needs 'question'"),
    ],
)
def test_each_card_problem_is_reported_with_its_line(write_deck, card, expected):
    text = "id: d\ntitle: T\ncards:\n  - id: ok\n    question: Q0\n    answer: A0\n  " + card + "\n"
    path = write_deck(text)
    deck, problems = check_deck(path)
    assert deck is None
    messages = [str(p) for p in problems]
    assert any(expected in m for m in messages), messages
    # Every problem sits on the bad card (lines 7 onwards), never on the good one before it.
    assert all(p.path == str(path) and p.line >= 7 for p in problems), messages


TYPES = "(one of flash, typed, choice, truefalse, cloze, order)"


# (cards after `cards:`, every problem as (line, message)): whole messages, where the table above checks a part.
@pytest.mark.parametrize("cards, expected", [
    ("- id: a\n    type: zzz\n    question: Q?\n    answer: A", [(5, f"card 'a': unknown card type 'zzz' {TYPES}")]),
    ("- id: a\n    type: [typed]\n    question: Q?\n    answer: A", [
        (5, "card 'a': type must be a single value, not a list or mapping"), (5, f"card 'a': unknown card type '' {TYPES}")]),
    ("- id: a\n    question: Q?\n    answer: A\n    explain:\n    ref: ''", []),  # both may be empty
    ("- id: a\n    question: Q?\n    answer: A\n    ref: 2012-03-22",
     [(7, "card 'a': ref must be text, not date; put it in quotes to keep it as text")]),
    ("- just a string\n  - another", [(4, "card 1: a card must be a mapping of keys to values"),
                                      (5, "card 2: a card must be a mapping of keys to values")]),  # no id, no clash
    ("- id: a\n    question: Q?\n    answer:", [(6, "card 'a': answer is empty")]),
    ("- id: a\n    question: Q?\n    answer: !!binary aGk=", [(6, "card 'a': answer must be text, not bytes")]),
    ("- [x]: y\n    id: a\n    question: Q?\n    answer: A", [(4, "card 'a': keys must be plain words")]),  # the rest read
    ("- id: a\n    question: Q?\n    answer: A\n    answer: B", [(7, "card 'a': 'answer' is given twice")]),
    ("- question: Q1\n  - question: Q2", [(4, "card \"Q1\": a flash card needs 'answer'"),
                                         (5, "card \"Q2\": a flash card needs 'answer'")]),
])
def test_each_card_problem_in_full(write_deck, cards, expected):
    _, problems = check_deck(write_deck("id: d\ntitle: T\ncards:\n  " + cards + "\n"))
    assert [(p.line, p.message) for p in problems] == expected


CARD = "cards:\n  - id: c\n    question: Q\n    answer: A\n"


@pytest.mark.parametrize("text, expected", [
    ("[x]: y\nid: d\ntitle: T\n" + CARD, [(1, "the deck: keys must be plain words")]),
    ("id: d\ntitle: T\ntitle: U\n" + CARD, [(3, "the deck: 'title' is given twice")]),
    ("id: d\ntitle: T\ncolour: red\n" + CARD, [(3, "the deck: unknown key 'colour'")]),  # nothing near it
    ("title: T\n" + CARD, [(1, "the deck has no 'id'")]),
    ("id: d\n" + CARD, [(1, "the deck has no 'title'")]),
    ("id: d\ntitle: T\n", [(1, "the deck has no 'cards'")]),
    ("id: d\ntitle: T\ncards: []\n", [(3, "'cards' must be a list with at least one card")]),
    ("id: Bad_Id\ntitle: T\n" + CARD, [(1, "deck id 'Bad_Id' may use only lowercase letters, digits and '-'")]),
    ("id: 2012-03-22\ntitle: T\n" + CARD, [(1, "the deck id must be text, not date; put it in quotes to keep it as text")]),
    ("id: d\ntitle: T\ndescription: 2012-03-22\n" + CARD,
     [(3, "the description must be text, not date; put it in quotes to keep it as text")]),
    (" \n", [(0, "the file is empty; a deck needs id, title and cards")]),
])
def test_each_deck_problem_in_full(write_deck, text, expected):
    _, problems = check_deck(write_deck(text))
    assert [(p.line, p.message) for p in problems] == expected


def test_optional_texts_left_empty_are_empty(write_deck):
    deck = load_deck(write_deck("id: d\ntitle: T\ndescription:\ncards:\n  - id: a\n    question: Q?\n    answer: A\n"
                                "    explain:\n    ref:\n"))
    assert (deck.description, deck.cards[0].explain, deck.cards[0].ref) == ("", "", "")


@pytest.mark.parametrize("text", ["# just a comment\n", "# a comment\n\n# and another\n"])
def test_a_file_of_no_yaml_value_is_empty(write_deck, text):
    path = write_deck(text)
    assert check_deck(path) == (None, [Problem(str(path), 0, "the file is empty; a deck needs id, title and cards")])


def test_every_problem_in_a_file_is_reported_not_just_the_first(write_deck):
    text = "id: d\ntitle: T\ncards:\n  - id: a\n    question: Q\n    anwser: A\n  - id: a\n    question: Q2\n    answer: B\n"
    _, problems = problems_of(write_deck, text)
    assert any(":6: card 'a': unknown key 'anwser'" in p for p in problems)
    assert any(":4: card 'a': a flash card needs 'answer'" in p for p in problems)
    # The second card reuses id 'a': a duplicate even though the first card has errors.
    assert any(":7: duplicate card id 'a' (first used on line 4)" in p for p in problems)
    text = "id: d\ntitle: T\ncards:\n  - id: a\n    question: Q\n    answer: A\n  - id: a\n    question: Q2\n    answer: B\n"
    _, problems = problems_of(write_deck, text)
    assert any(":7: duplicate card id 'a' (first used on line 4)" in p for p in problems)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("title: T\ncards:\n  - question: Q\n    answer: A\n", "the deck has no 'id'"),
        ("id: d\ncards:\n  - question: Q\n    answer: A\n", "the deck has no 'title'"),
        ("id: d\ntitle: T\n", "the deck has no 'cards'"),
        ("id: d\ntitle: T\ncards: []\n", "'cards' must be a list with at least one card"),
        ("id: Bad_Id\ntitle: T\ncards:\n  - question: Q\n    answer: A\n", "deck id 'Bad_Id' may use only"),
        ("id: d\ntitel: T\ncards:\n  - question: Q\n    answer: A\n", "unknown key 'titel'; did you mean 'title'?"),
        ("- a\n- b\n", "the deck must be a mapping"),
        ("id: d\ntitle: [unclosed\n", "YAML syntax error"),
        ("", "the file is empty"),
        ("   \n# just a comment\n", "the file is empty"),
    ],
)
def test_each_deck_problem_is_reported(write_deck, text, expected):
    deck, problems = problems_of(write_deck, text)
    assert deck is None
    assert any(expected in p for p in problems), problems


# (the deck's `source:` as written, the source read or None, the problems at line 3)
SOURCES = [
    ("source: An article", {"title": "An article"}, []),
    ("source:\n  title: T\n  url: ''", {"title": "T", "url": ""}, []),  # no part of a source is required
    ("source: 2012-03-22", None, ["source must be text, not date; put it in quotes to keep it as text"]),
    ("source: [a]", None, ["source must be a mapping of keys to values"]),
    ("source: {url: [x]}", None, ["source url must be a single value, not a list or mapping"]),
]


# (the deck's `tags:` as written, the tags read or None, the problems at line 3)
TAGS = [
    ("tags:", (), []),
    ("tags: solo", ("solo",), []),
    ("tags: 2012-03-22", None, ["tags must be text, not date; put it in quotes to keep it as text"]),
    ("tags: {a: b}", None, ["tags must be a list of texts"]),
]


@pytest.mark.parametrize("line, field, expected, messages", [(line, "source", *rest) for line, *rest in SOURCES]
                         + [(line, "tags", *rest) for line, *rest in TAGS])
def test_a_decks_source_is_a_title_or_a_mapping_and_its_tags_one_text_or_a_list(write_deck, line, field, expected,
                                                                                 messages):
    path = write_deck(f"id: d\ntitle: T\n{line}\ncards:\n  - id: c\n    question: Q\n    answer: A\n")
    deck, problems = check_deck(path)
    assert (deck and getattr(deck, field), problems) == (expected, [Problem(str(path), 3, m) for m in messages])


def test_yaml_syntax_errors_name_the_line(write_deck):
    _, problems = problems_of(write_deck, "id: d\ntitle: T\ncards:\n  - question: 'open\n    answer: A\n")
    assert len(problems) == 1 and "YAML syntax error" in problems[0]
    assert ":6:" in problems[0] or ":5:" in problems[0]


def test_a_file_that_is_not_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("id: d\ntitle: T\ncards:\n  - question: Touré\n".encode("latin-1"))
    deck, problems = check_deck(path)
    assert deck is None and [str(p) for p in problems] == [f"{path}:4: the file is not UTF-8 text; save it as UTF-8"]


def test_alias_bombs_are_refused_quickly(write_deck):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefghijk":
        prev = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    # 9**11 strings if expanded; composing keeps one node per anchor, and reading refuses the alias.
    text = bomb + "id: d\ntitle: T\ncards:\n  - question: Q\n    answer: A\n    tags: *k\n"
    deck, problems = problems_of(write_deck, text)
    assert deck is None
    assert any("unknown key 'a'" in p for p in problems)
    assert any("YAML aliases (*name) are not allowed in decks" in p for p in problems), problems
    text = "id: d\ntitle: &t T\ncards:\n  - question: *t\n    answer: A\n"
    _, problems = problems_of(write_deck, text)
    assert any("YAML aliases (*name) are not allowed in decks" in p for p in problems)
    # Refused once, at the line of the anchor, and the list it names is not read (its items would be refused too).
    path = write_deck("id: d\ntitle: T\ntags: &t [a, b]\ncards:\n  - id: c\n    question: Q\n    answer: A\n    tags: *t\n")
    assert check_deck(path)[1] == [Problem(str(path), 3, "card 'c': YAML aliases (*name) are not allowed in decks")]


def test_a_file_over_10_mb_is_refused_without_parsing(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_bytes(b"# " + b"x" * (10 * 1024 * 1024) + b"\n")
    deck, problems = check_deck(path)
    assert deck is None and problems == [Problem(str(path), 0, "the file is 10.5 MB; decks are limited to 10 MB")]  # 10,485,763 B
    path.write_bytes(b"#" + b"x" * (10 * 1024 * 1024 - 2) + b"\n")  # exactly 10 MB: read (a comment, so empty)
    assert check_deck(path) == (None, [Problem(str(path), 0, "the file is empty; a deck needs id, title and cards")])


def test_missing_file_and_folder(tmp_path):
    assert check_deck(tmp_path / "nope.yaml") == (None, [Problem(str(tmp_path / "nope.yaml"), 0, "no such file")])
    assert check_deck(tmp_path) == (None, [Problem(str(tmp_path), 0, "is a folder, not a deck file")])
    (tmp_path / "file.yaml").write_text("")
    under_a_file = tmp_path / "file.yaml" / "deck.yaml"
    assert check_deck(under_a_file) == (None, [Problem(str(under_a_file), 0, "cannot read the file: Not a directory")])
    assert read_text(tmp_path / "nope.csv") == (None, [Problem(str(tmp_path / "nope.csv"), 0, "no such file")])


NOT_ONE_VALUE = "the title must be a single value, not a list or mapping"


@pytest.mark.parametrize("title, error", [
    ("!!python/object/apply:os.system ['touch {pwned}']", NOT_ONE_VALUE),
    ("!!python/object/new:os.system {{args: ['touch {pwned}']}}", NOT_ONE_VALUE),
    ("!!python/object/apply:os.system {{args: ['touch {pwned}']}}", NOT_ONE_VALUE),
    ("!!python/name:os.system", "the title is empty"),
])
def test_yaml_tags_cannot_run_code(write_deck, tmp_path, title, error):
    # The card has an id: the tag alone must make the deck invalid, and its code must never run.
    pwned = tmp_path / "pwned"
    text = f"id: d\ntitle: {title.format(pwned=pwned)}\ncards:\n  - id: q\n    question: Q\n    answer: A\n"
    deck, problems = problems_of(write_deck, text)
    assert deck is None and problems == [f"{tmp_path / 'deck.yaml'}:2: {error}"]
    assert not pwned.exists()


def test_cards_without_id_get_a_stable_derived_id_and_a_warning(write_deck):
    text = "id: d\ntitle: T\ncards:\n  - type: typed\n    question: Who?\n    answer: Sanogo\n"
    path = write_deck(text)
    deck, problems = check_deck(path)
    assert deck is not None
    card_id = deck.cards[0].id
    assert card_id == derived_card_id(Kind.TYPED, "Who?") and card_id.startswith("typed-")
    assert [str(p) for p in problems] == [f"{path}:4: warning: card \"Who?\": has no 'id'; using "
                                          f"'{card_id}' (progress is lost if the question changes)"]
    # Correcting the answer keeps the id (and so the progress); changing the question does not.
    fixed = load_deck(write_deck(text.replace("Sanogo", "Amadou Haya Sanogo")))
    assert fixed.cards[0].id == card_id
    assert load_deck(write_deck(text.replace("Who?", "Who led?"))).cards[0].id != card_id


def test_builtin_decks_must_give_ids(write_deck):
    text = "id: d\ntitle: T\ncards:\n  - question: Who?\n    answer: Sanogo\n"
    path = write_deck(text)
    deck, problems = check_deck(path, builtin=True)
    assert deck is None and "built-in cards must have an 'id'" in str(problems[0])
    with pytest.raises(DeckError) as raised:
        load_deck(path, builtin=True)
    assert [str(p) for p in raised.value.problems] == [f"{path}:4: card \"Who?\": built-in cards must have an 'id'"]


def test_load_deck_raises_with_every_problem(write_deck):
    path = write_deck("id: d\ntitle: T\ncards:\n  - question: Q\n  - answer: A\n")
    with pytest.raises(DeckError) as raised:
        load_deck(path)
    assert len(raised.value.problems) == 2
    assert str(raised.value) == (f"{path}:4: card \"Q\": a flash card needs 'answer'\n"
                                 f"{path}:5: card 2: a flash card needs 'question'")


# Ids worked out by hand: `printf 'typed\nWho led the coup?' | sha1sum`, and the cloze text with its
# blanks emptied to `{{}}`; a typed card's braces are its own text.
@pytest.mark.parametrize("kind, question, expected", [
    (Kind.TYPED, "Who  led\nthe coup? ", "typed-bcf5eaeda4"),
    (Kind.CLOZE, "In {{2002}} he served a {{second|2nd}} term.", "cloze-ff3bd88ca2"),
    (Kind.TYPED, "Name {{x}}", "typed-26542eda79"),
])
def test_a_derived_id_is_the_type_and_the_sha1_of_the_question_with_its_spaces_and_blanks_evened(
        kind, question, expected):
    assert derived_card_id(kind, question) == expected


def test_library_skips_a_user_deck_that_reuses_an_id(tmp_path):
    user = tmp_path / "decks"
    user.mkdir()
    (user / "clash.yaml").write_text("id: mali-2012-dates\ntitle: Mine\ncards:\n  - question: Q\n    answer: A\n")
    (user / "mine.yaml").write_text("id: mine\ntitle: Mine\ncards:\n  - question: Q\n    answer: A\n")
    decks, problems = load_library(user)
    ids = [d.id for d in decks]
    assert "mine" in ids and ids.count("mali-2012-dates") == 1
    assert next(d for d in decks if d.id == "mali-2012-dates").builtin
    builtin = next(d.path for d in decks if d.id == "mali-2012-dates")
    assert [str(p) for p in problems] == [f"{user / 'clash.yaml'}:1: deck id 'mali-2012-dates' is already used by {builtin}"]


def test_library_lists_the_problems_of_every_deck_and_links_user_decks(tmp_path):
    user, elsewhere = tmp_path / "decks", tmp_path / "elsewhere"
    user.mkdir()
    elsewhere.mkdir()
    (user / "a.yaml").write_text("id: a\ntitle: A\ncards:\n  - id: c\n    question: Q\n")
    (user / "b.yaml").write_text("id: b\ntitle: B\ncards:\n  - id: c\n    question: Q\n    answer: A\n")
    (user / "c.yaml").write_text("id: c\ncards:\n  - id: c\n    question: Q\n    answer: A\n")
    linked = elsewhere / "linked.yaml"  # a card without an id: a user deck's warning, a built-in deck's error
    linked.write_text("id: linked\ntitle: L\ncards:\n  - question: Q\n    answer: A\n")
    decks, problems = load_library(user, linked=[linked])
    assert [(d.id, d.builtin) for d in decks if not d.builtin] == [("b", False), ("linked", False)]
    assert [str(p) for p in problems] == [f"{user / 'a.yaml'}:4: card 'c': a flash card needs 'answer'",
                                          f"{user / 'c.yaml'}:1: the deck has no 'title'"]


def test_deck_files_are_the_yaml_files_of_a_folder_in_order(tmp_path):
    from quizzer.decks import deck_files

    for name in ("z.yaml", "b.yml", "a.yaml", "notes.txt", "c.YAML"):
        (tmp_path / name).write_text("")
    (tmp_path / "folder.yaml").mkdir()
    assert deck_files(tmp_path) == [tmp_path / "a.yaml", tmp_path / "b.yml", tmp_path / "z.yaml"]
    assert deck_files(tmp_path / "none") == []


def test_the_builtin_decks_are_the_packed_folder_when_there_is_one(monkeypatch):
    from quizzer import decks

    package = Path(decks.__file__).resolve().parent
    assert decks.builtin_deck_dir() == package.parent / "decks"  # a checkout
    monkeypatch.setattr(decks, "BUILTIN_DIR_NAMES", ("not-there", "store"))  # stands in for a wheel's folder
    assert decks.builtin_deck_dir() == package / "store"


def test_every_builtin_deck_loads_without_warnings():
    from quizzer.decks import builtin_deck_dir, deck_files

    files = deck_files(builtin_deck_dir())
    assert files, "no built-in decks found"
    for path in files:
        deck, problems = check_deck(path, builtin=True)
        assert deck is not None and problems == [], [str(p) for p in problems]


def test_safe_loader_is_used():
    from quizzer import decks

    assert decks._loader() in (getattr(yaml, "CSafeLoader", None), yaml.SafeLoader)
