"""`quizzer backup`, `progress export/import` and `doctor`: progress that is kept safe and moves between machines."""

import json
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.scheduler import new_state

DECK = """\
id: demo
title: Demo
cards:
  - id: leader
    type: typed
    question: Who led the coup?
    answer: Amadou Haya Sanogo
    accept: [Sanogo]
  - id: deposed
    type: typed
    question: Who was deposed?
    answer: Amadou Toumani Touré
    accept: [Touré, Toure]
  - id: year
    type: typed
    question: In what year was the coup?
    answer: "2012"
  - id: bloodless
    type: truefalse
    question: The coup cost many lives.
    answer: false
"""


@pytest.fixture
def runner():
    return CliRunner()


def make_home(path):
    (path / "decks").mkdir(parents=True)
    (path / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
    return path


@pytest.fixture
def home(quizzer_home):
    return make_home(quizzer_home)


def quizzer(runner, home, *args, input=None):
    return runner.invoke(app, list(args), input=input, env={"QUIZZER_HOME": str(home)})


def answered(runner, home, lines):
    result = quizzer(runner, home, "study", "demo", "--plain", "--seed", "1", input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    return result


def table(home, sql):
    db = sqlite3.connect(home / "quizzer.db")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def review_ids(home):
    return {row[0] for row in table(home, "SELECT review_id FROM reviews")}


def merge(store, lines, **options):
    """`import_reviews` of `lines` as the file "f" on 2 March 2026, with a replay that only dates the card."""
    from datetime import datetime, timezone

    from quizzer.store.sync import import_reviews

    return import_reviews(store, lines, "f", lambda log: new_state(log[-1][2]),
                          now=datetime(2026, 3, 2, 13, tzinfo=timezone.utc), **options)


def test_two_machines_that_swap_exports_end_with_the_same_history_and_schedule(runner, tmp_path):
    laptop, desktop = make_home(tmp_path / "laptop"), make_home(tmp_path / "desktop")
    # Each studies offline with different answers; the same cards get answered on both machines.
    answered(runner, laptop, ["sanogo", "toure", "2011", "false", "2012"])
    answered(runner, desktop, ["Traoré", "Amadou Toumani Touré", "2012", "true", "sanogo", "q"])
    answered(runner, laptop, ["sanogo", "q"])
    assert not review_ids(laptop) & review_ids(desktop)

    for source, target in ((laptop, desktop), (desktop, laptop)):
        exported = quizzer(runner, source, "progress", "export", str(source / "mine.jsonl"))
        assert exported.exit_code == 0, exported.output
    for source, target in ((laptop, desktop), (desktop, laptop)):
        merged = quizzer(runner, target, "progress", "import", str(source / "mine.jsonl"))
        assert merged.exit_code == 0, merged.output

    history = [quizzer(runner, h, "history", "--reviews", "--json").stdout for h in (laptop, desktop)]
    assert history[0] == history[1]
    assert len(json.loads(history[0])) == len(review_ids(laptop) | review_ids(desktop))
    states = [table(h, "SELECT * FROM cards ORDER BY deck, card") for h in (laptop, desktop)]
    assert states[0] == states[1] and len(states[0]) == 4
    moment = "2030-01-01T00:00:00+00:00"  # the chance of recall shown depends on the moment asked
    cards = [quizzer(runner, h, "cards", "demo", "--json", "--now", moment).stdout for h in (laptop, desktop)]
    assert cards[0] == cards[1] and len(json.loads(cards[0])) == 4
    # The merged schedule is the replay of the merged log, not either machine's own.
    for h in (laptop, desktop):
        checkup = quizzer(runner, h, "doctor")
        assert checkup.exit_code == 0 and "all 4 agree" in checkup.output, checkup.output


def test_importing_the_same_file_twice_changes_nothing(runner, home, tmp_path):
    answered(runner, home, ["sanogo", "toure", "q"])
    other = make_home(tmp_path / "other")
    answered(runner, other, ["Sanogo", "q"])
    quizzer(runner, other, "progress", "export", str(tmp_path / "other.jsonl"))
    first = quizzer(runner, home, "progress", "import", str(tmp_path / "other.jsonl"))
    assert first.exit_code == 0 and "Imported 1 new answer from" in first.output and "of 1 card." in first.output
    before = (table(home, "SELECT * FROM reviews ORDER BY rowid"), table(home, "SELECT * FROM cards"))
    again = quizzer(runner, home, "progress", "import", str(tmp_path / "other.jsonl"))
    assert again.exit_code == 0 and "Imported 0 new answers" in again.output and "(1 already here)" in again.output
    assert (table(home, "SELECT * FROM reviews ORDER BY rowid"), table(home, "SELECT * FROM cards")) == before


def test_export_writes_json_lines_with_the_history_keys_oldest_first(runner, home, tmp_path):
    answered(runner, home, ["sanogo", "nobody", "q"])
    result = quizzer(runner, home, "progress", "export", "-")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    history = json.loads(quizzer(runner, home, "history", "--reviews", "--json").stdout)
    assert [line["review_id"] for line in lines] == [row["review_id"] for row in reversed(history)]
    for line, row in zip(lines, reversed(history)):
        assert line == {key: row[key] for key in line}
    assert [line["verdict"] for line in lines] == ["correct", "wrong"]


# An answer and an event exactly as `progress export` writes them: keys in this order, text as itself.
EXPORTED_ANSWER = ('{"review_id": "r1", "deck": "demo", "card": "deposed", "reviewed_at": "2026-03-02T12:00:00.000000+00:00", '
                   '"rating": 3, "verdict": "correct", "response": "Touré", "duration_ms": 4000, "session": null, '
                   '"phase": "new", "next_due": "2026-03-02T12:10:00.000000+00:00", "kind": "study", "reschedules": true}\n')
EXPORTED_EVENT = ('{"event": "accept", "event_id": "e1", "deck": "demo", "card": "deposed", '
                  '"at": "2026-03-02T12:01:00.000000+00:00", "target": null, "data": {"response": "Amadou Touré"}}\n')


def test_export_writes_answers_then_events_as_written_by_hand(tmp_path):
    import io

    from quizzer.store import Store
    from quizzer.store.sync import export_reviews

    with Store(tmp_path / "q.db") as store:
        merge(store, [EXPORTED_EVENT, EXPORTED_ANSWER])
        out = io.StringIO()
        assert export_reviews(store, out) == (1, 1)
    assert out.getvalue() == EXPORTED_ANSWER + EXPORTED_EVENT


def test_export_counts_every_batch_and_writes_each_reschedules_flag(tmp_path, monkeypatch):
    """Three answers in batches of two, one of them not rescheduling, and two events: each as written."""
    import io

    from quizzer.store import Store, sync

    monkeypatch.setattr(sync, "_BATCH", 2)
    answers = [EXPORTED_ANSWER.replace('"r1"', f'"r{n}"').replace("T12:00:00", f"T12:0{n}:00") for n in range(1, 4)]
    answers[1] = answers[1].replace('"reschedules": true', '"reschedules": false')
    events = [EXPORTED_EVENT, EXPORTED_EVENT.replace('"e1"', '"e2"').replace("T12:01:00", "T12:05:00")]
    with Store(tmp_path / "q.db") as store:
        imported = merge(store, answers + events)
        assert (imported.read, imported.events_read) == (3, 2)  # read in batches of two lines as well
        out = io.StringIO()
        assert sync.export_reviews(store, out) == (3, 2)
    assert out.getvalue() == "".join(answers + events)


_TEXTS = st.text(st.characters(codec="utf-8"), max_size=12)  # quotes, backslashes, controls, any script
_ROWS = st.tuples(_TEXTS, _TEXTS, _TEXTS, _TEXTS, st.integers(1, 4), _TEXTS, _TEXTS, st.integers(0, 10**12),
                  st.none() | _TEXTS, _TEXTS, _TEXTS, _TEXTS, st.integers(0, 1))


_ODD_ROWS = st.tuples(_ROWS, st.integers(0, 12), st.none() | st.integers() | st.floats(allow_nan=False) | _TEXTS).map(
    lambda odd: (*odd[0][:odd[1]], odd[2], *odd[0][odd[1] + 1:]))  # one column of any type


@settings(max_examples=400, deadline=None)
@given(row=_ROWS | _ODD_ROWS)
def test_an_exported_line_is_what_json_dumps_writes_for_the_row_whatever_the_row_holds(row):
    """Put together from each text's JSON form for speed, byte for byte json.dumps's line; a row whose
    columns hold other types than the schema keeps (a hand-edited database) is json.dumps's own."""
    from quizzer.store.sync import KEYS, _review_line

    assert _review_line(row) == json.dumps({**dict(zip(KEYS, row)), "reschedules": bool(row[-1])},
                                           ensure_ascii=False) + "\n"


_ROW = ("r1", "d", "c", "2026-03-02T12:00:00.000000+00:00", 3, "correct", "Ça\\\"", 1500, "s1", "new",
        "2026-03-02T12:10:00.000000+00:00", "answer", 1)
_LINE = ('{"review_id": "r1", "deck": "d", "card": "c", "reviewed_at": "2026-03-02T12:00:00.000000+00:00", '
         '"rating": 3, "verdict": "correct", "response": "Ça\\\\\\"", "duration_ms": 1500, "session": "s1", '
         '"phase": "new", "next_due": "2026-03-02T12:10:00.000000+00:00", "kind": "answer", "reschedules": true}\n')


@pytest.mark.parametrize("row, line", [
    (_ROW, _LINE),
    (_ROW[:8] + (None,) + _ROW[9:12] + (0,), _LINE.replace('"s1"', "null").replace("true}", "false}")),
])
def test_an_exported_row_as_the_schema_keeps_it_is_written_without_json_dumps(row, line, monkeypatch):
    # json.dumps is a third of a million-answer export's time; it is only for a row of other types.
    from quizzer.store.sync import _review_line

    monkeypatch.setattr(json, "dumps", lambda *args, **kwargs: pytest.fail("json.dumps called"))
    assert _review_line(row) == line


def test_a_line_of_the_bound_is_read_and_one_character_more_is_a_problem_naming_it():
    import io

    from quizzer.store.sync import MAX_LINE, ProgressFileError, bounded_lines

    longest = "x" * (MAX_LINE - 1) + "\n"  # the line end counts
    assert list(bounded_lines(io.StringIO(longest + "y\n"), "f")) == [longest, "y\n"]
    with pytest.raises(ProgressFileError) as raised:
        list(bounded_lines(io.StringIO("y\n" + "x" + longest), "f"))
    assert str(raised.value) == "f:2: the line is longer than 1,048,576 characters; each line holds one review"


def test_an_import_says_where_the_rows_it_added_went_and_not_those_already_here(tmp_path):
    """What a sync leaves out of its next push: the rowids of the answers and the events a pull added."""

    from quizzer.store import Store

    second = EXPORTED_EVENT.replace('"e1"', '"e2"').replace("T12:01:00", "T12:05:00")
    with Store(tmp_path / "q.db") as store:
        def merged(lines):
            return merge(store, lines).added_rowids

        assert merged([EXPORTED_EVENT]) == (("events", 1, 1),)
        assert merged([EXPORTED_ANSWER, EXPORTED_EVENT, second]) == (("reviews", 1, 1), ("events", 2, 2))
        assert merged([EXPORTED_ANSWER, second]) == ()


@pytest.mark.parametrize("cards, hold, ranges", [(1, 3600, [(1, 4)]), (1, 0, [(1, 1), (2, 2), (3, 3), (4, 4)]),
                                                  (2, 0, [(1, 2), (3, 4)])])
def test_an_import_merges_card_after_card_in_one_transaction_until_hold_seconds_have_passed(
        tmp_path, monkeypatch, cards, hold, ranges):
    """Chunks of `cards` answers (one a card): a long hold merges the four in one transaction (one range
    of rowids), none merges one chunk a transaction, with a pause between two and none after the last."""

    from quizzer.store import Store, sync

    pauses = []
    monkeypatch.setattr(sync.time, "sleep", pauses.append)

    answers = [EXPORTED_ANSWER.replace('"r1"', f'"r{n}"').replace('"deposed"', f'"card{n}"') for n in range(1, 5)]
    with Store(tmp_path / "q.db") as store:
        result = merge(store, answers, hold=hold, pause=0.5, cards=cards)
    assert (result.added, result.cards) == (4, 4)
    assert result.added_rowids == tuple(("reviews", first, last) for first, last in ranges)
    assert pauses == [0.5] * (len(ranges) - 1)


def test_a_file_of_at_least_at_once_new_answers_is_merged_in_one_transaction(tmp_path, monkeypatch):
    """AT_ONCE (2 here) new answers on an empty log: one transaction even with no hold, and the event read."""

    from quizzer.store import Store, sync

    monkeypatch.setattr(sync, "AT_ONCE", 2)
    answers = [EXPORTED_ANSWER.replace('"r1"', f'"r{n}"').replace('"deposed"', f'"card{n}"') for n in range(1, 3)]
    with Store(tmp_path / "q.db") as store:
        event = EXPORTED_EVENT.replace('"deposed"', '"card1"')
        result = merge(store, [*answers, event], hold=0, pause=0, cards=1)
    # cards: the two answered, and the first again, rebuilt by the merge of events
    assert (result.read, result.added, result.events_read, result.events_added, result.cards) == (2, 2, 1, 1, 3)
    assert result.added_rowids == (("reviews", 1, 2), ("events", 1, 1))


def test_an_event_known_here_of_another_kind_is_a_conflict_and_the_one_here_is_kept(tmp_path):
    from quizzer.store import Store
    from quizzer.store.sync import Conflicts

    with Store(tmp_path / "q.db") as store:
        merge(store, [EXPORTED_EVENT])
        result = merge(store, [EXPORTED_EVENT.replace('"accept"', '"unaccept"')])
        assert (result.events_added, result.event_conflicts) == (0, Conflicts(1, "f:1"))
        assert store.db.execute("SELECT kind FROM events").fetchall() == [("accept",)]


@pytest.mark.parametrize("kind", ["quiz", "study", None])
def test_a_line_spelt_otherwise_than_export_keeps_its_kind_and_without_one_is_study(tmp_path, kind):
    from quizzer.store import Store

    review = {key: value for key, value in json.loads(EXPORTED_ANSWER).items() if key != "kind"}
    review |= {"kind": kind} if kind else {}
    with Store(tmp_path / "q.db") as store:
        merge(store, [json.dumps(review, sort_keys=True)])
        assert store.db.execute("SELECT kind FROM reviews").fetchall() == [(kind or "study",)]


@pytest.mark.parametrize("bad, message", [
    ("[1, 2]", "each line must be one review: a JSON object with the keys of `history --reviews --json`"),
    ("[" * 100_000, "not JSON (nested too deeply)"),
])
def test_a_line_that_is_no_review_is_named_in_its_whole_message(tmp_path, bad, message):
    from quizzer.store import Store
    from quizzer.store.sync import ProgressFileError

    with Store(tmp_path / "q.db") as store, pytest.raises(ProgressFileError) as raised:
        merge(store, [EXPORTED_ANSWER, bad])
    assert str(raised.value) == f"f:2: {message}"


def test_an_answer_known_here_in_another_deck_is_a_conflict_and_the_one_here_is_kept(tmp_path):
    from quizzer.store import Store
    from quizzer.store.sync import Conflicts

    with Store(tmp_path / "q.db") as store:
        merge(store, [EXPORTED_ANSWER])
        result = merge(store, [EXPORTED_ANSWER.replace('"demo"', '"other"')])
        assert (result.added, result.conflicts) == (0, Conflicts(1, "f:1"))
        assert store.db.execute("SELECT deck FROM reviews").fetchall() == [("demo",)]


def test_the_lines_after_given_rowids_leave_out_the_skipped_ones(tmp_path):
    """What a sync pushes: rows saved after the last push, less those a pull brought (`skipped`)."""

    from quizzer.store import Store
    from quizzer.store.sync import lines_after

    answers = [EXPORTED_ANSWER.replace('"r1"', f'"r{n}"').replace("T12:00:00", f"T12:0{n}:00") for n in range(1, 5)]
    events = [EXPORTED_EVENT.replace('"e1"', f'"e{n}"').replace("Amadou Touré", f"Touré {n}") for n in range(1, 4)]
    with Store(tmp_path / "q.db") as store:
        merge(store, answers + events)
        pushed = list(lines_after(store, 0, 1, [("reviews", 1, 1), ("events", 2, 2), ("reviews", 3, 3)]))
    assert pushed == [("reviews", 2, answers[1]), ("reviews", 4, answers[3]), ("events", 3, events[2])]


@pytest.mark.parametrize(
    "bad_line, message",
    [
        ("not json", "not JSON"),
        ("[1, 2]", "each line must be one review"),
        ('{"review_id": "x"}', "missing 'deck'"),
        ("RATING7", "'rating' must be 1, 2, 3 or 4, not 7"),
        ("NAIVE_TIME", "'reviewed_at' must include a time zone"),
        ("BAD_VERDICT", "'verdict' must be one of correct, close, wrong, self, overridden, anki, not 'great'"),
    ],
)
def test_a_bad_line_names_the_file_and_line_and_nothing_is_imported(runner, home, tmp_path, bad_line, message):
    other = make_home(tmp_path / "other")
    answered(runner, other, ["sanogo", "toure", "q"])
    lines = quizzer(runner, other, "progress", "export", "-").stdout.splitlines()
    good = json.loads(lines[0])
    bad_line = {
        "RATING7": json.dumps({**good, "rating": 7}),
        "NAIVE_TIME": json.dumps({**good, "reviewed_at": "2026-03-02T12:00:00"}),
        "BAD_VERDICT": json.dumps({**good, "verdict": "great"}),
    }.get(bad_line, bad_line)
    source = tmp_path / "mixed.jsonl"
    source.write_text(f"{lines[0]}\n\n{lines[1]}\n{bad_line}\n", encoding="utf-8")
    result = quizzer(runner, home, "progress", "import", str(source))
    assert result.exit_code == 2
    assert f"{source}:4: {message}" in result.output and "nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert table(home, "SELECT COUNT(*) FROM reviews") == [(0,)]


def test_import_of_a_missing_file_exits_2(runner, home, tmp_path):
    result = quizzer(runner, home, "progress", "import", str(tmp_path / "nowhere.jsonl"))
    assert result.exit_code == 2 and "cannot read" in result.output and "nowhere.jsonl" in result.output


def test_backup_copies_the_database_while_another_connection_writes(runner, home, tmp_path):
    answered(runner, home, ["sanogo", "q"])
    writer = sqlite3.connect(home / "quizzer.db", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another terminal in the middle of saving an answer
    writer.execute("UPDATE reviews SET response = 'half-saved'")
    result = quizzer(runner, home, "backup", str(tmp_path / "copy.db"))
    writer.execute("ROLLBACK")
    assert result.exit_code == 0, result.output
    copy = sqlite3.connect(tmp_path / "copy.db")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert copy.execute("SELECT response FROM reviews").fetchall() == [("sanogo",)]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_backup_defaults_to_the_backups_folder_and_never_overwrites(runner, home, tmp_path):
    answered(runner, home, ["sanogo", "q"])
    result = quizzer(runner, home, "backup")
    assert result.exit_code == 0, result.output
    made = list((home / "backups").glob("quizzer-*.db"))
    assert len(made) == 1 and str(made[0]) in result.output
    assert quizzer(runner, home, "backup").exit_code == 0  # the same second: another name, not an error
    assert len(list((home / "backups").glob("quizzer-*.db"))) == 2
    into_folder = quizzer(runner, home, "backup", str(tmp_path))
    assert into_folder.exit_code == 0 and len(list(tmp_path.glob("quizzer-*.db"))) == 1
    existing = tmp_path / "keep.db"
    existing.write_text("precious")
    refused = quizzer(runner, home, "backup", str(existing))
    assert refused.exit_code == 2 and "already exists" in refused.output
    assert existing.read_text() == "precious"


def test_doctor_finds_states_that_disagree_and_fix_rebuilds_them_after_a_backup(runner, home):
    answered(runner, home, ["sanogo", "toure", "2011", "q"])
    healthy = quizzer(runner, home, "doctor")
    assert healthy.exit_code == 0 and "integrity: ok" in healthy.output and "all 3 agree" in healthy.output
    good_states = table(home, "SELECT * FROM cards ORDER BY card")
    db = sqlite3.connect(home / "quizzer.db")
    db.execute("UPDATE cards SET stability = 99 WHERE card = 'leader'")
    db.execute("INSERT INTO cards VALUES ('demo', 'ghost', 'review', '2026-01-01T00:00:00.000000+00:00', NULL, 1, 5,"
               " NULL)")
    db.commit()
    db.close()
    sick = quizzer(runner, home, "doctor")
    assert sick.exit_code == 1
    assert "2 of 4 disagree" in sick.output and "demo/leader" in sick.output and "demo/ghost" in sick.output
    fixed = quizzer(runner, home, "doctor", "--fix")
    assert fixed.exit_code == 0 and "Fixed" in fixed.output
    assert len(list((home / "backups").glob("quizzer-*-before-doctor-fix.db"))) == 1
    assert table(home, "SELECT * FROM cards ORDER BY card") == good_states
    assert quizzer(runner, home, "doctor").exit_code == 0


def test_doctor_reports_orphaned_progress_and_keeps_it(runner, home):
    answered(runner, home, ["sanogo", "toure", "q"])
    (home / "decks" / "demo.yaml").write_text(DECK.replace("  - id: leader", "  - id: chief"), encoding="utf-8")
    result = quizzer(runner, home, "doctor", "--fix")
    assert result.exit_code == 0
    assert "orphaned progress: 1 card no longer" in result.output and "demo: 1 card\n" in result.output
    assert table(home, "SELECT COUNT(*) FROM reviews WHERE card = 'leader'") == [(1,)]


def test_doctor_on_a_damaged_database_says_so_and_changes_nothing(runner, home):
    answered(runner, home, ["sanogo", "toure", "2011", "false", "q"])
    db = sqlite3.connect(home / "quizzer.db")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.close()
    data = bytearray((home / "quizzer.db").read_bytes())
    size = len(data) // pages
    data[size * (pages - 1):] = b"\xab" * size  # the last page: an index or table is damaged, the header is not
    (home / "quizzer.db").write_bytes(bytes(data))
    result = quizzer(runner, home, "doctor", "--fix")
    assert result.exit_code == 2, result.output
    assert str(home / "quizzer.db") in result.output and "Traceback" not in result.output
    assert (home / "quizzer.db").read_bytes() == bytes(data)
    assert not (home / "backups").exists()


def test_integrity_problems_are_what_the_check_finds_or_the_failure_to_run_it(tmp_path):
    from quizzer.store import Store
    from quizzer.store.sync import integrity_problems

    class Damaged:  # SQLite's answers for a damaged file, which a real one may not let us open to ask
        def __init__(self, *rows):
            self.rows = rows

        def execute(self, sql, *args):
            if not self.rows:  # damaged past what `PRAGMA integrity_check` can read
                raise sqlite3.DatabaseError("database disk image is malformed")
            return iter(self.rows)

    with Store(tmp_path / "q.db") as store:
        real = store.db
        try:
            found = {}
            for name, rows in (("sound", [("ok",)]), ("index", [("row 2 missing from index reviews_card",)]),
                               ("unreadable", [])):
                store.db = Damaged(*rows)
                found[name] = integrity_problems(store)
        finally:
            store.db = real
    assert found["sound"] == [] and found["index"] == ["row 2 missing from index reviews_card"]
    assert len(found["unreadable"]) == 1 and found["unreadable"][0].startswith(
        f"{tmp_path / 'q.db'} is damaged or is not a quizzer database (database disk image is malformed).")


def test_doctors_check_finds_each_cached_flag_and_accepted_answer_that_the_log_does_not_give(tmp_path):
    from datetime import datetime, timezone

    from quizzer.store import Store
    from quizzer.store.sync import check, import_reviews

    suspend = ('{"event": "suspend", "event_id": "e2", "deck": "demo", "card": "leader", '
               '"at": "2026-03-02T12:02:00.000000+00:00", "target": null, "data": {}}\n')
    lines = [EXPORTED_ANSWER, EXPORTED_ANSWER.replace('"r1"', '"r2"').replace('"deposed"', '"leader"'), EXPORTED_EVENT,
             suspend]  # deposed: an accepted answer; leader: suspended
    replay = lambda log: new_state(log[-1][2])  # noqa: E731
    with Store(tmp_path / "q.db") as store:
        import_reviews(store, lines, "f", replay, now=datetime(2026, 3, 2, 13, tzinfo=timezone.utc))
        healthy = check(store, set(), replay)
        with store.db:
            store.db.execute("DELETE FROM accepted")
            store.db.execute("UPDATE card_flags SET suspended = 0")
            store.db.execute("INSERT INTO card_flags VALUES ('demo', 'ghost', 1, NULL, 0)")  # a flag with no log
        sick = check(store, {("demo", "deposed"), ("demo", "leader")}, replay)
    assert (healthy.disagreeing, healthy.orphaned, healthy.cards) == ([], {"demo": 2}, 2)
    assert sorted(sick.disagreeing) == [("demo", "deposed"), ("demo", "ghost"), ("demo", "leader")]
    assert (sick.orphaned, sick.cards) == ({}, 2)


def test_a_large_import_merges_in_batches_and_a_rerun_after_an_interruption_completes_it(tmp_path):
    from datetime import datetime, timedelta, timezone

    from quizzer.scheduler import Scheduler
    from quizzer.store import Store
    from quizzer.store.sync import check, import_reviews

    at = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
    lines = [json.dumps({
        "review_id": f"r{n}", "deck": "d", "card": f"c{n % 3}", "reviewed_at": (at + timedelta(days=n)).isoformat(),
        "rating": 3, "verdict": "correct", "response": "x", "duration_ms": 5, "session": None, "phase": "new",
        "next_due": (at + timedelta(days=n + 1)).isoformat()}) for n in range(9)]
    scheduler = Scheduler()
    replay = lambda log: scheduler.replay(log, log[0][2])  # noqa: E731
    replays = []

    def failing_second(log):
        replays.append(log)
        if len(replays) == 2:
            raise OSError("interrupted")  # e.g. killed: the first batch is saved, the second is not
        return replay(log)

    with Store(tmp_path / "q.db") as store:
        with pytest.raises(OSError):
            import_reviews(store, lines, "f", failing_second, now=at + timedelta(days=30), cards=2, hold=0, pause=0)
        saved = store.db.execute("SELECT card, COUNT(*) FROM reviews GROUP BY card").fetchall()
        assert saved == [("c0", 3)] and not check(store, set(), replay).disagreeing
        again = import_reviews(store, lines, "f", replay, now=at + timedelta(days=30), cards=2, hold=0, pause=0)
        assert (again.read, again.added, again.cards) == (9, 6, 2)
        assert store.db.execute("SELECT COUNT(*) FROM reviews").fetchone() == (9,)
        assert not check(store, set(), replay).disagreeing


def test_the_merge_does_work_in_proportion_to_the_file_not_to_its_square(tmp_path):
    from datetime import datetime, timedelta, timezone

    from quizzer.store import Store
    from quizzer.store.sync import import_reviews

    at = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)

    def steps(count):  # SQLite virtual-machine steps (in thousands) to import `count` answers, 10 per card
        lines = [json.dumps({
            "review_id": f"r{n}", "deck": "d", "card": f"c{n // 10}", "reviewed_at": (at + timedelta(days=n % 10)).isoformat(),
            "rating": 3, "verdict": "correct", "response": "x", "duration_ms": 5, "session": None, "phase": "new",
            "next_due": (at + timedelta(days=n % 10 + 1)).isoformat()}) for n in range(count)]
        with Store(tmp_path / f"{count}.db") as store:
            ticks = []
            store.db.set_progress_handler(lambda: ticks.append(1), 1000)
            import_reviews(store, lines, "f", lambda log: new_state(log[-1][2]), now=at + timedelta(days=30),
                           cards=20, hold=0, pause=0)
            return len(ticks)

    assert steps(4000) <= 2.5 * steps(2000)
