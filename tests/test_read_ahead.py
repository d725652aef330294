"""A large import's lines read and checked in a second process (`read_ahead`, issue 14): the same rows, errors,
skipped lines and line numbers as reading them here, and no process left behind however the import ends."""

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from quizzer.store import Store, sync
from test_durability import write_lock_is_held
from test_import_speed import T0, answers_file, event_line, exported_line, hostile_first_import, replay
from terminal_screens import _as_from_a_shell_prompt

TABLES = ("reviews", "cards", "card_flags", "accepted", "events", "answer_days", "answer_cards", "answer_sessions")
LINUX = Path("/proc/self/task").is_dir()


@pytest.fixture
def forks(monkeypatch):
    """The pids of the processes forked meanwhile; AT_ONCE 200 and batches of 100 lines, so a file of a few
    hundred lines is read ahead after its first 200 answers."""
    monkeypatch.setattr(sync, "AT_ONCE", 200)
    monkeypatch.setattr(sync, "_BATCH", 100)
    children, fork = [], os.fork
    monkeypatch.setattr(os, "fork", lambda: children.append(fork()) or children[-1])
    return children


def imported(path, lines, *, read_ahead: bool, earlier=(), invalid: list | None = None):
    """Import `earlier`, then `lines` with or without reading ahead; (result, the lines this process read
    itself, the bad lines skipped, every saved row) or, when the import fails, the exception instead of
    the result, with the tables as they are after it."""
    given = []

    def counted():  # lines a second process reads are not counted here
        for line in lines:
            given.append(line)
            yield line

    with Store(path) as store:
        if earlier:
            sync.import_reviews(store, earlier, "e", replay, now=T0, hold=0, pause=0)
        try:
            outcome = replace(sync.import_reviews(store, counted(), "f", replay, now=T0, hold=0, pause=0, cards=30,
                                                  invalid=invalid, read_ahead=read_ahead), added_rowids=())
        except (sync.ProgressFileError, UnicodeDecodeError) as exc:
            outcome = (type(exc), str(exc))
        saved = {table: sorted(store.db.execute(f"SELECT * FROM {table}").fetchall(), key=repr) for table in TABLES}
        saved["schema"] = store.db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        saved["disagreeing"] = sync.check(store, set(), replay).disagreeing + store.sums_disagreeing()
    return outcome, len(given), None if invalid is None else [str(bad) for bad in invalid], saved


def both_ways(tmp_path, lines, *, skipping: bool = False, earlier=()):
    """`imported` read here, then read ahead, into two new databases, bad lines skipped or raised; (here, ahead)."""
    return tuple(imported(tmp_path / f"{way}.db", lines, read_ahead=way == "ahead", earlier=earlier,
                          invalid=[] if skipping else None) for way in ("here", "ahead"))


def test_a_first_import_read_ahead_saves_and_reports_what_reading_here_does(tmp_path, forks):
    lines = hostile_first_import()  # repeats, conflicts, voids, events and bad lines before and after line 200
    here, ahead = both_ways(tmp_path, lines, skipping=True)
    assert ahead[0] == here[0] and ahead[2:] == here[2:]
    result, _, invalid, saved = ahead
    assert (result.read, result.added, result.conflicts) == (906, 901, sync.Conflicts(3, "f:52"))
    assert invalid[0].startswith("f:53: not JSON") and invalid[1].startswith("f:504: missing 'deck'")
    assert len(invalid) == 2 and saved["disagreeing"] == [] and len(saved["reviews"]) == 901
    # Here every line was read in this process; read ahead, only the batches before the 200th answer.
    assert (here[1], ahead[1]) == (len(lines), 300)
    assert len(forks) == 1


@pytest.mark.parametrize("earlier", [100, 1000], ids=["merged at once", "merged in turns"])
def test_an_import_into_a_log_with_answers_read_ahead_saves_what_reading_here_does(tmp_path, forks, earlier):
    lines = answers_file(900, cards=60) + [event_line("suspend", "e1", "c3")]
    kept = [line.replace('"r0', '"k0') for line in answers_file(earlier, cards=60)]  # another machine's answers
    here, ahead = both_ways(tmp_path, lines, earlier=kept)
    assert ahead[0] == here[0] and ahead[2:] == here[2:]
    assert (ahead[0].added, ahead[0].events_added, ahead[1], here[1]) == (900, 1, 200, 901)
    assert len(forks) == 1


def lines_with(line_701: str) -> list[str]:
    lines = answers_file(900, cards=60)
    lines[700] = line_701
    return lines


LONG = exported_line(review_id="long", response="x" * sync.MAX_LINE)
BAD_LINES = {  # after the first 200 answers: read by the second process
    "a wrong rating": (exported_line(rating=9), "f:701: 'rating' must be 1, 2, 3 or 4, not 9"),
    "an escaped lone surrogate": (exported_line(review_id="s", response="HERE").replace("HERE", "\\ud800"),
                                  "f:701: 'response' holds '\\ud800', a lone surrogate that is not text"),
    "a lone surrogate itself (standard input's surrogateescape)": (
        exported_line(review_id="s", response="caf\udce9"), "f:701: 'response' holds '\\udce9', a lone surrogate"),
}


@pytest.mark.parametrize("case", BAD_LINES)
@pytest.mark.parametrize("skipping", [False, True], ids=["raised", "skipped"])
def test_a_bad_line_read_ahead_is_raised_or_skipped_as_reading_here_does(tmp_path, forks, case, skipping):
    line, message = BAD_LINES[case]
    here, ahead = both_ways(tmp_path, lines_with(line), skipping=skipping)
    assert ahead[0] == here[0] and ahead[2:] == here[2:]
    if skipping:
        assert ahead[0].read == 899 and len(ahead[2]) == 1 and ahead[2][0].startswith(message)
    else:
        assert ahead[0][0] is sync.ProgressFileError and ahead[0][1].startswith(message)
        assert ahead[3]["reviews"] == [] and ahead[3]["schema"] == here[3]["schema"]
    assert len(forks) == 1 and and_reaped(forks)


def and_reaped(children) -> bool:
    """Whether every child forked has ended and been waited for: no process left behind."""
    for child in children:
        with pytest.raises(ChildProcessError):
            os.waitpid(child, os.WNOHANG)
    return True


def test_a_line_over_the_bound_or_bytes_that_are_not_utf8_read_ahead_stop_the_import_as_here(tmp_path, forks):
    lines = answers_file(900, cards=60)
    too_long = "".join(lines[:700]) + LONG + "".join(lines[701:])
    for read_ahead in (False, True):
        with Store(tmp_path / f"long-{read_ahead}.db") as store, \
                pytest.raises(sync.ProgressFileError, match=r"^f:701: the line is longer than 1,048,576 characters"):
            sync.import_reviews(store, sync.bounded_lines(io.StringIO(too_long), "f"), "f", replay, now=T0,
                                read_ahead=read_ahead)
    not_utf8 = ("".join(lines[:700]).encode() + lines[700].encode().replace(b"Sanogo", b"San\xe9go") +
                "".join(lines[701:]).encode())
    raised = []
    for read_ahead in (False, True):
        with Store(tmp_path / f"bytes-{read_ahead}.db") as store, pytest.raises(UnicodeDecodeError) as error:
            text = io.TextIOWrapper(io.BytesIO(not_utf8), encoding="utf-8")
            sync.import_reviews(store, sync.bounded_lines(text, "f"), "f", replay, now=T0, read_ahead=read_ahead)
        raised.append(str(error.value))
        assert store_is_empty(tmp_path / f"bytes-{read_ahead}.db")
    assert raised[0] == raised[1]
    assert len(forks) == 2 and and_reaped(forks)


def store_is_empty(path) -> bool:
    db = sqlite3.connect(path)
    try:
        return db.execute("SELECT COUNT(*) FROM reviews").fetchone() == (0,)
    finally:
        db.close()


@pytest.mark.parametrize("written", [3, 8, 1000], ids=["part of a length", "a length", "part of a batch"])
def test_a_reading_cut_short_stops_the_import_with_a_message_and_saves_nothing(tmp_path, forks, monkeypatch, written):
    """The second process killed in the middle of a message (by the out-of-memory killer, say)."""
    from quizzer.store import read_ahead

    def cut_short(pipe, message):
        pipe.write((read_ahead._SIZE.pack(len(message)) + message)[:written])
        pipe.flush()
        os._exit(0)

    monkeypatch.setattr(read_ahead, "_send", cut_short)
    with Store(tmp_path / "q.db") as store, pytest.raises(OSError, match="^the process reading the file ended before"):
        sync.import_reviews(store, answers_file(900, cards=60), "f", replay, now=T0, read_ahead=True)
    assert store_is_empty(tmp_path / "q.db") and len(forks) == 1 and and_reaped(forks)


def test_a_small_file_is_read_here_and_no_process_is_started(tmp_path, forks):
    lines = answers_file(150, cards=60)
    here, ahead = both_ways(tmp_path, lines)
    assert ahead == here and forks == []


@pytest.mark.skipif(not hasattr(os, "sched_getaffinity"), reason="Linux: the cores a process may use")
def test_on_one_core_a_large_file_is_read_here_and_no_process_is_started(tmp_path, forks, monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    here, ahead = both_ways(tmp_path, answers_file(900, cards=60))
    assert ahead[0] == here[0] and ahead[1] == here[1] == 900 and forks == []


def test_when_no_second_process_can_be_started_the_file_is_read_here(tmp_path, monkeypatch):
    monkeypatch.setattr(sync, "AT_ONCE", 200)
    monkeypatch.setattr(sync, "_BATCH", 100)

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")  # EAGAIN: too many processes

    monkeypatch.setattr(os, "fork", no_fork)
    opened = len(os.listdir("/proc/self/fd")) if LINUX else 0
    here, ahead = both_ways(tmp_path, answers_file(900, cards=60))
    assert ahead[0] == here[0] and ahead[1] == here[1] == 900
    assert not LINUX or len(os.listdir("/proc/self/fd")) == opened  # the pipe closed


@pytest.mark.parametrize("counted, forked", [(2, 1), (None, 0)], ids=["two cores", "a count not known: as one"])
def test_where_the_cores_allowed_are_not_known_the_cores_counted_decide(tmp_path, forks, monkeypatch, counted, forked):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)  # not Linux
    monkeypatch.setattr(os, "cpu_count", lambda: counted)
    here, ahead = both_ways(tmp_path, answers_file(900, cards=60))
    assert ahead[0] == here[0] and len(forks) == forked


@pytest.mark.parametrize("missing", [AttributeError, OSError], ids=["no prctl (not Linux)", "no C library to load"])
def test_where_the_kernel_cannot_be_asked_to_end_the_second_process_it_reads_ahead_all_the_same(
        tmp_path, forks, monkeypatch, missing):
    import ctypes

    def unavailable(*args, **kwargs):
        raise missing("not here")

    monkeypatch.setattr(ctypes, "CDLL", unavailable)  # in the second process too: it is forked
    here, ahead = both_ways(tmp_path, answers_file(900, cards=60))
    assert ahead[0] == here[0] and ahead[2:] == here[2:] and (ahead[1], here[1]) == (200, 900) and len(forks) == 1


def test_a_pipe_the_system_will_not_enlarge_is_read_ahead_all_the_same(tmp_path, forks, monkeypatch):
    fcntl = pytest.importorskip("fcntl")

    def over_the_limit(fd, command, *args):  # an unprivileged process asking past /proc/sys/fs/pipe-max-size
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(fcntl, "fcntl", over_the_limit)
    here, ahead = both_ways(tmp_path, answers_file(900, cards=60))
    assert ahead[0] == here[0] and ahead[2:] == here[2:] and (ahead[1], here[1]) == (200, 900) and len(forks) == 1


@pytest.mark.skipif(not hasattr(os, "waitid"), reason="waits for a process without reaping it (POSIX)")
def test_the_second_process_ends_by_itself_after_the_last_batch_and_never_comes_back_to_the_caller(forks, monkeypatch):
    """Whatever happens in it, it leaves by `os._exit(0)`: back in the caller's code it would go on running the
    rest of the import (or of a test run) beside this process, on a copy of its database connection."""
    from quizzer.store import read_ahead

    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)  # two cores on any machine
    parent = os.getpid()
    try:
        with read_ahead.read_ahead(iter([[("a", 1)], [("b", None)]]), None) as batches:
            received = list(batches)
            ended = os.waitid(os.P_PID, forks[0], os.WEXITED | os.WNOWAIT)  # left for read_ahead to reap
    finally:
        if os.getpid() != parent:  # the second process came back here: stop it, with a status of its own
            os._exit(3)
    assert received == [[("a", 1)], [("b", None)]]
    assert (ended.si_code, ended.si_status) == (os.CLD_EXITED, 0) and and_reaped(forks)


# -- the second process ends with the import ------------------------------------------------------------


def importing_from_a_pipe_that_stays_open(home: Path):
    """`quizzer progress import -` with AT_ONCE 100 and batches of 50 lines, given 400 answers on a standard
    input left open: it reads ahead, and holds the write lock while the second process waits for more;
    (the importer, its second process's pid) once it does."""
    importer = subprocess.Popen(
        [sys.executable, "-c", "import quizzer.store.sync as s; s.AT_ONCE = 100; s._BATCH = 50; "
         "from quizzer.cli import main; main()", "progress", "import", "-"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
        env={**os.environ, "QUIZZER_HOME": str(home)}, preexec_fn=_as_from_a_shell_prompt)
    importer.stdin.write("".join(answers_file(400, cards=40)).encode())
    importer.stdin.flush()
    deadline = time.monotonic() + 60
    while not (children := Path(f"/proc/{importer.pid}/task/{importer.pid}/children").read_text().split()) or \
            not write_lock_is_held(home / "quizzer.db") or not waits_for_input(int(children[0])):
        assert importer.poll() is None and time.monotonic() < deadline, importer.stderr.read().decode()
        time.sleep(0.005)
    return importer, int(children[0])


def waits_for_input(pid: int) -> bool:
    """Whether the process sleeps reading a pipe: for the second process, its standard input (it writes into
    the other). Then only the kernel can end it when the importer dies: no write of its will fail."""
    try:
        return "pipe_read" in Path(f"/proc/{pid}/wchan").read_text()
    except FileNotFoundError:
        pytest.skip("this kernel does not say where a process sleeps")


def ended(pid: int) -> bool:
    """Whether the process is gone, or a zombie waiting for its (new) parent to wait for it."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def until_ended(pid: int) -> bool:
    deadline = time.monotonic() + 30
    while not ended(pid):
        assert time.monotonic() < deadline, f"process {pid} is still running"
        time.sleep(0.01)
    return True


@pytest.mark.skipif(not LINUX, reason="reads the process tree from /proc")
def test_a_sigkill_of_the_import_ends_its_second_process_even_while_it_waits_for_input(tmp_path):
    home = tmp_path / "home"
    importer, reader = importing_from_a_pipe_that_stays_open(home)
    importer.send_signal(signal.SIGKILL)
    assert importer.wait(timeout=60) == -signal.SIGKILL
    assert until_ended(reader)
    importer.stdin.close()
    assert store_is_empty(home / "quizzer.db")


@pytest.mark.skipif(not LINUX, reason="reads the process tree from /proc")
@pytest.mark.parametrize("to", [os.killpg, os.kill], ids=["Ctrl-C: the whole group", "the importer alone"])
def test_an_interrupt_stops_the_import_and_its_second_process_and_saves_nothing(tmp_path, to):
    home = tmp_path / "home"
    importer, reader = importing_from_a_pipe_that_stays_open(home)
    to(importer.pid, signal.SIGINT)  # the group: what a terminal's Ctrl-C sends
    importer.wait(timeout=60)  # standard input still open: the second process cannot end by itself
    errors = importer.stderr.read()
    assert importer.returncode == 130 and b"Traceback" not in errors, errors  # as without reading ahead
    assert until_ended(reader) and store_is_empty(home / "quizzer.db")


@pytest.mark.skipif(not LINUX, reason="reads the process tree from /proc")
def test_a_second_process_that_dies_stops_the_import_with_a_message_and_saves_nothing(tmp_path):
    home = tmp_path / "home"
    importer, reader = importing_from_a_pipe_that_stays_open(home)
    os.kill(reader, signal.SIGKILL)  # as the kernel's out-of-memory killer would
    importer.wait(timeout=60)
    errors = importer.stderr.read()
    assert importer.returncode == 2, errors
    assert errors.decode().strip().endswith("cannot read -: the process reading the file ended before the file did")
    assert store_is_empty(home / "quizzer.db")


@pytest.mark.skipif(not LINUX, reason="reads the process table from /proc")
def test_without_the_kernels_help_the_second_process_ends_at_its_next_write_once_the_importer_is_gone(monkeypatch):
    """Where prctl cannot be asked (not Linux), a killed importer's second process ends by itself: its next
    write into the pipe fails, no reader being left. It must not hold the reading end itself."""
    import ctypes

    from quizzer.store import read_ahead

    def unavailable(*args, **kwargs):
        raise AttributeError("no prctl")

    monkeypatch.setattr(ctypes, "CDLL", unavailable)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    told, telling = os.pipe()
    importer = os.fork()
    if importer == 0:  # the importer: reads ahead, takes one batch, says which process reads, and dies
        try:
            os.close(told)
            forked, fork = [], os.fork
            os.fork = lambda: forked.append(fork()) or forked[-1]
            reading = read_ahead.read_ahead(iter(lambda: [("x" * 1000,)] * 100, None), None)  # batches for ever
            next(reading.__enter__())  # one taken: the second process is past its start; never left (`with`)
            os.write(telling, str(forked[0]).encode())  # in one write: the second process holds `telling` too
        finally:
            os._exit(0)
    os.close(telling)
    reader = int(os.read(told, 64))  # not up to the end: the second process may hold `telling` open
    os.close(told)
    os.waitpid(importer, 0)
    try:
        assert until_ended(reader)
    finally:
        if not ended(reader):
            os.kill(reader, signal.SIGKILL)
