"""Where long work stands: the stages `import_reviews`, `export_reviews` and `check` tell their `progress`
callback, and the status line that shows them and the other long steps (`doctor`, `optimize`, `decks
import`) on a terminal: 60 and 100 columns in a real pseudo-terminal, cleared before the lines the step
leads to, and never written anywhere else."""

import io
import os
import re
import sys
import time
from datetime import datetime, timedelta, timezone

import pexpect
import pyte
import pytest
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.store import Store, sync
from quizzer.store.sync import Stage
from test_import_speed import T0, answers_file, exported_line, replay
from terminal_screens import Terminal, _as_from_a_shell_prompt, pty_env


def told(path, lines, *, earlier=(), **options):
    """Import `earlier`, then `lines`, into a new database; the (stage, done, total) reports of the second."""
    reports = []
    with Store(path) as store:
        if earlier:
            sync.import_reviews(store, earlier, "e", replay, now=T0, hold=0, pause=0)
        sync.import_reviews(store, lines, "f", replay, now=T0, hold=0, pause=0, cards=30,
                            progress=lambda *report: reports.append(report), **options)
    return reports


def stages(reports):
    """The stages in the order first told, each once however many reports it had."""
    return [stage for n, (stage, _, _) in enumerate(reports) if n == 0 or reports[n - 1][0] != stage]


def counts(reports, stage):
    return [(done, total) for told_stage, done, total in reports if told_stage is stage]


@pytest.fixture
def small_batches(monkeypatch):
    """Merged at once from 200 new answers, read 100 lines at a time, the cards of about 100 answers
    rebuilt at a time: a file of hundreds of lines takes the paths a million-answer file takes."""
    monkeypatch.setattr(sync, "AT_ONCE", 200)
    monkeypatch.setattr(sync, "_BATCH", 100)
    monkeypatch.setattr(sync, "REBUILD", 100)


def test_a_first_import_tells_each_stage_in_order_with_counts_that_end_at_the_totals(tmp_path, small_batches):
    reports = told(tmp_path / "q.db", answers_file(550, 40))
    assert stages(reports) == [Stage.READ, Stage.INDEX, Stage.REBUILD, Stage.SUMS, Stage.SAVE]
    assert counts(reports, Stage.READ) == [(n, None) for n in (100, 200, 300, 400, 500, 550)]
    rebuilt = counts(reports, Stage.REBUILD)
    assert [done for done, _ in rebuilt] == sorted({done for done, _ in rebuilt}) and len(rebuilt) > 1
    assert rebuilt[-1] == (40, 40) and {total for _, total in rebuilt} == {40}


def test_a_file_that_doubles_the_log_is_merged_at_once_and_tells_its_stages(tmp_path, small_batches):
    earlier = answers_file(50, 10)
    reports = told(tmp_path / "q.db", [exported_line(review_id=f"new{n}", card=f"k{n % 25}") for n in range(300)],
                   earlier=earlier)
    assert stages(reports) == [Stage.READ, Stage.INDEX, Stage.SUMS, Stage.REBUILD, Stage.SAVE]
    assert counts(reports, Stage.READ)[-1] == (300, None)
    assert counts(reports, Stage.REBUILD)[-1] == (25, 25)


def test_a_small_file_merged_in_turns_tells_the_cards_merged_of_those_it_brings(tmp_path):
    reports = told(tmp_path / "q.db", [exported_line(review_id=f"new{n}", card=f"k{n % 70}") for n in range(140)],
                   earlier=answers_file(300, 40))
    assert stages(reports) == [Stage.READ, Stage.REBUILD]
    assert counts(reports, Stage.READ) == [(140, None)]
    rebuilt = counts(reports, Stage.REBUILD)
    assert len(rebuilt) > 1 and rebuilt[-1] == (70, 70)  # chunks of about 30 answers: 15 cards each


def test_lines_read_ahead_are_counted_here_and_the_reading_process_tells_nothing(tmp_path, small_batches):
    pids = tmp_path / "pids"

    def progress(stage, done, total):
        with pids.open("a") as out:  # a report from the process reading ahead would land here too
            out.write(f"{os.getpid()} {stage.value} {done}\n")

    with Store(tmp_path / "q.db") as store:
        result = sync.import_reviews(store, answers_file(750, 40), "f", replay, now=T0, read_ahead=True,
                                     progress=progress)
    lines = [line.split() for line in pids.read_text().splitlines()]
    assert {pid for pid, _, _ in lines} == {str(os.getpid())}
    assert [int(done) for _, stage, done in lines if stage == "read"] == [100, 200, 300, 400, 500, 600, 700, 750]
    assert result.read == 750


def test_an_export_tells_the_answers_written_of_all(tmp_path, monkeypatch):
    monkeypatch.setattr(sync, "_BATCH", 100)
    reports = []
    with Store(tmp_path / "q.db") as store:
        sync.import_reviews(store, answers_file(250, 40), "f", replay, now=T0)
        written = io.StringIO()
        sync.export_reviews(store, written, lambda *report: reports.append(report))
    assert reports == [(Stage.WRITE, 100, 250), (Stage.WRITE, 200, 250), (Stage.WRITE, 250, 250)]
    assert written.getvalue().count("\n") == 250


def test_no_status_line_is_written_where_standard_error_is_no_terminal(quizzer_home, tmp_path, monkeypatch):
    import quizzer.ui.status

    monkeypatch.setattr(quizzer.ui.status, "DELAY", 0)  # drawn from the first report, were it a terminal
    file = tmp_path / "answers.jsonl"
    file.write_text("".join(answers_file(300, 40)), encoding="utf-8")
    result = CliRunner().invoke(app, ["progress", "import", str(file)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Imported 300 new answers") and "Reading" not in result.output
    result = CliRunner().invoke(app, ["progress", "export", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 0, result.output
    assert result.output == f"Exported 300 answers and 0 events to {tmp_path / 'out.jsonl'}\n"  # no "Writing"


# -- in a real terminal ------------------------------------------------------------------------------------


def answers_from(start: datetime, count: int, *, first: int = 0, prefix: str = "r", cards: int = 500) -> list[str]:
    """Answers `first` to `first + count` to `cards` cards, a minute apart from `start`, as export writes them."""
    return [exported_line(review_id=f"{prefix}{n}", card=f"{prefix}{n % cards}",
                          reviewed_at=(start + timedelta(minutes=n)).isoformat(timespec="microseconds"),
                          next_due=(start + timedelta(minutes=n + 10)).isoformat(timespec="microseconds"))
            for n in range(first, first + count)]


def recent_lines(count: int, first: int = 0) -> str:
    """`answers_from` 30 days before today's noon (pty_env's clock), as one text."""
    noon = datetime.now(timezone.utc).replace(hour=12, minute=0, second=0, microsecond=0)
    return "".join(answers_from(noon - timedelta(days=30), count, first=first))


class FedImport(Terminal):
    """`quizzer progress import` of a named pipe in a pseudo-terminal `columns` wide, the pipe fed by the test
    as it likes, so that the import is still reading when its status line is due."""

    def __init__(self, home, tmp_path, columns: int):
        self.pipe = tmp_path / "answers.jsonl"
        os.mkfifo(self.pipe)
        super().__init__(home, columns, "progress", "import", str(self.pipe))
        self.feeding = self.pipe.open("w", encoding="utf-8")  # waits for the import to open the pipe

    def feed(self, text: str) -> None:
        self.feeding.write(text)
        self.feeding.flush()

    def until_its_line_shows(self) -> None:
        """20,000 answers fed, the second half once the line's delay has passed: the line shows the count."""
        self.feed(recent_lines(10_000))
        time.sleep(0.7)
        self.feed(recent_lines(10_000, 10_000))
        self.expect("Reading answers: 20,000")

    def end(self) -> None:
        self.feeding.close()
        self.child.expect(pexpect.EOF)
        self.stream.feed(self.child.before)
        self.child.close()


@pytest.mark.parametrize("columns", [60, 100])
def test_a_long_import_says_where_it_stands_on_one_line_and_clears_it_before_its_summary(quizzer_home, tmp_path,
                                                                                          columns):
    run = FedImport(quizzer_home, tmp_path, columns)
    run.until_its_line_shows()
    assert run.lines == ["Reading answers: 20,000"]
    run.feed(recent_lines(5_000, 20_000))
    run.end()
    assert run.child.exitstatus == 0
    assert " ".join(run.lines).startswith("Imported 25,000 new answers from")
    assert not any(word in " ".join(run.lines) for word in ("Reading", "Rebuilding", "Saving"))
    assert all(len(line) <= columns for line in run.lines)


def test_an_import_that_fails_after_its_status_line_appeared_leaves_its_whole_error_on_screen(quizzer_home,
                                                                                              tmp_path):
    run = FedImport(quizzer_home, tmp_path, 60)
    run.until_its_line_shows()
    run.feed("not a review\n")
    run.end()
    assert run.child.exitstatus == 2
    shown = "".join(run.lines)  # the file's long path is wrapped at the terminal's edge
    assert shown.startswith("quizzer:") and f"{run.pipe}:20001:" in shown and shown.endswith("nothing was imported")
    assert "Reading answers" not in shown


def test_ctrl_c_during_an_import_clears_the_line_and_says_what_became_of_the_answers(quizzer_home, tmp_path):
    run = FedImport(quizzer_home, tmp_path, 60)
    run.until_its_line_shows()
    run.child.sendintr()
    run.expect("importing the file again adds the rest")
    run.end()
    assert run.child.exitstatus == 130
    assert " ".join(run.lines) == ("quizzer: interrupted; answers already merged are kept, and importing the file "
                                   "again adds the rest")
    with Store(quizzer_home / "quizzer.db") as store:  # the file's first 20,000 were still being checked
        assert store.db.execute("SELECT COUNT(*) FROM reviews").fetchone() == (0,)


def test_a_quick_import_in_a_terminal_draws_no_status_line(quizzer_home, tmp_path):
    file = tmp_path / "answers.jsonl"
    file.write_text(recent_lines(300), encoding="utf-8")
    run = Terminal(quizzer_home, 60, "progress", "import", str(file))
    run.child.expect(pexpect.EOF)
    assert "Imported 300 new answers" in run.child.before and "Reading" not in run.child.before


# -- doctor ------------------------------------------------------------------------------------------------


def test_a_check_tells_the_integrity_check_then_the_cards_replayed(tmp_path, monkeypatch):
    monkeypatch.setattr(sync, "_BATCH", 100)
    reports = []
    with Store(tmp_path / "q.db") as store:
        sync.import_reviews(store, answers_file(700, 350), "f", replay, now=T0)
        found = sync.check(store, set(), replay, lambda *report: reports.append(report))
    assert reports == [(Stage.INTEGRITY, 0, None), (Stage.REPLAY, 100, None), (Stage.REPLAY, 200, None),
                       (Stage.REPLAY, 300, None)]
    assert found.cards == 350 and not found.disagreeing


def test_doctor_writes_its_counts_with_thousands(quizzer_home):
    quizzer_home.mkdir(parents=True)
    with Store(quizzer_home / "quizzer.db") as store:
        sync.import_reviews(store, answers_file(1_200, 1_200), "f", replay, now=T0)
    result = CliRunner().invoke(app, ["doctor"])
    assert "card states: all 1,200 agree with a replay" in result.output, result.output


# The app run in a pseudo-terminal with each status line's timer firing as it is made: every step's line is
# drawn, so any line left behind, or a report written over one, shows on the screen.
AT_ONCE_RUNNER = """
import sys
import quizzer.ui.status
from quizzer.cli import app

class AtOnce:
    def __init__(self, delay, function):
        self.function = function
    def start(self):
        self.function()
    def cancel(self):
        pass

quizzer.ui.status.Timer = AtOnce
try:
    app(sys.argv[1:], prog_name="quizzer")
except SystemExit as end:
    sys.stdout.flush()
    sys.exit(end.code)
"""


def unspaced(text: str, home) -> str:
    text = re.sub(r"\s", "", text).replace(str(home), "HOME")
    return re.sub(r"\d{8}T\d{6}(-\d+)?", "WHEN", text)  # a backup's name: its time


def damaged_home(home):
    """A home with 700 answers to 350 cards, one card's state and one day's sums changed behind the log's back."""
    import sqlite3

    with Store(home / "quizzer.db") as store:
        sync.import_reviews(store, answers_file(700, 350), "f", replay, now=T0)
    db = sqlite3.connect(home / "quizzer.db")
    with db:
        db.execute("UPDATE cards SET due = '2030-01-01T00:00:00.000000+00:00' WHERE card = 'c7'")
        db.execute("UPDATE answer_days SET answers = answers + 1 WHERE day = (SELECT MIN(day) FROM answer_days)")
    db.close()


def at_once(home, args, columns, **env):
    """`quizzer ARGS` in a pseudo-terminal `columns` wide, each status line drawn at once: (exit status, what
    the terminal received, the screen's lines at the end)."""
    child = pexpect.spawn(sys.executable, ["-c", AT_ONCE_RUNNER, *args], env=pty_env(home, **env),
                          dimensions=(40, columns), encoding="utf-8", timeout=60, preexec_fn=_as_from_a_shell_prompt)
    child.expect(pexpect.EOF)
    child.close()
    screen = pyte.Screen(columns, 40)
    pyte.Stream(screen).feed(child.before)
    return child.exitstatus, child.before, [line.rstrip() for line in screen.display if line.strip()]


def piped(home, args, columns, **env):
    """The same command without a terminal: (exit status, its output)."""
    result = CliRunner().invoke(app, args, env={"QUIZZER_HOME": str(home), "COLUMNS": str(columns), **env})
    return result.exit_code, result.output


def assert_same_report(shown, home, output, other_home):
    """The screen left by the status lines says what the command says to a pipe, word for word (compared
    without white space: the terminal breaks long paths at its edge; each run's backup has its own name)."""
    assert unspaced("".join(shown), home) == unspaced(output, other_home)


@pytest.mark.parametrize("columns", [60, 100])
@pytest.mark.parametrize("args", [["doctor"], ["doctor", "--fix"]])
def test_doctors_status_lines_leave_its_report_as_without_a_terminal(quizzer_home, columns, args):
    quizzer_home.mkdir(parents=True)
    damaged_home(quizzer_home)
    status, drawn, shown = at_once(quizzer_home, args, columns)
    damaged_home(quizzer_home)  # as it was before the run above
    code, output = piped(quizzer_home, args, columns)
    assert status == code == (0 if "--fix" in args else 1)
    assert_same_report(shown, quizzer_home, output, quizzer_home)
    assert "Checking every page of the database…" in drawn and "Comparing the sums of answers" in drawn
    if "--fix" in args:
        assert "Backing up the database…" in drawn and "Refilling the sums of answers…" in drawn


@pytest.mark.parametrize("columns", [60, 100])
def test_a_backups_status_line_leaves_its_one_line_as_without_a_terminal(quizzer_home, columns):
    quizzer_home.mkdir(parents=True)
    damaged_home(quizzer_home)
    status, drawn, shown = at_once(quizzer_home, ["backup"], columns)
    code, output = piped(quizzer_home, ["backup"], columns)
    assert status == code == 0 and output.startswith("Backed up ")
    assert_same_report(shown, quizzer_home, output, quizzer_home)
    assert "Backing up the database…" in drawn


@pytest.mark.parametrize("columns", [60, 100])
def test_optimizes_status_lines_leave_its_report_as_without_a_terminal(tmp_path, columns):
    pytest.importorskip("fsrs_rs_python", reason="fsrs-rs-python (extra 'optimize') is not installed")
    from optimizer_history import KNOWN, START, history, write_progress

    log = write_progress(history(KNOWN, cards=300, days=200), tmp_path / "log.jsonl")
    now = (START + timedelta(days=200)).isoformat()
    homes = tmp_path / "terminal", tmp_path / "pipe"
    for home in homes:
        home.mkdir()
        assert piped(home, ["progress", "import", str(log)], columns, QUIZZER_NOW=now)[0] == 0
    status, drawn, shown = at_once(homes[0], ["optimize", "--yes", "--force"], columns, QUIZZER_NOW=now)
    code, output = piped(homes[1], ["optimize", "--yes", "--force"], columns, QUIZZER_NOW=now)
    assert status == code == 0
    seconds = r"in \d+\.\d\d s"  # the fit's own time
    assert_same_report([re.sub(seconds, "", line) for line in shown], homes[0], re.sub(seconds, "", output), homes[1])
    for step in ("Fitting FSRS to your answers…", "Backing up the database…", "Rescheduling every card…"):
        assert step in drawn


@pytest.mark.parametrize("columns", [60, 100])
def test_an_anki_imports_status_lines_leave_its_report_as_without_a_terminal(tmp_path, columns):
    from test_anki_history import NOW, lib as anki_library, studied

    lib = anki_library.__wrapped__()
    col, _ = studied(lib, tmp_path)
    package = lib.export_apkg(col, tmp_path / "Spanish «deck» [red]x.apkg", legacy=False)
    col.close()
    homes = tmp_path / "terminal", tmp_path / "pipe"
    for home in homes:
        home.mkdir()
    status, drawn, shown = at_once(homes[0], ["decks", "import", str(package)], columns, QUIZZER_NOW=NOW.isoformat())
    code, output = piped(homes[1], ["decks", "import", str(package)], columns, QUIZZER_NOW=NOW.isoformat())
    assert status == code == 0
    assert_same_report(shown, homes[0], output, homes[1])
    assert "Imported 11 reviews of 5 cards from Anki" in output
    assert "Reading Spanish «deck» [red]x.apkg…" in drawn  # the file's name as it is: no markup read
    assert "Saving 11 reviews and rebuilding schedules…" in drawn  # one line at 60 columns with 100,000


@pytest.mark.parametrize("columns", [60, 100])
def test_a_syncs_status_lines_leave_its_report_as_without_a_terminal(tmp_path, columns):
    now = T0.isoformat()
    homes = tmp_path / "terminal", tmp_path / "pipe"
    own = answers_from(T0 - timedelta(days=30), 10_000, prefix="m", cards=100)
    for home in homes:  # each with a sync folder of its own, inside it: the paths shown differ by the home only
        other = home / "shared" / "devices" / "elsewhere"
        other.mkdir(parents=True)
        (other / "000001.jsonl").write_text("".join(answers_file(1_200, 350)) + "not a review\n", encoding="utf-8")
        with Store(home / "quizzer.db") as store:  # answers of its own, which its first sync pushes
            sync.import_reviews(store, own, "mine", replay, now=T0)
    status, drawn, shown = at_once(homes[0], ["sync", str(homes[0] / "shared")], columns, QUIZZER_NOW=now)
    code, output = piped(homes[1], ["sync", str(homes[1] / "shared")], columns, QUIZZER_NOW=now)
    assert status == code == 0
    assert_same_report(shown, homes[0], output, homes[1])
    assert "pushed 10,000 lines" in output and "pulled 1,200 new answers" in output and "000001.jsonl:1201" in output
    assert "Writing to the sync folder: 10,000 lines" in drawn
    assert "Reading answers: 1,200" in drawn and "Rebuilding schedules: 350 of 350 cards" in drawn


@pytest.mark.parametrize("columns", [60, 100])
def test_reading_the_decks_is_cleared_before_a_skipped_decks_line_and_the_table(quizzer_home, columns):
    from hostile.demo import DECK

    decks = quizzer_home / "decks"
    decks.mkdir(parents=True)
    (decks / "demo.yaml").write_text(DECK, encoding="utf-8")
    (decks / "broken.yaml").write_text("id: broken\ncards: [\n", encoding="utf-8")
    status, drawn, shown = at_once(quizzer_home, ["decks"], columns)
    code, output = piped(quizzer_home, ["decks"], columns)
    assert status == code == 0
    assert_same_report(shown, quizzer_home, output, quizzer_home)
    assert "broken.yaml" in output and "demo" in output and "Reading your decks…" in drawn


def test_a_step_that_is_one_long_call_is_shown_once_it_has_taken_the_delay_and_cleared_at_its_end():
    script = ("import time\nfrom quizzer.ui.status import StatusLine\n"
              "with StatusLine() as line:\n    line.show('Counting answers per day…')\n    time.sleep(1.5)\n"
              "print('done')\n")
    child = pexpect.spawn(sys.executable, ["-c", script], env={**os.environ, "TERM": "xterm"}, dimensions=(24, 60),
                          encoding="utf-8", timeout=30)
    child.expect_exact("Counting answers per day…")  # drawn by the timer: nothing else called `show`
    drawn = child.before + child.after
    child.expect(pexpect.EOF)
    screen = pyte.Screen(60, 24)
    pyte.Stream(screen).feed(drawn + child.before)
    assert [line.rstrip() for line in screen.display if line.strip()] == ["done"]
