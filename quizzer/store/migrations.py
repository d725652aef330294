"""Schema changes as named, append-only steps. Never edit a released one; add a new one."""

from __future__ import annotations

import json
import uuid

from quizzer.store.sums import ANSWER_DAYS

# Accept events made from `accepted` rows have uuid5 ids in this namespace: two machines upgrading the
# same data make the same events, which a sync or an import then adds once.
ACCEPTED = uuid.UUID("3f2b7c1e-0a4d-5e8f-9b6a-1c2d3e4f5a6b")


def _accept_id(deck: str, card: str, response: str) -> str:
    return str(uuid.uuid5(ACCEPTED, "\x1f".join((deck, card, response))))


def _response_data(response: str) -> str:
    return json.dumps({"response": response}, sort_keys=True)  # as `log.append_events` writes `data`


# -- card states' times as day numbers (0008): what `stats` counts and sums over every card state ------

CARD_DAYS = """
    -- Each state's due time and last review as Julian day numbers, so that `stats` counts young and
    -- mature cards and sums recall with arithmetic instead of parsing two times per card (docs/stats.md
    -- "Speed"). Generated columns: SQLite works them out on every write of a state, whichever path
    -- writes it, and refuses any other value, so they cannot disagree with the times they mirror.
    -- A generated column that is STORED cannot be added by ALTER TABLE: the table is made again.
    CREATE TABLE cards_0008 (
        deck            TEXT NOT NULL,
        card            TEXT NOT NULL,
        phase           TEXT NOT NULL,
        due             TEXT NOT NULL,
        step            INTEGER,
        stability       REAL,
        difficulty      REAL,
        last_review     TEXT,
        due_day         REAL GENERATED ALWAYS AS (julianday(due)) STORED,          -- NULL past year 9999
        last_review_day REAL GENERATED ALWAYS AS (julianday(last_review)) STORED,
        PRIMARY KEY (deck, card)
    ) WITHOUT ROWID;
    INSERT INTO cards_0008 (deck, card, phase, due, step, stability, difficulty, last_review)
        SELECT deck, card, phase, due, step, stability, difficulty, last_review FROM cards;
    DROP TABLE cards;
    ALTER TABLE cards_0008 RENAME TO cards;
    CREATE INDEX cards_by_due ON cards (due);
"""

# SQL functions the migrations call, registered on every connection before they run.
FUNCTIONS = {"quizzer_accept_id": _accept_id, "quizzer_response_data": _response_data}

MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_initial",
        """
        CREATE TABLE reviews (
            review_id   TEXT PRIMARY KEY,
            deck        TEXT NOT NULL,
            card        TEXT NOT NULL,
            reviewed_at TEXT NOT NULL,            -- UTC ISO-8601
            rating      INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 4),
            verdict     TEXT NOT NULL,
            response    TEXT NOT NULL,
            duration_ms INTEGER NOT NULL,
            session     TEXT,
            phase       TEXT NOT NULL,            -- the card's phase before this review
            due_after   TEXT NOT NULL             -- when the card was due again after it
        );
        CREATE INDEX reviews_by_card ON reviews (deck, card, reviewed_at);
        CREATE INDEX reviews_by_time ON reviews (reviewed_at);
        CREATE INDEX reviews_by_session ON reviews (session);

        CREATE TABLE cards (
            deck        TEXT NOT NULL,
            card        TEXT NOT NULL,
            phase       TEXT NOT NULL,
            due         TEXT NOT NULL,
            step        INTEGER,
            stability   REAL,
            difficulty  REAL,
            last_review TEXT,
            PRIMARY KEY (deck, card)
        ) WITHOUT ROWID;
        CREATE INDEX cards_by_due ON cards (due);

        CREATE TABLE sessions (
            session_id TEXT PRIMARY KEY,
            started_at TEXT NOT NULL,
            ended_at   TEXT,
            decks      TEXT NOT NULL              -- JSON list of the deck ids studied
        );
        """,
    ),
    (
        "0002_accepted_responses",
        """
        -- Responses the learner chose to count as right for a card; kept out of deck files.
        CREATE TABLE accepted (
            deck       TEXT NOT NULL,
            card       TEXT NOT NULL,
            response   TEXT NOT NULL,
            added_at   TEXT NOT NULL,
            PRIMARY KEY (deck, card, response)
        ) WITHOUT ROWID;
        """,
    ),
    (
        "0003_statistics_indexes",
        """
        -- Statistics read a period of the log from this index alone, without touching the table:
        -- answers and accuracy per day and deck, true retention, the review calendar.
        CREATE INDEX reviews_by_time_covering
            ON reviews (reviewed_at, deck, card, phase, rating, verdict, duration_ms);
        -- Lapses (Again on a card in review) per card, for leeches and the hardest cards.
        CREATE INDEX reviews_lapses ON reviews (deck, card) WHERE phase = 'review' AND rating = 1;
        """,
    ),
    (
        "0004_events",
        """
        -- Everything the learner does to a card besides answering it: undo (void), suspend, unsuspend,
        -- bury, leech. Append-only like reviews; replayed with the card's answers (docs/events.md).
        CREATE TABLE events (
            event_id TEXT PRIMARY KEY,
            kind     TEXT NOT NULL,
            deck     TEXT NOT NULL,
            card     TEXT NOT NULL,
            at       TEXT NOT NULL,               -- UTC ISO-8601
            target   TEXT,                        -- the review id a void cancels
            data     TEXT NOT NULL DEFAULT '{}'   -- JSON: a bury's "until", a suspension's "reason"
        );
        CREATE INDEX events_by_card ON events (deck, card, at);
        CREATE INDEX events_voids ON events (target) WHERE kind = 'void';

        -- Cache, like cards: what the replay of a card's events gives, for cards with any flag set.
        -- Its own table because a card never answered (no row in cards) can be suspended or buried.
        CREATE TABLE card_flags (
            deck         TEXT NOT NULL,
            card         TEXT NOT NULL,
            suspended    INTEGER NOT NULL DEFAULT 0,
            buried_until TEXT,
            leech        INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (deck, card)
        ) WITHOUT ROWID;

        -- Cache, like cards: the rowids of voided answers (a void counts only on its own card, as in the
        -- replay). By rowid because every index of reviews holds it: statistics keep reading their
        -- covering indexes, where a check by review id would look each answer up in the table.
        CREATE TABLE voided (review_rowid INTEGER PRIMARY KEY);

        -- The answers that count: the log without voided ones. Statistics, history and limits read this.
        CREATE VIEW answers AS
            SELECT *, rowid AS rowid FROM reviews WHERE rowid NOT IN (SELECT review_rowid FROM voided);
        """,
    ),
    (
        "0005_quiz",
        """
        -- `quizzer quiz` answers go into the one log beside study answers (docs/events.md "Quizzes").
        -- `reschedules` is 0 for a quiz answer given without --reschedule: the replay skips it, so it
        -- never changes a card's state, and statistics of the schedule read the `scheduled` view.
        ALTER TABLE reviews ADD COLUMN kind TEXT NOT NULL DEFAULT 'study';
        ALTER TABLE reviews ADD COLUMN reschedules INTEGER NOT NULL DEFAULT 1;
        -- The covering index again, now with `reschedules`, so true retention stays on it.
        DROP INDEX reviews_by_time_covering;
        CREATE INDEX reviews_by_time_covering
            ON reviews (reviewed_at, deck, card, phase, rating, verdict, duration_ms, reschedules);
        DROP INDEX reviews_lapses;
        CREATE INDEX reviews_lapses ON reviews (deck, card) WHERE phase = 'review' AND rating = 1 AND reschedules = 1;
        -- The answers that count for the schedule: what true retention, lapses, daily limits and
        -- `cards` read. Activity (answers per day, time, streaks, sessions) reads `answers`.
        CREATE VIEW scheduled AS SELECT * FROM answers WHERE reschedules = 1;
        -- Quiz records are events of kind `quiz`, read newest first by `quizzer scores`.
        CREATE INDEX events_quizzes ON events (at) WHERE kind = 'quiz';
        """,
    ),
    (
        "0006_accept_events",
        """
        -- Accepted responses become events like the rest of the log (docs/events.md), so export, import
        -- and sync carry them; `accepted` stays as their cache, which these events replay to unchanged.
        INSERT OR IGNORE INTO events (event_id, kind, deck, card, at, target, data)
            SELECT quizzer_accept_id(deck, card, response), 'accept', deck, card, added_at, NULL,
                   quizzer_response_data(response)
            FROM accepted;
        """,
    ),
    ("0007_answer_days", ANSWER_DAYS),
    ("0008_card_days", CARD_DAYS),
    (
        "0009_one_time_index",
        """
        -- `reviews_by_time` (reviewed_at) is the first column of `reviews_by_time_covering`, which serves
        -- every query that read it: one index write less per answer (docs/benchmarks.md, issue 14).
        DROP INDEX reviews_by_time;
        """,
    ),
    (
        "0010_session_deck_index",
        """
        -- The session index with each answer's deck: `answer_sessions` (session, deck) is refilled from it
        -- alone, in its order, instead of by sorting the whole log (docs/benchmarks.md, issue 14).
        DROP INDEX reviews_by_session;
        CREATE INDEX reviews_by_session ON reviews (session, deck);
        """,
    ),
]
