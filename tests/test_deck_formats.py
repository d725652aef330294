"""Reading and writing decks in other formats: CSV/TSV, Anki's text export, Anki packages, and YAML out."""

import dataclasses
import string

import pytest
from anki_builder import BASIC, CLOZE, REVERSED, SAMPLE_NOTES, TYPE_IN, Note, write_collection, write_package
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quizzer.decks import DeckError, Problem, check_deck, check_records, deck_yaml
from quizzer.formats import convert, detect, export_text
from quizzer.formats.anki import card_id, cloze_text, html_to_text, render
from quizzer.model import Blank, Card, Deck, Kind
from quizzer.store.anki import AnkiCard, AnkiError, AnkiNote, AnkiNotetype, AnkiTemplate, read_collection


def cards_of(deck):
    return [dataclasses.replace(card, line=0) for card in deck.cards]


def only_deck(converted):
    assert len(converted.decks) == 1
    return converted.decks[0]


# -- the YAML writer ------------------------------------------------------------------------

EVERY_KIND = Deck(id="every-kind", title="Every kind: [b]bold[/b]", description="Line one\nline two", tags=("t",),
                  source={"title": "An article"}, cards=(
    Card("f", Kind.FLASH, "What is the MNLA?\nSay it in full.", "A Tuareg movement", explain="Founded 2011.",
         ref="¶4", tags=("actors",)),
    Card("t", Kind.TYPED, "Who led the coup?", "Amadou Haya Sanogo", accept=("Sanogo",), reject=("Touré",)),
    Card("l", Kind.TYPED, "Regions of Azawad?", ("Gao", "Kidal", "Timbuktu"), ordered=True),
    Card("c", Kind.CHOICE, "CNRDR?", "National Committee", distractors=("MNLA", "AQIM")),
    Card("b", Kind.TRUEFALSE, "The coup was bloody.", False),
    Card("z", Kind.CLOZE, "Elected in {{2002}}, he served a {{second|2nd}} term.", ("2002", "second"),
         blanks=(Blank("2002"), Blank("second", ("2nd",)))),
    Card("o", Kind.ORDER, "Earliest first.", ("1962", "1990", "2012")),
    Card("y", Kind.FLASH, "true", "null"),  # words YAML would read as other types unless quoted
))


def test_a_written_yaml_deck_reads_back_to_the_same_deck(tmp_path):
    path = tmp_path / "out.yaml"
    path.write_text(deck_yaml(EVERY_KIND))
    deck, problems = check_deck(path)
    assert problems == []
    assert cards_of(deck) == list(EVERY_KIND.cards)
    assert (deck.id, deck.title, deck.description, deck.tags, deck.source) == (
        EVERY_KIND.id, EVERY_KIND.title, EVERY_KIND.description, EVERY_KIND.tags, EVERY_KIND.source)


def test_a_written_deck_reads_like_a_hand_written_one():
    # Keys in the format's order, text as typed (not escaped), lines folded past column 100 only, and
    # multi-line text as a block.
    question = "w" * 70 + " " + "v" * 18 + " end"  # its spaces at columns 83 and 102 of its line
    deck = Deck(id="d", title="Touré", cards=(Card("c", Kind.FLASH, question, "A\nB"),))
    assert deck_yaml(deck) == (
        "id: d\ntitle: Touré\ncards:\n- id: c\n"
        f"  question: {'w' * 70} {'v' * 18}\n    end\n"
        "  answer: |-\n    A\n    B\n")


TEXT = st.text(alphabet=string.ascii_letters + string.digits + " .,:;!?'\"#&*[]{}|-\n\t\\éü→", min_size=1,
               max_size=40).map(str.strip).filter(lambda t: t and "{{" not in t and "}}" not in t)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=TEXT, answer=TEXT, explain=TEXT, title=TEXT)
def test_any_text_survives_writing_and_reading(tmp_path, question, answer, explain, title):
    deck = Deck(id="d", title=title, cards=(Card("c", Kind.FLASH, question, answer, explain=explain),))
    path = tmp_path / "d.yaml"
    path.write_text(deck_yaml(deck))
    loaded, problems = check_deck(path)
    assert problems == [] and loaded.title == title
    assert cards_of(loaded) == list(deck.cards)


def test_check_records_names_the_source_line_of_each_problem():
    deck, problems = check_records("cards.csv", {"id": "d", "title": "T"}, [
        (2, {"id": "a", "question": "Q", "answer": "A"}),
        (5, {"id": "b", "type": "choice", "question": "Q2", "answer": "A"}),
        (7, {"id": "a", "question": "Q3", "answer": "A"}),
    ])
    assert deck is None
    assert [str(p) for p in problems] == [
        "cards.csv:5: card 'b': a choice card needs 'distractors' (at least two options in all)",
        "cards.csv:7: duplicate card id 'a' (first used on line 2)",
    ]


def test_check_records_names_the_file_as_a_whole_for_the_deck_and_an_empty_list_of_cards():
    assert check_records("cards.csv", {"id": "d"}, []) == (None, [
        Problem("cards.csv", 0, "the deck has no 'title'"),
        Problem("cards.csv", 0, "'cards' must be a list with at least one card"),
    ])


def test_check_records_keeps_only_the_cards_without_errors_even_after_an_error_in_the_deck():
    deck, problems = check_records("cards.csv", {"id": "d"}, [
        (2, {"id": "a", "question": "Q", "answer": "A"}),
        (3, {"id": "b", "question": "Q", "answer": "A", "colour": "red"}),
        (4, {"question": "Q", "answer": "A"}),  # `printf 'flash\nQ' | sha1sum`: a user deck's warning
    ], keep_valid=True)
    assert (deck.path, deck.builtin, [c.id for c in deck.cards]) == ("cards.csv", False, ["a", "flash-efb52c0c9b"])
    assert problems == [
        Problem("cards.csv", 0, "the deck has no 'title'"),
        Problem("cards.csv", 3, "card 'b': unknown key 'colour'"),
        Problem("cards.csv", 4, "card \"Q\": has no 'id'; using 'flash-efb52c0c9b' (progress is lost if the question "
                "changes)", warning=True),
    ]
    deck, _ = check_records("cards.csv", {}, [(2, {"id": "a", "question": "Q", "answer": "A"})], keep_valid=True)
    assert (deck.id, deck.title, deck.description) == ("", "", "")

def test_check_records_reads_true_and_false_as_yaml_does_and_names_their_line():
    deck, problems = check_records("cards.csv", {"id": "d", "title": "T"}, [
        (2, {"id": "t", "type": "truefalse", "question": "Q", "answer": True}),
        (3, {"id": "f", "type": "truefalse", "question": "Q", "answer": False}),
        (4, {"id": "l", "type": "typed", "question": "Q", "answer": ["a", "b"], "ordered": True}),
        (5, {"id": "b", "question": "Q", "answer": True}),
    ], keep_valid=True)
    assert [(c.id, c.answer, c.ordered) for c in deck.cards] == [("t", True, False), ("f", False, False),
                                                                 ("l", ("a", "b"), True)]
    assert problems == [Problem("cards.csv", 5, "card 'b': answer must be text, not bool; put it in quotes to keep it as text")]


# -- CSV and TSV ----------------------------------------------------------------------------

def test_csv_with_bom_crlf_and_every_column(tmp_path):
    path = tmp_path / "mali_quiz.csv"
    rows = [
        "id,type,question,answer,accept,reject,distractors,explain,ref,tags",
        "leader,typed,Who led the coup?,Amadou Haya Sanogo,Sanogo|Captain Sanogo,Touré,,A captain.,¶1,people|2012",
        "regions,typed,Regions of Azawad?,Gao|Kidal|Timbuktu,,,,,,",
        'cnrdr,choice,"CNRDR, in full?",National Committee,,,MNLA|AQIM,,,',
        "bloody,truefalse,The coup was bloody.,false,,,,,,",
        "terms,cloze,Elected in {{2002}} for a {{second|2nd}} term.,,,,,,,",
        "years,order,Earliest first.,1962|1990|2012,,,,,,",
        'mnla,,"What is the MNLA?\r\nIn full.",A Tuareg movement,,,,,,"actors, groups"',
    ]
    path.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    converted = convert(path)
    deck = only_deck(converted)
    assert converted.warnings == []
    assert (deck.id, deck.title) == ("mali-quiz", "Mali quiz")
    by_id = {c.id: c for c in deck.cards}
    assert by_id["leader"].accept == ("Sanogo", "Captain Sanogo") and by_id["leader"].reject == ("Touré",)
    assert by_id["leader"].tags == ("people", "2012") and by_id["leader"].ref == "¶1"
    assert by_id["regions"].answer == ("Gao", "Kidal", "Timbuktu")
    assert by_id["cnrdr"].question == "CNRDR, in full?" and by_id["cnrdr"].distractors == ("MNLA", "AQIM")
    assert by_id["bloody"].answer is False
    assert by_id["terms"].blanks == (Blank("2002"), Blank("second", ("2nd",)))
    assert by_id["years"].kind is Kind.ORDER and by_id["years"].answer == ("1962", "1990", "2012")
    assert by_id["mnla"].kind is Kind.FLASH and by_id["mnla"].question == "What is the MNLA?\nIn full."
    assert by_id["mnla"].tags == ("actors", "groups")


@pytest.mark.parametrize("name, delimiter", [("cards.tsv", "\t"), ("cards.csv", ";"), ("cards.csv", "\t")])
@pytest.mark.parametrize("bom, newline", [("", "\n"), ("\ufeff", "\r\n")])
def test_the_delimiter_is_found(tmp_path, name, delimiter, bom, newline):
    path = tmp_path / name
    text = f"{bom}Question{delimiter}Answer{newline}Capital of Mali?{delimiter}Bamako, on the Niger{newline}"
    path.write_bytes(text.encode("utf-8"))
    deck = only_deck(convert(path))
    assert [(c.question, c.answer) for c in deck.cards] == [("Capital of Mali?", "Bamako, on the Niger")]


def test_without_an_id_column_ids_come_from_the_question_with_one_warning(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("question,answer,notes\nQ1,A1,x\nQ2,A2,y\n")
    converted = convert(path)
    messages = [str(w) for w in converted.warnings]
    assert any("column 'notes' is not used" in m for m in messages)
    assert any("no 'id' column" in m for m in messages) and len(messages) == 2
    path.write_text("question,answer\nQ1,A1 corrected\nQ2,A2\n")
    assert [c.id for c in only_deck(convert(path)).cards] == [c.id for c in converted.decks[0].cards]


@pytest.mark.parametrize("text, expected", [
    ("question,answer\nQ1,A1\nQ2\n", "q.csv:3: 1 field, but the header row has 2"),
    ("question,answer\nQ1,A1,extra\n", "q.csv:2: 3 fields, but the header row has 2"),
    ("question,anwser\nQ1,A1\n",
     "q.csv:1: no 'answer' column ('anwser' is close); the header row has: question, anwser"),
    ("answer\nA1\n", "q.csv:1: no 'question' column"),
    ("question,answer\n,A1\n", "q.csv:2: the question is empty"),
    ("question,answer,type\nQ,A,choice\n", "q.csv:2: card \"Q\": a choice card needs 'distractors'"),
    ("question,answer,type\nQ,A,typo\n", "q.csv:2: card \"Q\": unknown card type 'typo'"),
    ("question,answer,type\nQ,maybe,truefalse\n", "q.csv:2: card \"Q\": a truefalse answer must be true or false"),
    ("question,answer,accept\nQ,A,B\n", "q.csv:2: card \"Q\": 'accept' is not used by flash cards"),
    ("question,answer,type\nno blanks,,cloze\n", "q.csv:2: card \"no blanks\": cloze text has no {{...}} blank"),
    ("question,answer,id\nQ,A,x\nQ2,A2,x\n", "q.csv:3: duplicate card id 'x' (first used on line 2)"),
    ('question,answer\n"Q\nstill Q",A\nQ3\n', "q.csv:4: 1 field"),
    ('question,answer\n"unclosed,A\n', "q.csv:2: cannot read this row"),
])
def test_csv_problems_name_the_line(tmp_path, text, expected):
    path = tmp_path / "q.csv"
    path.write_text(text)
    with pytest.raises(DeckError) as raised:
        convert(path)
    messages = [str(p).replace(str(tmp_path) + "/", "") for p in raised.value.problems]
    assert any(m.startswith(expected) for m in messages), messages


def test_csv_export_reads_back_to_the_same_cards(tmp_path):
    path = tmp_path / "every-kind.csv"
    path.write_text(export_text(EVERY_KIND, "csv"), newline="")
    assert path.read_bytes().count(b"\r\n") >= len(EVERY_KIND.cards)
    assert cards_of(only_deck(convert(path))) == [dataclasses.replace(c, tags=c.tags) for c in EVERY_KIND.cards]


def test_csv_export_refuses_a_list_item_holding_the_separator():
    deck = Deck("d", "D", (Card("a", Kind.TYPED, "Q", "A", accept=("x|y",)),))
    with pytest.raises(DeckError, match="card 'a': 'accept' holds '|'"):
        export_text(deck, "csv")


# -- Anki text export ------------------------------------------------------------------------

ANKI_TEXT = (
    "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n"
    "Fq.h2:A~O1\tBasic\tMali::Geo\tCapital of <b>Mali</b>?\tBamako<br>on the Niger\tgeo africa\n"
    "rev1\tBasic (and reversed card)\tMali::Geo\tTimbuktu\tA Saharan city&nbsp;&amp; trade hub\t\n"
    "clz1\tCloze\tMali::History\t{{c1::1960}} independence, {{c2::2012}} coup\tTwo dates\t\n"
    "typ1\tBasic (type in the answer)\tMali::History\tYear of the coup?\t2012\thistory\n"
    'img1\tBasic\tMali::Geo\tFlag? <img src="flag.png">[sound:anthem.mp3]\tGreen, gold, red\t\n'
)


def test_anki_text_with_headers_gives_one_deck_per_anki_deck(tmp_path):
    path = tmp_path / "export.txt"
    path.write_text(ANKI_TEXT)
    converted = convert(path)
    decks = {d.title: d for d in converted.decks}
    assert sorted(decks) == ["Mali::Geo", "Mali::History"]
    geo, history = decks["Mali::Geo"], decks["Mali::History"]
    assert (geo.id, history.id) == ("mali-geo", "mali-history")
    cards = {c.id: c for c in geo.cards + history.cards}
    assert cards[card_id("Fq.h2:A~O1")].question == "Capital of Mali?"
    assert cards[card_id("Fq.h2:A~O1")].answer == "Bamako\non the Niger"
    assert cards[card_id("Fq.h2:A~O1")].tags == ("geo", "africa")
    assert (cards["rev1"].question, cards["rev1:2"].question) == ("Timbuktu", "A Saharan city & trade hub")
    assert cards["clz1"].question == "{{1960}} independence, 2012 coup" and cards["clz1"].explain == "Two dates"
    assert cards["clz1:c2"].question == "1960 independence, {{2012}} coup"
    assert cards["typ1"].kind is Kind.TYPED and cards["typ1"].answer == "2012"
    assert cards["img1"].question == "Flag?"
    assert any("2 media references dropped" in str(w) for w in converted.warnings)


def test_anki_text_without_html_keeps_markup_as_text(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text("#separator:semicolon\n#html:false\n#deck:Plain\nA <b>bold</b> [red]claim[/red];yes\n")
    deck = only_deck(convert(path))
    assert (deck.id, deck.cards[0].question, deck.cards[0].answer) == ("plain", "A <b>bold</b> [red]claim[/red]", "yes")


@pytest.mark.parametrize("text, expected", [
    ("#separator:tab\n#columns:Front\tBack\nQ1\tA1\nQ2\tA2\textra\n", "x.txt:4: 3 fields, but '#columns:' names 2"),
    ("#separator:tab\nonly a front\n", "x.txt:2: 1 field; a note needs a front and a back"),
    ("#separator:nonsense\nQ\tA\n", "x.txt:1: unknown separator 'nonsense'"),
    ("#separator:tab\n#guid column:x\nQ\tA\n", "x.txt:2: '#guid column:' must be a column number"),
    ("#separator:tab\n#guid column:3\nQ\tA\n", "x.txt:3: 2 fields, but the guid column is number 3"),
    ("#separator:tab\n#notetype:Cloze\nno cloze here\t\n", "x.txt:3: a cloze note without a {{c1::...}} cloze"),
])
def test_anki_text_problems_name_the_line(tmp_path, text, expected):
    path = tmp_path / "x.txt"
    path.write_text(text)
    with pytest.raises(DeckError) as raised:
        convert(path)
    messages = [str(p).replace(str(tmp_path) + "/", "") for p in raised.value.problems]
    assert any(m.startswith(expected) for m in messages), messages


def test_anki_text_export_reads_back_to_the_same_cards(tmp_path):
    deck = Deck("mali-dates", "Mali — dates", (
        Card("coup", Kind.FLASH, "When was the coup?", "March 2012", tags=("dates", "coup d'état")),
        Card("year", Kind.TYPED, "Year of the coup?", "2012"),
        Card("terms", Kind.CLOZE, "Elected in {{2002}}, he served a {{second|2nd}} term.", ("2002", "second"),
             blanks=(Blank("2002"), Blank("second", ("2nd",))), explain="Touré."),
    ))
    path = tmp_path / "out.txt"
    path.write_text(export_text(deck, "anki-txt"))
    back = only_deck(convert(path))
    assert (back.id, back.title) == ("mali-dates", "Mali — dates")
    assert cards_of(back) == [dataclasses.replace(deck.cards[0], tags=("dates", "coup_d'état")), *deck.cards[1:]]


# -- HTML, templates, clozes and guids -------------------------------------------------------

@pytest.mark.parametrize("html, text, media", [
    ("Bamako<br>on the <b>Niger</b>", "Bamako\non the Niger", 0),
    ("<div>one</div><div>two</div>", "one\ntwo", 0),
    ("&lt;script&gt;x()&lt;/script&gt; &amp; [red]hi[/red]", "<script>x()</script> & [red]hi[/red]", 0),
    ("before<script>alert(1)</script><style>b{}</style>after", "beforeafter", 0),
    ('a <img src="x.png"> b [sound:y.mp3] <audio src="z.ogg"></audio>', "a b", 3),
    ("spaces&nbsp;&nbsp;and\nnewlines   collapse", "spaces and newlines collapse", 0),
])
def test_html_to_text(html, text, media):
    assert html_to_text(html) == (text, media)


def test_templates_render_fields_sections_and_filters():
    fields = {"Front": "Q", "Back": "A", "Extra": ""}
    assert render("{{Front}}{{#Extra}} ({{Extra}}){{/Extra}}{{^Extra}} -{{/Extra}}", fields) == "Q -"
    assert render("{{text:Front}} {{type:Back}} {{FrontSide}} {{tts en_US:Front}}", fields).split() == ["Q"]


def test_cloze_numbers_and_hints():
    text = "{{c1::Bamako::capital}} and {{c2::Gao}} and {{c1::Niger}}"
    assert cloze_text(text, 1) == "{{Bamako}} and Gao and {{Niger}}"
    assert cloze_text(text, 2) == "Bamako and {{Gao}} and Niger"
    assert cloze_text(text, 3) is None


def test_guids_become_valid_distinct_card_ids():
    from quizzer.decks import CARD_ID_PATTERN

    guids = ["abc", "Fq.h2:A~O1", "Fq.h2_A~O1", "a b", "é", "#start", "quizzer:deck:card-1", "x_y"]
    ids = [card_id(g) for g in guids]
    assert all(CARD_ID_PATTERN.match(i) for i in ids), ids
    assert len(set(ids)) == len(ids)
    assert card_id("abc") == "abc" and card_id("quizzer:deck:card-1") == "card-1"
    assert card_id("abc", "2") == "abc:2"


# -- Anki packages --------------------------------------------------------------------------

@pytest.mark.parametrize("form, suffix", [("legacy", ".apkg"), ("current", ".apkg"), ("current", ".colpkg"),
                                          ("legacy", ".colpkg")])
def test_anki_packages_in_both_forms(tmp_path, form, suffix):
    path = write_package(tmp_path / f"mali{suffix}", SAMPLE_NOTES, {1: "Mali::Basics"}, form=form,
                         media={"flag.png": b"\x89PNG"})
    converted = convert(path)
    deck = only_deck(converted)
    assert (deck.id, deck.title) == ("mali-basics", "Mali::Basics")
    cards = {c.id: c for c in deck.cards}
    basic = cards[card_id("Fq.h2:A~O1")]
    assert (basic.kind, basic.question, basic.answer, basic.tags) == (
        Kind.FLASH, "What is the capital of Mali?", "Bamako\non the Niger", ("geo", "africa"))
    assert (cards["rev123"].question, cards["rev123"].answer) == ("Timbuktu", "A city on the edge of the Sahara")
    assert (cards["rev123:2"].question, cards["rev123:2"].answer) == ("A city on the edge of the Sahara", "Timbuktu")
    assert cards["clz456"].kind is Kind.CLOZE
    assert cards["clz456"].question == "{{Bamako}} is the capital; Gao is in the north"
    assert cards["clz456:c2"].answer == ("Gao",) and cards["clz456"].explain == "Both are cities."
    typed = cards["typ789"]
    assert (typed.kind, typed.question, typed.answer) == (Kind.TYPED, "Year of the coup?", "2012")
    assert (cards["img000"].question, cards["img000"].answer) == ("Which flag is this?", "Mali's & green")
    assert cards["scr111"].question == "<script>alert(1)</script> [red]warning[/red]?"
    assert cards["scr111"].answer == "literal"
    assert [str(w).split(": ", 1)[1] for w in converted.warnings] == [
        "warning: 1 media reference dropped (quizzer shows text only)"]


def test_one_quizzer_deck_per_anki_deck(tmp_path):
    notes = [Note("a1", BASIC, ("Q1", "A1"), deck=1), Note("b1", BASIC, ("Q2", "A2"), deck=2),
             Note("b2", REVERSED, ("Q3", "A3"), deck=2)]
    path = write_package(tmp_path / "two.apkg", notes, {1: "Geography", 2: "History::Coups"})
    decks = {d.id: d for d in convert(path).decks}
    assert {i: [c.id for c in d.cards] for i, d in decks.items()} == {
        "geography": ["a1"], "history-coups": ["b1", "b2", "b2:2"]}
    with pytest.raises(DeckError, match="holds 2 decks"):
        convert(path, deck_id="mine")


def test_a_note_type_quizzer_cannot_use_is_skipped_with_a_warning(tmp_path):
    notes = [Note("ok", BASIC, ("Q", "A")), Note("only-image", BASIC, ('<img src="a.png">', "A")),
             Note("cl", CLOZE, ("no cloze at all", ""))]
    converted = convert(write_package(tmp_path / "p.apkg", notes))
    assert [c.id for c in only_deck(converted).cards] == ["ok"]
    assert any("2 cards skipped" in str(w) for w in converted.warnings)


def test_type_in_and_cloze_note_types_from_a_current_package(tmp_path):
    notes = [Note("t", TYPE_IN, ("Capital?", "<b>Bamako</b>")),
             Note("c", CLOZE, ("{{c1::A}} {{c3::B}}", ""), cloze_numbers=(1, 3))]
    deck = only_deck(convert(write_package(tmp_path / "p.apkg", notes, form="current")))
    assert [(c.id, c.kind, c.answer) for c in deck.cards] == [
        ("t", Kind.TYPED, "Bamako"), ("c", Kind.CLOZE, ("A",)), ("c:c3", Kind.CLOZE, ("B",))]


def test_formats_are_detected_by_suffix_then_content(tmp_path):
    for name, data, form in [("a.csv", b"x", "csv"), ("b.apkg", b"x", "anki-package"), ("c.txt", b"x", "anki-txt"),
                             ("d.yml", b"x", "yaml"), ("e", b"PK\x03\x04rest", "anki-package"),
                             ("f", b"#separator:tab\n", "anki-txt"), ("g", b"question,answer\n", "csv"),
                             ("h", b"id: x\ntitle: y\n", "yaml")]:
        (tmp_path / name).write_bytes(data)
        assert detect(tmp_path / name) == form, name


# -- the collection reader (quizzer/store/anki.py), on collections built by hand ------------

def collection(tmp_path, sql: str = "", schema: int = 11, notes=SAMPLE_NOTES):
    """The SQLite file of `notes` in Anki's schema 11 or 18, changed by `sql`."""
    path = tmp_path / "collection.anki2"
    path.unlink(missing_ok=True)
    write_collection(path, list(notes), {1: "Default"}, schema=schema, sql=sql)
    return path


REVIEWS = "INSERT INTO revlog VALUES (1, 1, 0, 3, 1, 0, 2500, 4000, 1), (2, 1, 0, 3, 3, 1, 2500, 4000, 1);"
OPTIONS_11 = """UPDATE col SET dconf = '{"1": {"name": "Default", "fsrsParams6": [0.5]}}';"""
OPTIONS_18 = "INSERT INTO deck_config VALUES (1, 'Default', 0, 0, x'32040000003f');"  # fsrs_params_6 = [0.5]


def test_the_collection_is_read_to_plain_values(tmp_path):
    path = collection(tmp_path, REVIEWS + OPTIONS_11 + "UPDATE col SET crt = 1767225600; UPDATE cards SET odid = 9, "
                      "odue = 77 WHERE id = 2")
    read = read_collection(path, 8, 2)
    assert read.notes[1] == AnkiNote(1, "Fq.h2:A~O1", 1001, ("What is the capital of <b>Mali</b>?",
                                                            "Bamako<br>on the Niger"), ("geo", "africa"))
    assert read.cards[:3] == [AnkiCard(1, 1, 0, 1, 0, 0, 1), AnkiCard(2, 9, 0, 2, 0, 0, 77), AnkiCard(2, 1, 1, 3, 0, 0, 3)]
    assert read.revlog == [(1, 1, 3, 1, 2500, 4000, 1), (2, 1, 3, 3, 2500, 4000, 1)]
    assert (read.created, read.parameters, read.decks) == (1767225600, {"Default": (0.5,)}, {1: "Default"})


@pytest.mark.parametrize("schema, options", [(11, OPTIONS_11), (18, OPTIONS_18)])
def test_without_reviews_asked_for_neither_the_log_nor_the_parameters_is_read(tmp_path, schema, options):
    read = read_collection(collection(tmp_path, REVIEWS + options, schema), 8)
    assert (read.revlog, read.parameters) == ([], {})
    assert read_collection(collection(tmp_path, REVIEWS + options, schema), 8, 2).parameters == {"Default": (0.5,)}


def test_only_the_col_notes_and_cards_tables_are_needed(tmp_path):
    path = collection(tmp_path, "DROP TABLE revlog; DROP TABLE graves;")
    read = read_collection(path, 8, 10)
    assert (len(read.notes), len(read.cards), read.revlog) == (6, 8, [])
    # The current schema without its deck options table: no parameters, nothing wrong.
    assert read_collection(collection(tmp_path, "DROP TABLE deck_config;", 18), 8, 10).parameters == {}


def test_the_caps_allow_exactly_their_number(tmp_path):
    path = collection(tmp_path, REVIEWS)  # 6 notes, 8 cards, 2 reviews
    assert len(read_collection(path, 8, 2).revlog) == 2
    for notes, reviews, message in [(7, 2, "holds 8 cards; quizzer imports at most 7 from one file"),
                                    (5, 2, "holds 6 notes; quizzer imports at most 5 from one file"),
                                    (8, 1, "holds 2 review log rows; quizzer imports at most 1 from one file")]:
        with pytest.raises(AnkiError) as raised:
            read_collection(path, notes, reviews)
        assert str(raised.value) == message


def test_a_missing_file_is_not_created(tmp_path):
    with pytest.raises(AnkiError) as raised:
        read_collection(tmp_path / "none.anki2", 8)
    assert str(raised.value) == "cannot open the collection (unable to open database file)"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("sql, created", [("UPDATE col SET crt = 'x'", 0), ("UPDATE col SET crt = 1.5", 0),
                                          ("DELETE FROM col", 0), ("UPDATE col SET crt = 86400", 86400)])
def test_a_creation_time_that_is_not_a_whole_number_is_day_0_of_1970(tmp_path, sql, created):
    assert read_collection(collection(tmp_path, sql, 18), 8).created == created


def test_tags_left_null_are_no_tags(tmp_path):
    loose = "CREATE TABLE n2 AS SELECT * FROM notes; DROP TABLE notes; ALTER TABLE n2 RENAME TO notes;"
    assert read_collection(collection(tmp_path, loose + "UPDATE notes SET tags = NULL"), 8).notes[1].tags == ()


# Note type settings (Notetype.Config) as Anki's backend may write them, with kind = 1 (cloze) last.
KIND_CLOZE = "0801"
NOTETYPE_CONFIGS = [
    ("fixed64 field", "11" + "00" * 8 + KIND_CLOZE, True),
    ("fixed32 field", "15" + "00" * 4 + KIND_CLOZE, True),
    ("field 16 (a two-byte key)", "800105" + KIND_CLOZE, True),
    ("negative int64 (ten bytes)", "20" + "ff" * 9 + "01" + KIND_CLOZE, True),
    ("css of 200 bytes", "1ac801" + "61" * 200 + KIND_CLOZE, True),
    ("kind given twice, cloze last", "0800" + KIND_CLOZE, True),
    ("kind given twice, normal last", KIND_CLOZE + "0800", False),
    ("no settings at all", "", False),
]


@pytest.mark.parametrize("config, cloze", [c[1:] for c in NOTETYPE_CONFIGS], ids=[c[0] for c in NOTETYPE_CONFIGS])
def test_note_type_settings_are_read_in_the_protobuf_wire_format(tmp_path, config, cloze):
    path = collection(tmp_path, f"UPDATE notetypes SET config = x'{config}' WHERE id = 1001", 18)
    assert read_collection(path, 8).notetypes[1001].cloze is cloze


# Card template settings (Notetype.Template.Config): q_format = 1, a_format = 2. (config, question, answer)
TEMPLATE_CONFIGS = [
    ("0a01511201410a0251320a025133", "Q3", "A"),  # a field given three times: the last counts
    ("1200", "", ""),  # the answer only (empty), no question
    ("0a02ff51", "\ufffdQ", ""),  # bytes that are not UTF-8 are replaced, not an error
]


@pytest.mark.parametrize("config, question, answer", TEMPLATE_CONFIGS)
def test_template_settings_are_read_field_by_field(tmp_path, config, question, answer):
    path = collection(tmp_path, f"UPDATE templates SET config = x'{config}' WHERE ntid = 1001", 18)
    assert read_collection(path, 8).notetypes[1001].templates == (AnkiTemplate(0, question, answer),)


def test_a_note_type_without_fields_or_templates_is_read_empty(tmp_path):
    path = collection(tmp_path, "DELETE FROM fields WHERE ntid = 1002; DELETE FROM templates WHERE ntid = 1002", 18)
    assert read_collection(path, 8).notetypes[1002] == AnkiNotetype("Basic (and reversed card)", False, (), ())
