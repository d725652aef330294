"""Every table screen at 60 and 100 columns in a real pseudo-terminal: no id broken, nothing cut off.

A deck id and a card id (and a DECK/CARD pair, when it fits the screen) must each appear whole on one
line, and no cell is cut short with `…`. Add a screen: one line in SCREENS
(with the ids it shows).
"""

import io
import os
import re
from datetime import datetime, timedelta, timezone

import pexpect
import pytest
from rich.console import Console
from rich.text import Text

from quizzer.model import Outcome, Rating, Review
from quizzer.scheduler import Scheduler, new_state
from quizzer.store import Store
from quizzer.ui.screens import Fitted, compact_table
from terminal_screens import run_screens

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)
NOW = (T0 + timedelta(hours=1)).isoformat()
LONG = "a-long-deck-id-on-narrow-screens"  # 32 characters: with a card id, 57
CARDS = ["the-longest-card-id-here", "second-card", "third-card-of-the-deck"]
WIDE = "a-card-whose-id-is-long-enough-to-overflow"  # 42 characters: with the deck id, 75
TITLE = "A deck with a long id and a title that needs two lines at sixty columns"
DECK = f"id: {LONG}\ntitle: {TITLE}\ncards:\n" + "".join(
    f"  - id: {card}\n    question: Which answer does card number {n} want, asked in a question long enough to wrap?\n"
    f"    answer: answer {n}\n" for n, card in enumerate([*CARDS, WIDE])
)
BUILTIN = ["mali-2012-actors", "mali-2012-dates", "mali-2012-legal", "mali-2012-places", "mali-2012-rebellions",
           "mali-2012-takeaways"]
KEYS = [f"{LONG}/{card}" for card in CARDS] + ["mali-2012-takeaways/civilian-approach-precluded"]

SCREENS = {  # name: (arguments, ids shown whole on one line)
    "decks": (["decks"], [LONG, *BUILTIN]),
    "decks show": (["decks", "show", LONG], [*CARDS, WIDE, f"{LONG}.yaml"]),  # the file name too
    "stats": (["stats", "--now", NOW], [LONG, *BUILTIN, *KEYS]),
    "history": (["history"], [LONG, "mali-2012-takeaways"]),
    "history --reviews": (["history", "--reviews"], KEYS),
    # At 60 columns the DECK/CARD pair of WIDE does not fit: it breaks after the "/", the card id whole.
    "cards": (["cards", LONG, "--now", NOW], [*KEYS[:3], WIDE, f"{LONG}/{WIDE}"]),
    "card": (["card", KEYS[0], "--now", NOW], [KEYS[0]]),
    "accepted": (["accepted"], KEYS[:2]),
}

SGR = re.compile(r"\x1b\[[0-9;]*m")  # bold and dim: NO_COLOR keeps styles, the checks read the text


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    home = tmp_path_factory.mktemp("widths") / "home"
    (home / "decks").mkdir(parents=True)
    (home / "decks" / f"{LONG}.yaml").write_text(DECK, encoding="utf-8")
    scheduler = Scheduler(fuzz=False)
    with Store(home / "quizzer.db") as store:
        # Three right answers take a card to review; then wrong and right by turns: a lapse every other day,
        # so each card is among the hardest cards and, with eight lapses, a leech.
        for number, key in enumerate(KEYS * 20):
            deck, card = key.split("/")
            state = store.states([deck]).get((deck, card)) or new_state(T0)
            day = number // len(KEYS)
            at = T0 - timedelta(days=40 - 2 * day)
            wrong = day >= 3 and day % 2 == 1
            rating, outcome = (Rating.AGAIN, Outcome.WRONG) if wrong else (Rating.GOOD, Outcome.CORRECT)
            after = scheduler.review(state, rating, at, f"r{number}")
            review = Review(f"r{number}", deck, card, at, rating, outcome, "a response", 1000, f"s{day}")
            store.record(review, state.phase, after)
        for key in KEYS[:2]:
            store.db.execute("INSERT INTO accepted VALUES (?, ?, 'an accepted answer', ?)",
                             (*key.split("/"), T0.isoformat()))
    return home


def in_terminal(home, columns: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env |= {"QUIZZER_HOME": str(home), "TERM": "xterm", "NO_COLOR": "1"}
    screens = [(name, args) for name, (args, _) in SCREENS.items()]
    return {name: SGR.sub("", output.replace("\r\n", "\n"))
            for name, output in run_screens(screens, env, columns, rows=30).items()}


@pytest.fixture(scope="module", params=[60, 100], ids=lambda columns: f"{columns}-columns")
def screens(request, home):
    return request.param, in_terminal(home, request.param)


@pytest.mark.parametrize("name", SCREENS)
def test_no_id_is_broken_and_nothing_is_cut_off(screens, name):
    columns, outputs = screens
    lines = outputs[name].splitlines()
    assert "Traceback" not in outputs[name] and "quizzer:" not in outputs[name], outputs[name]
    broken = [id_ for id_ in SCREENS[name][1] if len(id_) <= columns and not any(id_ in line for line in lines)]
    assert not broken, f"not whole on any line at {columns} columns: {broken}\n" + outputs[name]
    assert "…" not in outputs[name]


def render(renderable, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None)
    console.print(renderable)
    return console.file.getvalue()


def test_a_table_is_a_table_while_its_longest_words_fit_then_blocks():
    table = compact_table()
    table.add_column("deck", overflow="fold")
    table.add_column("due today", justify="right", no_wrap=True)
    table.add_row("mali-2012-rebellions and more words", "3")
    # Widest words: `mali-2012-rebellions` (20) and the header `due today` (9), 2 columns apart: 31.
    at_31 = render(Fitted(table), 31)
    assert at_31.splitlines()[0].split() == ["deck", "due", "today"] and "mali-2012-rebellions" in at_31
    at_30 = render(Fitted(table), 30)
    assert [line.rstrip() for line in at_30.splitlines()] == [
        "mali-2012-rebellions and more", "words", "  due today: 3"]


def stats_like_table(rows: int, words: str = ""):
    """A table like the stats screen's: a folding deck column, styled cells, numbers, a total line."""
    table = compact_table()
    table.add_column("deck", overflow="fold")
    for name in ("cards", "due today", "suspended"):
        table.add_column(name, justify="right", no_wrap=True)
    for n in range(rows):
        table.add_row(f"bench-{n:03d}{words}", str(n * 7), Text(str(n), style="cyan"), "0", end_section=n == rows - 1)
    table.add_row(Text("total", style="bold"), str(rows * 1000), "12", "0")
    return table


# (rows, words after each deck id, width): natural widths fit; only the longest words fit (the deck column
# wraps); exactly as wide as the screen.
FITTING = [(3, "", 60), (100, "", 100), (4, " and a title long enough to wrap", 60), (2, "", 38)]


@pytest.mark.parametrize("rows, words, width", FITTING)
@pytest.mark.parametrize("colour", [None, "truecolor"])
def test_a_fitted_table_prints_as_the_table_itself(rows, words, width, colour):
    def printed(renderable):
        console = Console(file=io.StringIO(), width=width, color_system=colour, force_terminal=bool(colour))
        console.print(renderable)
        console.print(renderable)  # a second time, as wide: nothing left over from the first
        return console.file.getvalue()

    assert printed(Fitted(stats_like_table(rows, words))) == printed(stats_like_table(rows, words))


def test_a_fitted_table_measures_each_cell_once(monkeypatch):
    from rich.measure import Measurement

    table = stats_like_table(20)
    cells = [cell for column in table.columns for cell in (column.header, *column.cells)]
    # A string cell is measured as the Text its markup makes (drawn later as it is): both count.
    texts = {cell if isinstance(cell, str) else cell.plain for cell in cells}
    real, measured = Measurement.get.__func__, []

    def counting(cls, console, options, renderable):
        measured.append(renderable.plain if isinstance(renderable, Text) else renderable)
        return real(cls, console, options, renderable)

    monkeypatch.setattr(Measurement, "get", classmethod(counting))
    render(Fitted(table), 100)
    assert len(measured) == len(cells) == 4 * 22 and set(measured) <= texts  # the table measured none again


def test_blocks_pack_pairs_and_keep_cells_of_several_lines():
    table = compact_table(leading=1)
    table.title = "Answers"
    table.add_column("when", no_wrap=True)
    table.add_column("card", overflow="fold")
    for name in ("verdict", "rating", "next due"):
        table.add_column(name, no_wrap=True)
    table.add_row("2026-03-02 12:00", "deck/a-card-id-that-is-long\nA question?", "correct", "3", "in 4d")
    table.add_row("2026-03-02 12:01", "deck/b", "wrong", "1", "in 1m")
    assert [line.rstrip() for line in render(Fitted(table), 30).splitlines()] == [
        "Answers", "2026-03-02 12:00", "deck/a-card-id-that-is-long", "A question?",
        "  verdict: correct · rating: 3", "  next due: in 4d", "",
        "2026-03-02 12:01", "  card: deck/b", "  verdict: wrong · rating: 1", "  next due: in 1m",
    ]


def test_decks_show_names_the_file_from_the_home_folder(tmp_path, monkeypatch):
    from types import SimpleNamespace

    from quizzer.ui.screens import deck_table

    monkeypatch.setenv("HOME", str(tmp_path))
    inside = SimpleNamespace(title="Mine", cards=[], path=str(tmp_path / "notes" / "mine.yaml"))
    outside = SimpleNamespace(title="Mine", cards=[], path="/srv/decks/mine.yaml")
    assert render(deck_table(inside, []), 100).splitlines()[0].rstrip() == "Mine — 0 cards · ~/notes/mine.yaml"
    assert render(deck_table(outside, []), 100).splitlines()[0].rstrip() == "Mine — 0 cards · /srv/decks/mine.yaml"


@pytest.mark.parametrize("width", [40, 44, 60, 100])  # the file name (37) fits; wider ones fold
def test_decks_show_breaks_the_files_path_only_after_a_separator(width):
    from types import SimpleNamespace

    from quizzer.ui.screens import deck_table

    path = "/srv/a-folder-of-decks/shared/" + LONG + ".yaml"
    deck = SimpleNamespace(title="Mine", cards=[], path=path)
    head = render(deck_table(deck, []), width).split("\ncard,")[0].splitlines()
    assert all(len(line.rstrip()) <= width for line in head)
    assert " ".join(line.rstrip() for line in head).replace("/ ", "/") == f"Mine — 0 cards · {path}"
    assert all(line.rstrip().endswith(("/", "·")) for line in head[:-1]), head  # never inside a name


def every_help() -> list[list[str]]:
    """The arguments that show each command's and group's help."""
    import typer.main

    from quizzer.cli import app

    def walk(command, path):
        yield [*path, "--help"]
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(app), []))


@pytest.mark.parametrize("columns", [60, 100])
def test_every_help_fills_its_lines_at_the_terminals_width(tmp_path, columns):
    # typer keeps a docstring's source line breaks: at 60 columns each 100-column source line became a
    # full line and a stub. Each paragraph must wrap where the next word no longer fits, and no further.
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env |= {"QUIZZER_HOME": str(tmp_path), "TERM": "xterm", "NO_COLOR": "1"}
    helps = every_help()
    outputs = run_screens([(" ".join(args), args) for args in helps], env, columns, rows=30)
    assert len(outputs) == len(helps) > 25
    for name, output in outputs.items():
        lines = [line.rstrip() for line in SGR.sub("", output.replace("\r\n", "\n")).splitlines()]
        assert all(len(line) <= columns for line in lines), f"quizzer {name}:\n" + "\n".join(lines)
        start = next(n for n, line in enumerate(lines) if "Usage:" in line) + 1
        end = next(n for n, line in enumerate(lines) if line.startswith("╭"))
        paragraphs = "\n".join(lines[start:end]).strip("\n").split("\n\n")
        assert paragraphs[-1].split("\n")[0].strip() == "Examples:", f"quizzer {name}:\n" + "\n".join(lines)
        for paragraph in paragraphs[:-1]:
            rows = paragraph.split("\n")
            for line, after in zip(rows, rows[1:]):
                # one space of padding either side: a line ends early if the next line's first word fits on it
                assert len(line.strip()) + 1 + len(after.split()[0]) > columns - 2, \
                    f"quizzer {name} at {columns} columns breaks early:\n{line}\n{after}"


@pytest.mark.parametrize("width", [50, 60, 100])  # the file's name (45) fits; the path (88) in the widest only
def test_a_message_breaks_a_path_wider_than_the_terminal_only_after_a_folder(width):
    from quizzer.ui.text import wrapped

    path = "/home/someone/.local/share/quizzer/backups/quizzer-20261202T185251-before-doctor-fix.db"
    message = f"Fixed: rebuilt the state of 100,000 cards from their answers (backup: {path})."
    lines = wrapped(message, width).split("\n")
    assert all(len(line) <= width for line in lines), lines
    assert "".join(lines).replace(" ", "") == message.replace(" ", "")  # nothing lost, nothing added
    assert any("quizzer-20261202T185251-before-doctor-fix.db" in line for line in lines)  # the name whole
    assert wrapped("a\n\n  b  c", width) == "a\n\n  b  c"  # short lines as they were


@pytest.mark.parametrize("columns", [60, 100])
def test_a_backups_long_path_is_shown_whole_name_by_name_in_a_terminal(quizzer_home, tmp_path, columns):
    from terminal_screens import Terminal

    folder = tmp_path / "a-folder-whose-name-is-long-enough" / "and-another-inside-it-for-the-backups"
    folder.mkdir(parents=True)
    quizzer_home.mkdir(parents=True)
    screen = Terminal(quizzer_home, columns, "backup", str(folder))
    screen.expect("Backed up")
    screen.child.expect(pexpect.EOF)
    screen.stream.feed(screen.child.before)
    (backup,) = folder.iterdir()
    assert all(len(line) <= columns for line in screen.lines)
    names = [name for part in (str(quizzer_home), str(folder)) for name in part.split("/") if name]
    shown = [piece for line in screen.lines for piece in line.replace(" ", "/").split("/")]
    assert all(name in shown for name in [*names, "quizzer.db", backup.name]), screen.lines  # none broken
