"""Hostile lines in another device's sync files: each is named FILE:LINE, skipped, and the lines around it
are merged; `sync --status` shows it. Add a case as one line of the table."""

import json

import pytest
from typer.testing import CliRunner

from quizzer.cli import app

DECK = """\
id: demo
title: Demo
cards:
  - id: leader
    type: typed
    question: Who led the coup?
    answer: Sanogo
"""
NOW = "2026-03-02T12:00:00+00:00"


def answer(review_id, **changes):
    return {"review_id": review_id, "deck": "demo", "card": "leader", "reviewed_at": "2026-03-02T11:00:00.000000+00:00",
            "rating": 3, "verdict": "correct", "response": "Sanogo", "duration_ms": 4000, "session": "s1",
            "phase": "new", "next_due": "2026-03-02T11:10:00.000000+00:00", "kind": "study", "reschedules": True,
            **changes}


def line(value) -> bytes:
    return json.dumps(value).encode() + b"\n"


CASES = [  # (what, the bad line's bytes, what the message says)
    ("not JSON", b"{not json\n", "not JSON"),
    ("a list", b"[1, 2]\n", "each line must be one review"),
    ("no review id", line({k: v for k, v in answer("x").items() if k != "review_id"}), "missing 'review_id'"),
    ("rating 7", line(answer("x", rating=7)), "'rating' must be 1, 2, 3 or 4"),
    ("a week ahead", line(answer("x", reviewed_at="2026-03-09T12:00:00+00:00")), "given after tomorrow"),
    ("not UTF-8", b'{"review_id": "\xff\xfe"}\n', "lone surrogate"),
    ("an unknown event", line({"event": "explode", "event_id": "e", "deck": "demo", "card": "leader",
                               "at": NOW, "target": None, "data": {}}), "'event' must be one of"),
    ("control bytes", b"\x1b[2J\x07\n", "not JSON"),
    ("a line of 2 MB", b"[" + b"1," * 1_000_000 + b"1]\n", "longer than 1,048,576 characters"),
]


@pytest.mark.parametrize("what, bad, says", CASES, ids=[c[0] for c in CASES])
def test_a_bad_line_is_named_skipped_and_shown_by_status(quizzer_home, tmp_path, what, bad, says):
    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
    folder = tmp_path / "shared"
    theirs = folder / "devices" / "other"
    theirs.mkdir(parents=True)
    segment = theirs / "000001.jsonl"
    segment.write_bytes(line(answer("before")) + bad + line(answer("after", reviewed_at=NOW)))

    def run(*args):
        return CliRunner().invoke(app, list(args), env={"QUIZZER_NOW": NOW})

    synced = run("sync", str(folder))
    assert synced.exit_code == 0, synced.output
    warnings = [text for text in synced.output.splitlines() if text.startswith("quizzer:")]
    assert len(warnings) == 1 and warnings[0].startswith(f"quizzer: skipped {segment}:2: ")
    assert says in warnings[0] and "\x1b" not in synced.output and "\x07" not in synced.output
    history = json.loads(run("history", "--reviews", "--json").output)
    assert sorted(r["review_id"] for r in history) == ["after", "before"]
    status = json.loads(run("sync", "--status", "--json").output)
    assert status["problem_count"] == 1 and status["problems"][0].startswith(f"{segment}:2: ")
    assert run("sync").output.count("skipped") == 0  # read once; not reported again


OPTIONS = [  # (arguments, the one line it prints)
    (["sync"], "quizzer: this device does not sync; start with `quizzer sync DIR`"),
    (["sync", "--off", "--status"], "quizzer: give DIR, --status or --off, one at a time"),
    (["sync", "--json"], "quizzer: --json goes with --status"),
    (["sync", "/no/such/folder"], "quizzer: sync folder /no/such/folder is not there"),
]


@pytest.mark.parametrize("args, says", OPTIONS, ids=[" ".join(o[0]) for o in OPTIONS])
def test_a_bad_sync_command_is_one_line_and_exit_2(quizzer_home, args, says):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and result.output == says + "\n"
    assert not (quizzer_home / "sync.json").exists()
