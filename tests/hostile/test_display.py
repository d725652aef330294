"""Hostile text on every screen: escape sequences, C1 controls, BEL, bidi overrides and rich markup in
every field of a deck, in typed answers, in ids that come from the database and in file paths.

None of it may reach a terminal: sequences and controls are dropped, bidi controls are shown as
`<U+202E>`, markup shows as typed. The screens run in a real pseudo-terminal (so `isatty` is true) at
60 and 100 columns, with TERM=dumb so that rich adds no escape of its own and ANY escape in the output
came from the data.

Add an attack: one line in ATTACKS. Add a screen: one line in SCREENS.
"""

import io
import json
import os
import re
import sqlite3
import subprocess
import sys

import pexpect
import pytest
import yaml
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.store import Store
from quizzer.ui.text import cells, literal
from terminal_screens import run_screens

ATTACKS = {  # what a terminal would obey; each is complete, so all of it must disappear
    "OSC 52 writes the clipboard": "\x1b]52;c;U0VDUkVU\x07",
    "OSC 8 plants a hidden link": "\x1b]8;;http://evil.example/\x1b\\here\x1b]8;;\x1b\\",
    "CSI 2J clears the screen": "\x1b[2J",
    "CSI 6n asks for a report": "\x1b[6n",
    "ESC c resets the terminal": "\x1bc",
    "BEL": "\x07",
    "C1 CSI (one byte)": "\x9b1;31m",
    "C1 OSC, C1 terminator": "\x9d0;TITLE\x9c",
    "backspace and carriage return": "over\x08\rwrite",
    "right-to-left override": "\u202e",
    "left-to-right isolate": "\u2066",
}
MARKUP = "[red]x[/red] [link=http://evil.example]y[/link]"
HOSTILE = "".join(ATTACKS.values()) + " " + MARKUP
# A file name cannot hold '/', so the paths get the attacks without one.
PATH_HOSTILE = "\x1b]52;c;U0VDUkVU\x07\x1b[2J\x9b1;31m\u202e[bold]b"

SHOWN = ["[red]x[/red]", "[link=http://evil.example]y[/link]", "<U+202E>", "<U+2066>", "here", "overwrite"]
NEVER = ["U0VDUkVU", "TITLE", "\u202e", "\u2066", "\x1b", "\x07", "\x08"]  # payloads, bidi controls, ESC, BEL
CONTROLS = {chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]}


LITERAL = [  # (text, what the terminal gets): one line per case
    ("a\x1b]52;c;U0VDUkVU\x07b", "ab"),  # OSC ended by BEL
    ("a\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\b", "alinkb"),  # OSC ended by ST: the link text stays
    ("a\x9d0;title\x9cb", "ab"),  # the one-byte C1 forms of OSC and ST
    ("a\x1bP1$r\x1b\\b", "ab"),  # DCS
    ("a\x1b_apc\x07b", "ab"),  # APC
    ("x\x1b[2Jy\x1b[6nz\x1b[?1049h", "xyz"),  # CSI, private parameters too
    ("x\x9b31mred", "xred"),  # one-byte CSI
    ("\x1bcreset \x1b(0box \x1b7saved", "reset box saved"),  # two- and three-byte ESC sequences
    ("open\x1b]52;c;payload", "open52;c;payload"),  # unterminated: only the introducer goes
    ("a\x1b", "a"),  # a lone ESC at the end
    ("bell\x07 back\x08 cr\r del\x7f nul\x00 c1\x85", "bell back cr del nul c1"),
    ("tab\tand\nnewline", "tab\tand\nnewline"),  # layout stays
    ("abc\u202edef", "abc<U+202E>def"),  # right-to-left override
    ("\u202a\u202b\u202c\u202d", "<U+202A><U+202B><U+202C><U+202D>"),  # embeddings and pop
    ("\u2066\u2067\u2068\u2069", "<U+2066><U+2067><U+2068><U+2069>"),  # isolates
    ("\u200e\u200f\u061c", "<U+200E><U+200F><U+061C>"),  # marks
    ("[red]x[/red] [link=http://x]y[/link]", "[red]x[/red] [link=http://x]y[/link]"),  # markup is text here
    ("Tombouctou → Gao, été", "Tombouctou → Gao, été"),
]


@pytest.mark.parametrize("text, shown", LITERAL, ids=[repr(text)[:40] for text, _ in LITERAL])
def test_the_display_function(text, shown):
    assert literal(text) == shown


# Text that makes a careless pattern rescan to the end from every introducer (quadratic: a 40,000-byte
# line of C1 OSC took 16 s before the string body stopped at the next introducer).
ADVERSARIAL = ["\x9d", "\x90", "\x9da", "\x1b]a", "\x9b0", "\x1b[0", "\x1bP\x98", "\x1b ", "\u202e"]


def test_the_display_function_is_linear_on_a_1_mb_answer():
    """A 1 MB answer (what plain study accepts) of each kind, in a child process given a very generous
    60 s for all of them together: linear work takes about 0.2 s each, quadratic work would take hours."""
    script = ("import sys; from quizzer.ui.text import literal\n"
              "for unit in sys.argv[1:]: literal((unit * (1 << 20))[:1 << 20])")
    subprocess.run([sys.executable, "-c", script, *ADVERSARIAL], check=True, timeout=60)


def test_rich_cells_show_markup_as_typed():
    from rich.console import Console

    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(*cells("[red]x[/red] [bold]y\x1b[2J"))
    assert console.file.getvalue() == "[red]x[/red] [bold]y\n"


def hostile_text(field: str) -> str:
    return f"{field} {HOSTILE}"


DECK = {
    "id": "hostile", "title": hostile_text("title"), "description": hostile_text("description"),
    "tags": [hostile_text("deck-tag")], "source": {"title": hostile_text("source"), "url": hostile_text("url")},
    "cards": [
        {"id": "typed", "type": "typed", "question": hostile_text("typed-question"), "answer": hostile_text("answer"),
         "accept": [hostile_text("accept")], "reject": [hostile_text("reject")], "explain": hostile_text("explain"),
         "ref": hostile_text("ref"), "tags": [hostile_text("card-tag")]},
        {"id": "choice", "type": "choice", "question": hostile_text("choice-question"),
         "answer": hostile_text("right-option"), "distractors": [hostile_text("wrong-option")]},
        {"id": "order", "type": "order", "question": hostile_text("order-question"),
         "items": [hostile_text("first-item"), hostile_text("second-item")]},
        {"id": "flash", "type": "flash", "question": hostile_text("flash-question"), "answer": hostile_text("back")},
        {"id": "truth", "type": "truefalse", "question": hostile_text("statement"), "answer": True},
        {"id": "cloze", "type": "cloze", "text": "Gap: {{" + hostile_text("blank") + "}} after"},
    ],
}
LINKED = {"id": "linked", "title": "Linked", "cards": [{"id": "q", "type": "typed", "question": "Q?", "answer": "A"}]}
BROKEN = f'id: broken\ntitle: B\ncards:\n  - question: Q\n    answer: A\n    {json.dumps(hostile_text("key"))}: 1\n'
# Progress of a deck that is gone: deck and card ids straight from the database.
REVIEW = {"review_id": "r-gone", "deck": hostile_text("gone-deck"), "card": hostile_text("gone-card"),
          "reviewed_at": "2026-03-01T12:00:00+00:00", "rating": 1, "verdict": "wrong",
          "response": hostile_text("imported-response"), "duration_ms": 5, "session": None, "phase": "new",
          "next_due": "2026-03-01T12:10:00+00:00"}
NOW = "2026-03-02T13:00:00+00:00"
TYPED_RESPONSE = hostile_text("response").replace("\r", "")  # a typed line ends at CR


def assert_safe(output: str, shown=SHOWN, never=NEVER) -> None:
    leaked = [repr(piece) for piece in never if piece in output] + sorted(repr(c) for c in CONTROLS & set(output))
    assert not leaked, f"reached the terminal: {', '.join(leaked)}"
    joined = re.sub(r" *\r?\n", "", output)  # a table title wraps to the table's width, even at 300 columns
    missing = [piece for piece in shown if piece not in output and piece not in joined]
    assert not missing, f"not shown literally: {missing}"


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    """A home (its own path hostile) with the hostile deck, a linked deck at a hostile path, a broken deck,
    answers typed with hostile text, an accepted hostile answer and imported progress of a hostile deck id."""
    root = tmp_path_factory.mktemp("display")
    home = root / f"home{PATH_HOSTILE}"
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "hostile.yaml").write_text(yaml.safe_dump(DECK, allow_unicode=True), encoding="utf-8")
    linked = root / f"linked{PATH_HOSTILE}.yaml"
    linked.write_text(yaml.safe_dump(LINKED), encoding="utf-8")
    broken = root / f"broken{PATH_HOSTILE}.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    progress = root / "progress.jsonl"
    progress.write_text(json.dumps(REVIEW) + "\n", encoding="utf-8")
    env = {"QUIZZER_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "300"}
    runner = CliRunner()
    assert runner.invoke(app, ["progress", "import", str(progress)], env=env).exit_code == 0
    # Plain study (a pipe): every card answered, each with hostile text where text is typed.
    typed = TYPED_RESPONSE
    study = runner.invoke(app, ["study", "hostile", "--plain", "--seed", "3"], env=env, color=True,
                          input="\n".join([typed, "1", "1 2", "", "3", "true", typed, "3", typed, "q"]) + "\n")
    assert study.exit_code == 0, study.output
    with Store(home / "quizzer.db") as store:
        store.db.execute("INSERT INTO accepted VALUES ('hostile', 'typed', ?, '2026-03-02T00:00:00+00:00')",
                         (hostile_text("accepted"),))
    return {"home": home, "linked": linked, "broken": broken, "study": study.output}


def test_plain_study_shows_deck_text_and_answers_literally(library):
    assert_safe(library["study"], shown=[*SHOWN, "typed-question", "right-option", "wrong-option", "first-item",
                                         "flash-question", "statement", "Gap: ", "explain"])


SCREENS = {  # name: arguments; {linked} and {broken} are the files at hostile paths. Run in this order.
    "decks add --link": ["decks", "add", "--link", "{linked}"],
    "decks": ["decks"],
    "decks --json": ["decks", "--json"],
    "decks show": ["decks", "show", "hostile"],
    "decks show (hostile path)": ["decks", "show", "linked"],
    "decks show --json": ["decks", "show", "hostile", "--json"],
    "decks validate": ["decks", "validate", "{linked}", "{home}/decks/hostile.yaml"],
    "decks validate (problems)": ["decks", "validate", "{broken}"],
    "decks export yaml": ["decks", "export", "hostile"],
    "decks export csv": ["decks", "export", "hostile", "--format", "csv"],
    "decks export anki-txt": ["decks", "export", "hostile", "--format", "anki-txt"],
    "history": ["history"],
    "history --reviews": ["history", "--reviews"],
    "history --reviews --csv": ["history", "--reviews", "--csv"],
    "history --reviews --json": ["history", "--reviews", "--json"],
    "history --csv": ["history", "--csv"],
    "stats": ["stats", "--now", NOW],
    "stats --tag": ["stats", "--tag", hostile_text("card-tag"), "--now", NOW],
    "stats --json": ["stats", "--json", "--now", NOW],
    "cards": ["cards", "--now", NOW],
    "cards --json": ["cards", "--json", "--now", NOW],
    "card": ["card", "hostile/typed", "--now", NOW],
    "card --json": ["card", "hostile/typed", "--json", "--now", NOW],
    "accepted": ["accepted"],
    "accepted --json": ["accepted", "--json"],
    "doctor": ["doctor"],
    "progress export -": ["progress", "export", "-"],
    "paths": ["paths"],
    "backup": ["backup"],
    "unknown deck": ["decks", "show", hostile_text("no-such-deck")],
}
# What each screen must show of the data, besides SHOWN (which only screens with all of it need).
EXPECTED = {
    "decks add --link": ["deck 'linked'", "<U+202E>[bold]b"],
    "decks": ["title"],  # the file is named by `decks show` (issue 11 #4)
    "decks show": SHOWN + ["typed-question", "answer"],
    "decks show (hostile path)": ["<U+202E>[bold]b"],
    "decks validate": ["<U+202E>[bold]b", "ok — linked"],
    "decks validate (problems)": ["<U+202E>[bold]b", "key "],
    "decks export yaml": ["typed-question", "\\e]52;c;U0VDUkVU\\a", "<U+202E>", "[red]x[/red]"],
    "decks export csv": SHOWN + ["typed-question"],
    "decks export anki-txt": ["typed-question", "<U+202E>"],
    "history": ["gone-deck", "<U+202E>"],
    "history --reviews": SHOWN + ["gone-card", "response"],
    "history --reviews --csv": SHOWN + ["imported-response"],
    "history --csv": ["gone-deck", "<U+202E>"],
    "stats": ["gone-deck", "<U+202E>", "card-tag"],
    "stats --tag": ["card-tag", "<U+202E>"],
    "cards": SHOWN + ["typed-question"],
    "card": SHOWN + ["typed-question", "response"],
    "accepted": SHOWN + ["accepted"],
    "doctor": ["gone-deck", "<U+202E>"],
    "paths": ["<U+202E>[bold]b"],
    "backup": ["Backed up", "<U+202E>[bold]b"],
    "unknown deck": ["no-such-deck", "<U+202E>"],
}
# JSON and YAML keep the text exact: what a terminal acts on is written as \u (YAML: \e, \x9B) escapes.
ESCAPED_SCREENS = {"decks export yaml", "decks --json", "decks show --json", "history --reviews --json", "stats --json", "cards --json",
                "card --json", "accepted --json", "progress export -"}



def in_terminal(library, columns: int) -> dict[str, str]:
    """Every screen's output, run one after another in a pseudo-terminal `columns` wide."""
    places = {"linked": str(library["linked"]), "broken": str(library["broken"]), "home": str(library["home"])}
    screens = [(name, [arg.format(**places) if "{" in arg and "{{" not in arg else arg for arg in args])
               for name, args in SCREENS.items()]
    env = dict(os.environ)
    # rich takes a dumb terminal to be 80 columns wide unless COLUMNS and LINES say otherwise.
    env |= {"QUIZZER_HOME": str(library["home"]), "TERM": "dumb", "COLUMNS": str(columns), "LINES": "50"}
    return run_screens(screens, env, columns, rows=50)


WIDE = 300  # wide enough that no table folds a cell: what each screen shows is checked at this width


@pytest.fixture(scope="module", params=[60, 100, WIDE], ids=lambda columns: f"{columns}-columns")
def screens(request, library):
    return request.param, in_terminal(library, request.param)


@pytest.mark.parametrize("name", SCREENS)
def test_no_escape_from_the_data_reaches_the_terminal(screens, name):
    columns, outputs = screens
    output = outputs[name]
    if name in ESCAPED_SCREENS:
        shown, never = EXPECTED.get(name, ["\\u202e", "\\u001b", "[red]x[/red]"]), ["\u202e", "\u2066"]
    else:
        shown, never = EXPECTED.get(name, []), NEVER
    assert_safe(output, shown=shown if columns == WIDE else [], never=never)


def test_json_to_a_terminal_reads_back_exactly(library):
    output = in_terminal(library, WIDE)["accepted --json"]
    rows = json.loads(output.replace("\r\n", "\n"))
    assert rows == [{"deck": "hostile", "card": "typed", "response": hostile_text("accepted")}]


def test_data_into_a_pipe_is_kept_exactly(library):
    """A file or pipe gets the deck's text as it is; only a terminal gets the display form."""
    env = {"QUIZZER_HOME": str(library["home"])}
    csv_text = CliRunner().invoke(app, ["decks", "export", "hostile", "--format", "csv"], env=env, color=True).stdout
    assert hostile_text("typed-question") in csv_text
    saved = sqlite3.connect(library["home"] / "quizzer.db").execute(
        "SELECT response FROM reviews WHERE card = 'typed'").fetchone()
    assert saved == (TYPED_RESPONSE,)


@pytest.mark.parametrize("columns", [60, 100])
def test_interactive_study_in_a_real_terminal(tmp_path, columns):
    """Every card type asked in the interactive prompter, its panel title, options, items, verdicts and
    answers shown, and the end-of-session summary. TERM=xterm: prompt_toolkit draws with escapes of
    its own, so this looks for what the data would have sent."""
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "hostile.yaml").write_text(yaml.safe_dump(DECK, allow_unicode=True), encoding="utf-8")
    env = {**os.environ, "QUIZZER_HOME": str(home), "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "quizzer", "study", "hostile", "--seed", "3"], env=env,
                          dimensions=(40, columns), encoding="utf-8", timeout=20)
    child.logfile_read = transcript = io.StringIO()
    prompts = {"Answer:": "wrong\r", " answer · ↑↓ Enter choose": "\r", "t/y true": "\r", "Item numbers": "2 1\r",
               "Enter show answer": " "}
    for _ in DECK["cards"]:
        child.send(prompts[PROMPTS[child.expect_exact(PROMPTS)]])
        child.expect_exact(["Enter keep", "1-4 rate"])  # the verdict and answer are shown
        child.send("\r")
    if child.expect_exact(["Session summary", *PROMPTS]):
        child.send("\x03")
        child.expect_exact("Session summary")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    output = transcript.getvalue()
    assert not [field for field in ("title", "typed-question", "choice-question", "right-option",
                                                   "wrong-option", "first-item", "second-item", "flash-question",
                                                   "back", "statement", "Gap:", "explain", "answer")
                if f"{field} " not in output]
    for payload in ("U0VDUkVU", "TITLE", "evil.example/", "\x1b[2J", "\x1b[6n", "\x1bc", "\x07", "\x08", "\x9b",
                    "\x9d", "\u202e", "\u2066"):
        assert payload not in output, f"{payload!r} reached the terminal"
    assert "[red]x[/red]" in output and "<U+202E>" in output


def test_an_option_shown_literally_is_answered_with_its_own_text():
    """The option on screen is the display form; the answer judged is the deck's text, so picking the
    right option of a hostile deck is right."""
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput
    from rich.console import Console

    from quizzer.model import Card, Deck, Kind, Phase
    from quizzer.session import Question
    from quizzer.ui.interactive import InteractivePrompter

    right, wrong = hostile_text("right"), hostile_text("wrong")
    card = Card(id="c", kind=Kind.CHOICE, question="Q", answer=right, distractors=(wrong,))
    with create_pipe_input() as pipe:
        prompter = InteractivePrompter(Console(file=io.StringIO(), width=80, color_system=None), input=pipe,
                                       output=DummyOutput())
        pipe.send_text("\x1b[B\r")  # arrow down to the second option
        assert prompter.ask(Question(Deck(id="d", title="D", cards=(card,)), card, Phase.NEW, (wrong, right))) == right


PROMPTS = ["Answer:", " answer · ↑↓ Enter choose", "t/y true", "Item numbers", "Enter show answer"]
