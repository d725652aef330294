"""Accepted answers are events in the one log: replayed into the `accepted` cache, checked by `doctor`,
carried by `progress export`/`import` and by `sync` (docs/events.md)."""

import json
import sqlite3
import uuid
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.model import Event, EventKind, Outcome, Rating, Review
from quizzer.scheduler import Scheduler, new_state
from quizzer.store import Store, log
from quizzer.store.log import Flags, replay_card
from quizzer.store.migrations import MIGRATIONS
from test_sync import T0, homes


def accept(kind, response, at=T0):
    return Event(str(uuid.uuid4()), kind, "demo", "leader", at, data={"response": response})


def test_replay_keeps_what_accepts_add_and_unaccepts_take_away_in_time_order():
    later = [T0 + timedelta(minutes=m) for m in range(6)]
    events = [accept(EventKind.ACCEPT, "Keita", later[0]), accept(EventKind.ACCEPT, "Toure", later[1]),
              accept(EventKind.ACCEPT, "Keita", later[2]),  # already accepted: accepted since the first
              accept(EventKind.UNACCEPT, "Toure", later[3]), accept(EventKind.UNACCEPT, "never", later[4]),
              accept(EventKind.ACCEPT, "Toure", later[5])]
    assert replay_card([], events, list) == (None, Flags(accepted=(("Keita", later[0]), ("Toure", later[5]))))
    assert replay_card([], events[:4], list) == (None, Flags(accepted=(("Keita", later[0]),)))
    # Accepted at the same time: by response, the order the `accepted` cache reads them back in.
    same_time = [accept(EventKind.ACCEPT, "Toure"), accept(EventKind.ACCEPT, "Keita")]
    assert replay_card([], same_time, list)[1].accepted == (("Keita", T0), ("Toure", T0))


def quizzer(home, *args, at=T0):
    result = CliRunner().invoke(app, list(args), env={"QUIZZER_HOME": str(home), "QUIZZER_NOW": at.isoformat()})
    return result


def accept_at_verdict(home, response, at=T0):
    """What the `a` key at a verdict does: save the answer, overridden, with the response it accepts."""
    review = Review(str(uuid.uuid4()), "demo", "leader", at, Rating.GOOD, Outcome.OVERRIDDEN, response, 1000, "s")
    scheduler = Scheduler(fuzz=False)
    with Store(home / "quizzer.db") as store:
        before = store.state(("demo", "leader")) or new_state(at)
        store.record(review, before.phase, scheduler.review(before, Rating.GOOD, at, review.review_id),
                     accept=response)


def accepted(home):
    return json.loads(quizzer(home, "accepted", "--json").output)


def events(home, kind=None):
    db = sqlite3.connect(home / "quizzer.db")
    try:
        return db.execute("SELECT kind, deck, card, at, data FROM events ORDER BY at, kind").fetchall()
    finally:
        db.close()


def test_the_a_key_appends_an_accept_and_accepted_remove_an_unaccept(tmp_path):
    home = tmp_path / "home"
    accept_at_verdict(home, "Captain Sanogo")
    assert events(home) == [("accept", "demo", "leader", log.iso(T0), '{"response": "Captain Sanogo"}')]
    assert [a["response"] for a in accepted(home)] == ["Captain Sanogo"]
    later = T0 + timedelta(hours=1)
    removed = quizzer(home, "accepted", "--remove", "demo/leader", "--answer", "Captain Sanogo", at=later)
    assert removed.exit_code == 0, removed.output
    assert events(home)[-1] == ("unaccept", "demo", "leader", log.iso(later), '{"response": "Captain Sanogo"}')
    assert accepted(home) == []
    assert quizzer(home, "doctor").exit_code == 0


@pytest.mark.parametrize("damage", [
    "DELETE FROM accepted",
    "UPDATE accepted SET added_at = '2020-01-01T00:00:00.000000+00:00'",
    "INSERT INTO accepted VALUES ('demo', 'leader', 'forged', '2026-03-02T12:00:00.000000+00:00')",
    "INSERT INTO accepted VALUES ('demo', 'other', 'forged', '2026-03-02T12:00:00.000000+00:00')",
])
def test_doctor_finds_an_accepted_cache_that_disagrees_with_the_log_and_fix_rebuilds_it(tmp_path, damage):
    home = tmp_path / "home"
    accept_at_verdict(home, "Captain Sanogo")
    before = accepted(home)
    db = sqlite3.connect(home / "quizzer.db")
    with db:
        db.execute(damage)
    db.close()
    found = quizzer(home, "doctor")
    assert found.exit_code == 1, found.output
    assert quizzer(home, "doctor", "--fix").exit_code == 0
    assert accepted(home) == before and quizzer(home, "doctor").exit_code == 0


def database_before_accept_events(path, rows):
    """A database as quizzer wrote it before migration 0006, with these `accepted` rows."""
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    for name, sql in MIGRATIONS:
        if name == "0006_accept_events":
            break
        old.executescript(sql)
        old.execute("INSERT INTO migrations VALUES (?, 'then')", (name,))
    old.executemany("INSERT INTO accepted VALUES ('demo', 'leader', ?, ?)", rows)
    old.commit()
    old.close()


def test_migration_turns_accepted_rows_into_the_same_accept_events_on_every_machine(tmp_path):
    rows = [("Keita", log.iso(T0)), ("Captain [b]S[/b]", log.iso(T0 + timedelta(days=1))), ("Tombouctou ✓", log.iso(T0))]
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        database_before_accept_events(tmp_path / name / "quizzer.db", rows)
    before = accepted(tmp_path / "a")  # each database is upgraded as quizzer opens it
    assert accepted(tmp_path / "b") == before
    assert [a["response"] for a in before] == ["Keita", "Tombouctou ✓", "Captain [b]S[/b]"]
    made = sorted((kind, at, json.loads(data)["response"]) for kind, _, _, at, data in events(tmp_path / "a"))
    assert made == sorted(("accept", at, response) for response, at in rows)
    ids = [sorted(i for (i,) in sqlite3.connect(tmp_path / name / "quizzer.db").execute("SELECT event_id FROM events"))
           for name in "ab"]
    assert ids[0] == ids[1] and len(set(ids[0])) == 3
    assert quizzer(tmp_path / "a", "doctor").exit_code == 0
    # The two machines made the same events: swapping them adds none and conflicts with none.
    out = tmp_path / "a.jsonl"
    assert quizzer(tmp_path / "a", "progress", "export", str(out)).exit_code == 0
    swapped = quizzer(tmp_path / "b", "progress", "import", str(out))
    assert "and 0 new events" in swapped.output and "conflict" not in swapped.output, swapped.output
    assert accepted(tmp_path / "b") == before


def test_progress_export_and_import_carry_an_accept_and_a_later_unaccept(tmp_path):
    a, b, out = tmp_path / "a", tmp_path / "b", tmp_path / "progress.jsonl"
    accept_at_verdict(a, "Captain Sanogo")
    assert quizzer(a, "progress", "export", str(out)).exit_code == 0
    first = quizzer(b, "progress", "import", str(out))
    assert "Imported 1 new answer from" in first.output and "and 1 new event;" in first.output, first.output
    assert accepted(b) == accepted(a) and [x["response"] for x in accepted(b)] == ["Captain Sanogo"]
    again = quizzer(b, "progress", "import", str(out))
    assert "Imported 0 new answers" in again.output and "and 0 new events;" in again.output, again.output
    later = T0 + timedelta(hours=1)
    assert quizzer(a, "accepted", "--remove", "demo/leader", "--answer", "Captain Sanogo", at=later).exit_code == 0
    assert quizzer(a, "progress", "export", str(out), at=later).exit_code == 0
    assert "and 1 new event;" in quizzer(b, "progress", "import", str(out), at=later).output
    assert accepted(b) == [] and events(b) == events(a)
    assert quizzer(b, "doctor").exit_code == 0


def test_sync_carries_an_accept_and_a_later_unaccept_to_the_other_home(tmp_path):
    a, b = homes(tmp_path, 2)
    accept_at_verdict(a.home, "Captain Sanogo")
    a.ok("sync")
    b.ok("sync")
    assert [x["response"] for x in json.loads(b.ok("accepted", "--json").output)] == ["Captain Sanogo"]
    a.at = b.at = T0 + timedelta(hours=1)
    a.ok("accepted", "--remove", "demo/leader", "--answer", "Captain Sanogo")
    a.ok("sync")
    b.ok("sync")
    assert json.loads(b.ok("accepted", "--json").output) == []
    assert events(b.home) == events(a.home) and a.views() == b.views()
