"""Score history and statistics as plain result objects, computed from the store's queries.

Nothing here prints: `quizzer.ui.stats` renders these objects and `to_dict()` gives their JSON.
A study day is the local day that starts at `day_starts_at` (04:00 by default), as in study sessions.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import ClassVar
from datetime import date, datetime, time, timedelta

from quizzer.model import BACKGROUND, CardState, Deck, Phase, QuizRecord, QuizScore, study_day_start
from quizzer.scheduler import Scheduler, new_state
from quizzer.store import Store, iso, parse_time
from quizzer.store import stats as queries
from quizzer.store.log import EARLIEST, Flags
from quizzer.store.stats import MATURE_DAYS, Scope

PERIODS = {"today": 1, "7d": 7, "30d": 30}  # accuracy and true retention over the last N study days
CALENDAR_WEEKS = 16
FORECAST_DAYS = 14
LEECH_LAPSES = 8
HARDEST_CARDS = 10
DAYS_PER_QUERY = 5000  # three parameters a day, well under SQLite's 32,766 per statement


class StatsError(Exception):
    """The decks, cards or tag asked for do not exist; the message says which."""


# -- study days -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StudyDays:
    """Local study days around `now`: day 0 is today, positive numbers count back into the past."""

    now: datetime
    starts_at: int = 4

    @cached_property
    def today(self) -> date:
        return study_day_start(self.now, self.starts_at).date()

    def start(self, days_ago: int) -> datetime:
        return self.start_of(self.today - timedelta(days=days_ago))

    def start_of(self, day: date) -> datetime:
        # Each day's start is localised on its own, so a daylight-saving change moves it correctly.
        return datetime.combine(day, time(self.starts_at)).astimezone()

    def date_of(self, moment: datetime) -> date:
        return study_day_start(moment, self.starts_at).date()

    def past(self, count: int) -> list[tuple[int, str, str]]:
        """Bounds of today and the `count - 1` days before it, for the store's day queries."""
        starts = [iso(self.start(ago)) for ago in range(-1, count)]  # each day ends where the next starts
        return [(ago, starts[ago + 1], starts[ago]) for ago in range(count)]

    def ahead(self, count: int) -> list[tuple[int, str, str]]:
        """Bounds of today and the `count - 1` days after it; today also takes in everything overdue."""
        return [(ahead, "" if ahead == 0 else iso(self.start(-ahead)), iso(self.start(-ahead - 1)))
                for ahead in range(count)]


# -- result objects -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """`right` out of `total`: answers for accuracy, first reviews of the day for true retention."""

    right: int = 0
    total: int = 0

    @property
    def value(self) -> float | None:
        return self.right / self.total if self.total else None

    def __add__(self, other: Rate) -> Rate:
        return Rate(self.right + other.right, self.total + other.total)

    def to_dict(self) -> dict:
        return {"right": self.right, "total": self.total,
                "rate": round(self.value, 4) if self.value is not None else None}


@dataclass(frozen=True)
class DeckStats:
    deck: str  # "total" for the line that adds up every deck
    title: str
    installed: bool  # False: progress of a deck whose file is gone
    cards: int
    new: int = 0
    learning: int = 0  # learning and relearning
    young: int = 0  # in review, interval under 21 days
    mature: int = 0  # in review, interval of 21 days or more
    due_today: int = 0  # cards with progress due before the study day ends, overdue included
    suspended: int = 0  # counted in their state too
    accuracy: dict[str, Rate] = field(default_factory=dict)
    true_retention: dict[str, Rate] = field(default_factory=dict)
    last_quiz: DeckScore | None = None  # the deck's part of its latest quiz

    def to_dict(self) -> dict:
        return {
            "deck": self.deck, "title": self.title, "installed": self.installed, "cards": self.cards,
            "new": self.new, "learning": self.learning, "young": self.young, "mature": self.mature,
            "due_today": self.due_today, "suspended": self.suspended,
            "accuracy": {period: rate.to_dict() for period, rate in self.accuracy.items()},
            "true_retention": {period: rate.to_dict() for period, rate in self.true_retention.items()},
            "last_quiz": self.last_quiz.to_dict() if self.last_quiz else None,
        }


@dataclass(frozen=True)
class TagMastery:
    tag: str
    cards: int
    studied: int
    mature: int
    retrievability: float | None  # average over the studied cards, now

    def to_dict(self) -> dict:
        return {"tag": self.tag, "cards": self.cards, "studied": self.studied, "mature": self.mature,
                "retrievability": _round(self.retrievability)}


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int

    def to_dict(self) -> dict:
        return {"date": self.day.isoformat(), "count": self.count}


@dataclass(frozen=True)
class HardCard:
    deck: str
    card: str
    question: str  # "" when the card is no longer in a deck file
    lapses: int
    retrievability: float
    due: datetime

    def to_dict(self) -> dict:
        return {"deck": self.deck, "card": self.card, "question": self.question, "lapses": self.lapses,
                "retrievability": _round(self.retrievability), "due": _iso(self.due)}


@dataclass(frozen=True)
class Stats:
    now: datetime
    day_starts_at: int
    tag: str | None
    decks: list[DeckStats]
    total: DeckStats
    tags: list[TagMastery]
    forecast: list[DayCount]  # cards due on each of the next 14 days; today includes the overdue
    calendar: list[DayCount]  # answers on each day of the last 16 weeks, oldest first, weeks from Monday
    streak: int  # study days in a row up to today (or yesterday, while today is still open)
    longest_streak: int
    study_days: int
    answers: int
    time_ms: int  # time spent answering, all time
    first_answer: datetime | None
    hardest: list[HardCard]
    leeches: list[HardCard]

    @property
    def empty(self) -> bool:
        return self.answers == 0

    def to_dict(self) -> dict:
        return {
            "now": _iso(self.now), "day_starts_at": self.day_starts_at, "tag": self.tag,
            "decks": [d.to_dict() for d in self.decks], "total": self.total.to_dict(),
            "tags": [t.to_dict() for t in self.tags],
            "forecast": [d.to_dict() for d in self.forecast],
            "calendar": [d.to_dict() for d in self.calendar],
            "streak": {"current": self.streak, "longest": self.longest_streak, "study_days": self.study_days},
            "answers": self.answers, "time_ms": self.time_ms, "first_answer": _iso(self.first_answer),
            "hardest": [c.to_dict() for c in self.hardest],
            "leeches": [c.to_dict() for c in self.leeches],
        }


# -- which decks and cards ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Selection:
    deck_ids: list[str]  # the decks shown, in order
    installed: dict[str, Deck]
    tag: str | None
    answers: Scope  # which answers count
    states: Scope  # which card states count: those of cards in deck files, all of a deck whose file is gone
    # Where in each installed deck the cards counted are (only the tagged ones, with a tag): ids and tags
    # come from the deck's index, so no card is built.
    members: dict[str, list[int]]

    def card_ids(self, deck: str) -> list[str]:
        """The ids of the cards counted in an installed deck."""
        return _card_ids(self.installed[deck], self.members[deck])


def _select(store: Store, library: Sequence[Deck], wanted: Sequence[str], tag: str | None) -> _Selection:
    chosen = _choose(store, library, wanted, tag)
    return _without_gone(chosen, queries.card_ids_with_progress(store, _checked(chosen)))


def _choose(store: Store, library: Sequence[Deck], wanted: Sequence[str], tag: str | None) -> _Selection:
    """The selection, with the progress of cards gone from their files not yet left out (`_without_gone`)."""
    installed = {deck.id: deck for deck in library}
    known = list(installed) + [d for d in queries.decks_with_progress(store) if d not in installed]
    unknown = [d for d in wanted if d not in known]
    if unknown:
        raise StatsError(f"unknown deck '{unknown[0]}'; known decks: {', '.join(sorted(known)) or 'none'}")
    deck_ids = list(dict.fromkeys(wanted)) or known
    members = {d: installed[d].tagged_positions(tag) for d in deck_ids if d in installed}
    if tag is not None:
        members = {d: cards for d, cards in members.items() if cards}
        if not members:
            raise StatsError(f"no cards tagged '{tag}' in {', '.join(wanted) if wanted else 'any deck'}")
        deck_ids = list(members)
        # A deck with the tag counts whole unless it has background cards (they do not take the deck's
        # tags); elsewhere only its cards with the tag.
        whole = tuple(d for d in members if tag in installed[d].tags and len(members[d]) == len(installed[d].card_ids))
        single = tuple((d, card) for d in members if d not in whole for card in _card_ids(installed[d], members[d]))
        answers = Scope(decks=whole, cards=single)
    else:
        whole, single = tuple(deck_ids), ()
        answers = Scope(everything=True) if not wanted else Scope(decks=whole)
    return _Selection(deck_ids, installed, tag, answers, Scope(decks=whole, cards=single), members)


def _checked(chosen: _Selection) -> list[str]:
    """The decks counted whole whose files are installed: their progress may name cards gone from the file."""
    return [d for d in chosen.states.decks if d in chosen.installed]


def _without_gone(chosen: _Selection, with_progress: dict[str, list[str]]) -> _Selection:
    """Card states count only cards in the deck files: progress of a card whose id left its file is history.
    `with_progress`: the ids with progress of each of `_checked(chosen)`."""
    gone = tuple((d, card) for d, ids in with_progress.items()
                 for card in set(ids).difference(chosen.card_ids(d)))
    return replace(chosen, states=replace(chosen.states, excluded=gone))


def _card_ids(deck: Deck, positions: list[int]) -> Sequence[str]:
    ids = deck.card_ids
    # Positions are distinct: as many as the deck's cards are all of them (no copy of 100,000 ids, no tag).
    return ids if len(positions) == len(ids) else [ids[n] for n in positions]


# -- stats ----------------------------------------------------------------------------------------


def compute_stats(
    store: Store, scheduler: Scheduler, library: Sequence[Deck], *, decks: Sequence[str] = (),
    tag: str | None = None, now: datetime, day_starts_at: int = 4,
) -> Stats:
    """Everything `quizzer stats` shows, for some decks (all if none) and optionally one tag."""
    days = StudyDays(now, day_starts_at)
    chosen = _choose(store, library, decks, tag)
    curve = scheduler.forgetting_curve()
    # One pass over the card states counts them and finds those of cards gone from their files; when
    # there are any, the states are counted again without them.
    states_in = queries.Filter(store, chosen.states)
    counts, with_progress = queries.state_counts_and_ids(store, states_in, days.start(-1), curve, now,
                                                         _checked(chosen))
    chosen = _without_gone(chosen, with_progress)
    if chosen.states.excluded:
        states_in = queries.Filter(store, chosen.states)
        counts = queries.state_counts(store, states_in, days.start(-1), curve, now)
    answers_in = queries.Filter(store, chosen.answers)
    counts_for = {d: counts.get(d, {}) for d in chosen.deck_ids}
    # A deck's cards: those in its file (with the tag, if one was asked for); when its file is gone,
    # the cards it has progress for.
    members = {d: len(chosen.members[d]) if d in chosen.members else counts_for[d].get("studied", 0)
               for d in chosen.deck_ids}
    suspended = _suspended(store, chosen)

    calendar_days = (CALENDAR_WEEKS - 1) * 7 + days.today.weekday() + 1
    history_days = max(calendar_days, max(PERIODS.values()))
    accuracy = {d: {p: Rate() for p in PERIODS} for d in chosen.deck_ids}
    per_day = [0] * history_days
    for ago, deck, answers, right, _ in queries.daily_answers(store, answers_in, days.past(history_days)):
        per_day[ago] += answers
        for period, length in PERIODS.items():
            if ago < length and deck in accuracy:
                accuracy[deck][period] += Rate(right, answers)
    retention = {d: {p: Rate() for p in PERIODS} for d in chosen.deck_ids}
    for ago, deck, reviews, passed in queries.first_reviews(store, answers_in, days.past(max(PERIODS.values()))):
        for period, length in PERIODS.items():
            if ago < length and deck in retention:
                retention[deck][period] += Rate(passed, reviews)

    last_quiz: dict[str, DeckScore] = {}
    for record in quizzes(store):  # newest first
        for deck, score in record.by_deck.items():
            last_quiz.setdefault(deck, DeckScore(record.quiz_id, record.ended, score))
    deck_rows = [
        DeckStats(
            deck=d,
            title=chosen.installed[d].title if d in chosen.installed else "",
            installed=d in chosen.installed,
            cards=members[d],
            new=members[d] - counts_for[d].get("studied", 0),
            learning=counts_for[d].get("learning", 0),
            young=counts_for[d].get("young", 0),
            mature=counts_for[d].get("mature", 0),
            due_today=counts_for[d].get("due", 0),
            suspended=suspended.get(d, 0),
            accuracy=accuracy[d],
            true_retention=retention[d],
            last_quiz=last_quiz.get(d),
        )
        for d in chosen.deck_ids
    ]
    answers, time_ms, first = queries.totals(store, answers_in)
    first_answer = parse_time(first) if first else None
    streak, longest, study_days = _streaks(store, answers_in, days, first_answer)
    # Today's due cards, overdue ones included, are the state counts' (the same bound); the rest is a range
    # of the due index, not the whole backlog again.
    due = queries.forecast(store, states_in, days.ahead(FORECAST_DAYS)[1:])
    due[0] = sum(c.get("due", 0) for c in counts.values())
    hard = [
        HardCard(deck, card, _question(chosen.installed, deck, card), lapses,
                 scheduler.retrievability(_state(*state), now), parse_time(state[1]))
        for deck, card, lapses, *state in queries.lapsed_cards(
            store, states_in, now, leech_lapses=LEECH_LAPSES, hardest=HARDEST_CARDS)
    ]
    return Stats(
        now=now,
        day_starts_at=day_starts_at,
        tag=chosen.tag,
        decks=deck_rows,
        total=_total(deck_rows),
        tags=_mastery(store, chosen, counts, states_in, curve, now),
        forecast=[DayCount(days.today + timedelta(days=k), due.get(k, 0)) for k in range(FORECAST_DAYS)],
        calendar=[DayCount(days.today - timedelta(days=ago), per_day[ago]) for ago in reversed(range(calendar_days))],
        streak=streak,
        longest_streak=longest,
        study_days=study_days,
        answers=answers,
        time_ms=time_ms,
        first_answer=first_answer,
        hardest=hard[:HARDEST_CARDS],
        leeches=[card for card in hard if card.lapses >= LEECH_LAPSES],
    )


def due_soon(store: Store, library: Sequence[Deck], *, decks: Sequence[str] = (), tag: str | None = None,
             now: datetime, day_starts_at: int = 4) -> tuple[int, int]:
    """Cards due in the rest of today (overdue, and learning cards due in minutes, included) and tomorrow:
    the first two days of the `stats` forecast, for the end of a study session."""
    chosen = _select(store, library, decks, tag)
    due = queries.forecast(store, queries.Filter(store, chosen.states), StudyDays(now, day_starts_at).ahead(2))
    return due.get(0, 0), due.get(1, 0)


def _suspended(store: Store, chosen) -> dict[str, int]:
    """Suspended cards per chosen deck: of its file's cards (with the tag), or any when its file is gone."""
    ids: dict[str, set[str]] = {}  # a deck's card ids, gathered once it has a suspended card
    counts: dict[str, int] = {}
    for (deck, card), flags in store.flags().items():
        if not flags.suspended or deck not in chosen.deck_ids:
            continue
        if deck in chosen.members and deck not in ids:
            ids[deck] = set(chosen.card_ids(deck))
        if deck not in ids or card in ids[deck]:
            counts[deck] = counts.get(deck, 0) + 1
    return counts


def _total(rows: list[DeckStats]) -> DeckStats:
    def add(name: str) -> dict[str, Rate]:
        return {p: sum((getattr(r, name)[p] for r in rows), Rate()) for p in PERIODS}

    return DeckStats(
        deck="total", title="", installed=True,
        **{name: sum(getattr(r, name) for r in rows)
           for name in ("cards", "new", "learning", "young", "mature", "due_today", "suspended")},
        accuracy=add("accuracy"), true_retention=add("true_retention"),
    )


def _streaks(store: Store, where: queries.Filter, days: StudyDays, first: datetime | None) -> tuple[int, int, int]:
    """(current streak, longest streak, days studied) in study days."""
    if first is None:
        return 0, 0, 0
    first = min(max(first, EARLIEST), days.now)  # a time no import accepts, written by other means
    span = (days.today - days.date_of(first)).days + 1
    bounds = days.past(span)
    studied: set[int] = set()
    for start in range(0, span, DAYS_PER_QUERY):  # SQLite caps the parameters of one statement
        studied.update(queries.days_with_answers(store, where, bounds[start:start + DAYS_PER_QUERY]))
    current, ago = 0, 0 if 0 in studied else 1  # today still counts as open until it ends
    while ago + current in studied:
        current += 1
    longest = run = 0
    for ago in range(span):
        run = run + 1 if ago in studied else 0
        longest = max(longest, run)
    return current, longest, len(studied)


def _mature(state: CardState) -> bool:
    return (state.phase is Phase.REVIEW and state.last_review is not None
            and (state.due - state.last_review) >= timedelta(days=MATURE_DAYS))


def _mastery(store: Store, chosen: _Selection, counts: dict, where: queries.Filter, curve: queries.Curve,
             now: datetime) -> list[TagMastery]:
    """Per tag (a card's own and its deck's): cards, studied, mature, average retrievability now.

    A deck's tags take the deck's sums when every counted card carries them (none is background);
    other tags are summed in SQL over the cards that carry them."""
    sums: dict[str, list] = {}  # tag → [cards, studied, mature, sum of retrievability]
    own_tags = []
    for deck_id, positions in chosen.members.items():
        deck, of_deck = chosen.installed[deck_id], counts.get(deck_id, {})
        # A card's tags follow from its own tags alone: work each distinct set out once.
        own_of = deck.card_own_tags
        distinct = set(map(own_of.__getitem__, positions))
        whole = () if any(BACKGROUND in own for own in distinct) else deck.tags
        for tag in dict.fromkeys(whole):
            total = sums.setdefault(tag, [0, 0, 0, 0.0])
            total[0] += len(positions)
            total[1] += of_deck.get("studied", 0)
            total[2] += of_deck.get("mature", 0)
            total[3] += of_deck.get("recall") or 0.0
        extra = {own: [t for t in deck.tags_carried(own) if t not in whole] for own in distinct}
        if not any(extra.values()):
            continue
        ids = deck.card_ids
        for n in positions:
            for tag in extra[own_of[n]]:
                sums.setdefault(tag, [0, 0, 0, 0.0])[0] += 1
                own_tags.append((deck_id, ids[n], tag))
    own_sums = queries.tag_sums(store, where, own_tags, curve, now) if own_tags else {}
    for tag, (studied, mature, recall) in own_sums.items():
        total = sums[tag]
        total[1] += studied
        total[2] += mature
        total[3] += recall
    return [
        TagMastery(tag, cards, studied, mature, recall / studied if studied else None)
        for tag, (cards, studied, mature, recall) in sorted(sums.items())
    ]


def _state(phase: str, due: str, step, stability, difficulty, last_review: str | None) -> CardState:
    return CardState(Phase(phase), parse_time(due), step, stability, difficulty,
                     parse_time(last_review) if last_review else None)


def _question(installed: dict[str, Deck], deck: str, card: str) -> str:
    found = installed[deck].card(card) if deck in installed else None
    return found.prompt if found is not None else ""


def _round(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _iso(moment: datetime | None) -> str | None:
    return iso(moment) if moment is not None else None


# -- history --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _AnswerCounts:
    """What a session row and the history's total line both count."""

    answers: int
    cards: int  # distinct cards
    new: int  # answers to new cards
    reviews: int  # answers to cards in review
    right: int
    answering_ms: int  # time spent answering: from each question shown to its answer

    @property
    def wrong(self) -> int:
        return self.answers - self.right

    @property
    def accuracy(self) -> float | None:
        return self.right / self.answers if self.answers else None

    def _counts(self) -> dict:
        return {"answers": self.answers, "cards": self.cards, "new": self.new, "reviews": self.reviews,
                "right": self.right, "wrong": self.wrong, "accuracy": _round(self.accuracy),
                "answering_ms": self.answering_ms}


@dataclass(frozen=True)
class SessionRow(_AnswerCounts):
    session: str | None  # None gathers answers saved without a session
    started_at: datetime
    ended_at: datetime  # the last answer's time when the session never ended cleanly
    decks: list[str]  # the decks answered in it
    quiz: bool  # a `quizzer quiz`, not a study session

    CSV_KEYS: ClassVar[tuple[str, ...]] = (
        "session", "started_at", "ended_at", "decks", "quiz", "answers", "cards", "new", "reviews", "right",
        "wrong", "accuracy", "answering_ms")

    def to_dict(self) -> dict:
        return {"session": self.session, "started_at": iso(self.started_at), "ended_at": iso(self.ended_at),
                "decks": self.decks, "quiz": self.quiz, **self._counts()}


@dataclass(frozen=True)
class SessionTotal(_AnswerCounts):
    sessions: int

    def to_dict(self) -> dict:
        return {"sessions": self.sessions, **self._counts()}


@dataclass(frozen=True)
class SessionHistory:
    rows: list[SessionRow]  # newest first, at most the limit asked for
    total: SessionTotal  # every matching session, shown or not


@dataclass(frozen=True)
class ReviewEntry:
    """One answer; `to_dict` has the keys `history --reviews --json` promises, and the question."""

    review_id: str
    deck: str
    card: str
    reviewed_at: str  # UTC ISO-8601, as stored
    rating: int
    verdict: str
    response: str
    duration_ms: int
    session: str | None
    phase: str  # the card's phase before this answer
    next_due: str
    kind: str  # "study", or "quiz" for an answer in `quizzer quiz`
    reschedules: bool  # False for a quiz answer that left the card's schedule as it was
    question: str  # "" when the card is no longer in a deck file
    voided: bool | None = None  # with `history --voided`: whether an undo voided it; else not a key

    CSV_KEYS: ClassVar[tuple[str, ...]] = (
        "review_id", "deck", "card", "reviewed_at", "rating", "verdict", "response", "duration_ms", "session",
        "phase", "next_due", "kind", "reschedules", "question")

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "voided" or v is not None}


@dataclass(frozen=True)
class ReviewHistory:
    rows: Iterator[ReviewEntry]  # newest first, at most the limit asked for
    total: int  # matching answers, shown or not


FEW_SESSIONS = 500  # up to this many, the newest sessions are found by reading the log back from its end


def session_history(store: Store, *, deck: str | None = None, since: datetime | None = None,
                    limit: int | None = None) -> SessionHistory:
    """Sessions with answers (only those to `deck`, at or after `since`), newest first."""
    few = limit is not None and limit <= FEW_SESSIONS
    ids = queries.recent_sessions(store, deck=deck, since=since, limit=limit) if few else None
    found = queries.session_rows(store, ids, deck=deck, since=since)
    if limit is not None and not few:  # the sessions recent_sessions would name: the most recently answered
        found = heapq.nlargest(limit, found, key=lambda row: row["last_answer"])
    rows = [_session_row(row) for row in found]
    rows.sort(key=lambda row: row.started_at, reverse=True)
    return SessionHistory(rows[:limit], SessionTotal(**queries.session_totals(store, deck=deck, since=since)))


def _session_row(row: dict) -> SessionRow:
    fields = {**row, "started_at": parse_time(row["started_at"]), "ended_at": parse_time(row["ended_at"])}
    del fields["last_answer"]  # only for choosing the sessions
    return SessionRow(**fields)


def review_history(store: Store, library: Sequence[Deck], *, deck: str | None = None,
                   since: datetime | None = None, limit: int | None = None, voided: bool = False) -> ReviewHistory:
    """Answers that count (and undone ones, marked, with `voided`), newest first; `rows` is read from the store
    as it is used, so use it while the store is open."""
    installed = {d.id: d for d in library}
    rows = (ReviewEntry(**row, question=_question(installed, row["deck"], row["card"]))
            for row in store.iter_reviews(deck=deck, since=since, limit=limit, voided=voided))
    return ReviewHistory(rows, queries.review_count(store, deck=deck, since=since, voided=voided))


# -- cards ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardRow:
    deck: str
    card: str
    question: str
    state: str  # new, learning, relearning, young or mature
    due: datetime | None
    stability: float | None  # days
    difficulty: float | None
    retrievability: float | None  # now; None for a new card
    reviews: int
    lapses: int
    last_verdict: str | None
    last_rating: int | None
    suspended: bool = False
    buried_until: datetime | None = None
    leech: bool = False  # flagged at 8 lapses (it may have been unsuspended since)

    def to_dict(self) -> dict:
        return {
            "deck": self.deck, "card": self.card, "question": self.question, "state": self.state,
            "due": _iso(self.due), "stability": _round(self.stability), "difficulty": _round(self.difficulty),
            "retrievability": _round(self.retrievability), "reviews": self.reviews, "lapses": self.lapses,
            "last_verdict": self.last_verdict, "last_rating": self.last_rating,
            "suspended": self.suspended, "buried_until": _iso(self.buried_until), "leech": self.leech,
        }


def list_cards(
    store: Store, scheduler: Scheduler, library: Sequence[Deck], *, deck: str | None = None,
    tag: str | None = None, due_only: bool = False, leeches_only: bool = False, suspended_only: bool = False,
    now: datetime, day_starts_at: int = 4,
) -> list[CardRow]:
    """Cards with their state and history in numbers: deck-file order, or soonest due first with `due_only`."""
    chosen = _select(store, library, [deck] if deck else [], tag)
    progress = queries.card_rows(store, queries.Filter(store, chosen.states))
    keys = [(d, card) for d in chosen.members for card in chosen.card_ids(d)]
    keys += sorted(k for k in progress if k[0] not in chosen.installed)
    flags = store.flags()
    rows = [_card_row(chosen.installed, key, progress.get(key), scheduler, now, flags.get(key)) for key in keys]
    if suspended_only:
        rows = [r for r in rows if r.suspended]
    if due_only:  # what a study session would ask today: not suspended, not buried past now
        day_end = StudyDays(now, day_starts_at).start(-1)
        rows = sorted((r for r in rows if r.due is not None and r.due < day_end and not r.suspended
                       and not (r.buried_until and r.buried_until > now)), key=lambda r: r.due)
    if leeches_only:
        rows = [r for r in rows if r.lapses >= LEECH_LAPSES]
    return rows


def _card_row(installed: dict[str, Deck], key: tuple[str, str], progress: tuple | None, scheduler: Scheduler,
              now: datetime, flags: Flags | None = None) -> CardRow:
    deck, card = key
    question = _question(installed, deck, card)
    marks = {} if flags is None else {"suspended": flags.suspended, "buried_until": flags.buried_until,
                                      "leech": flags.leech}
    if progress is None:
        return CardRow(deck, card, question, "new", None, None, None, None, 0, 0, None, None, **marks)
    *state_fields, reviews, lapses, verdict, rating = progress
    state = _state(*state_fields)
    return CardRow(deck, card, question, _state_name(state), state.due, state.stability, state.difficulty,
                   scheduler.retrievability(state, now), reviews, lapses, verdict, rating, **marks)


def _state_name(state: CardState) -> str:
    if state.phase is Phase.REVIEW:
        return "mature" if _mature(state) else "young"
    return state.phase.value


@dataclass(frozen=True)
class CardDetail:
    row: CardRow
    answer: str  # "" when the card is no longer in a deck file
    intervals: dict[str, int]  # rating name → seconds until the card would be due again, answered now
    reviews: list[ReviewEntry]  # oldest first

    def to_dict(self) -> dict:
        return {**self.row.to_dict(), "answer": self.answer, "intervals": self.intervals,
                "history": [r.to_dict() for r in self.reviews]}


def card_detail(store: Store, scheduler: Scheduler, library: Sequence[Deck], deck: str, card: str, *,
                now: datetime) -> CardDetail:
    """One card's state, whole history and the interval each rating would give now."""
    installed = {d.id: d for d in library}
    in_file = installed[deck].card(card) if deck in installed else None
    progress = queries.card_rows(store, queries.Filter(store, Scope(cards=((deck, card),)))).get((deck, card))
    if in_file is None and progress is None:
        raise StatsError(f"unknown card '{deck}/{card}'; `quizzer cards {deck}` lists the cards of a deck")
    row = _card_row(installed, (deck, card), progress, scheduler, now)
    state = _state(*progress[:6]) if progress is not None else new_state(now)
    intervals = {rating.name.lower(): round(span.total_seconds())
                 for rating, span in scheduler.preview(state, now).items()}
    reviews = [ReviewEntry(**r, question=row.question) for r in reversed(store.reviews(deck=deck, card=card))]
    return CardDetail(row, in_file.answer_text if in_file is not None else "", intervals, reviews)


# -- quiz scores ----------------------------------------------------------------------------------


TREND = 10  # the last this many scores make a deck's trend


def quizzes(store: Store, since: datetime | None = None) -> list[QuizRecord]:
    """Every quiz ended at or after `since`, newest first."""
    return [QuizRecord.from_dict(json.loads(data)) for _, _, data in queries.quiz_records(store, since)]


@dataclass(frozen=True)
class DeckScore:
    """One deck's part of one quiz."""

    quiz: str
    ended: datetime
    counts: QuizScore

    def to_dict(self) -> dict:
        return {"quiz": self.quiz, "ended": iso(self.ended), "score": _round(self.counts.score),
                **self.counts.to_dict()}


@dataclass(frozen=True)
class DeckScores:
    """A deck's quiz scores: each quiz that asked a question of it counts its questions from the deck."""

    deck: str
    scores: list[float]  # oldest first

    def to_dict(self) -> dict:
        return {"deck": self.deck, "quizzes": len(self.scores), "last": _round(self.scores[-1]),
                "best": _round(max(self.scores)), "average": _round(sum(self.scores) / len(self.scores)),
                "trend": [_round(score) for score in self.scores[-TREND:]]}


@dataclass(frozen=True)
class ScoreHistory:
    quizzes: list[QuizRecord]  # newest first
    decks: list[DeckScores]

    def to_dict(self) -> dict:
        return {"quizzes": [quiz_dict(q) for q in self.quizzes], "decks": [d.to_dict() for d in self.decks]}


def quiz_dict(record: QuizRecord) -> dict:
    """A quiz as `scores --json` gives it: its record and the time it took."""
    return {**record.to_dict(), "time_ms": int((record.ended - record.started).total_seconds() * 1000)}


def score_history(store: Store, *, decks: Sequence[str] = (), since: datetime | None = None) -> ScoreHistory:
    """The quizzes that asked a question of `decks` (of any deck when none), newest first, and each deck's
    scores."""
    wanted = set(decks)
    found = [q for q in quizzes(store, since) if not wanted or wanted & set(q.by_deck)]
    per_deck: dict[str, list[float]] = {}
    for record in reversed(found):
        for deck, counts in record.by_deck.items():
            if counts.asked and (not wanted or deck in wanted):
                per_deck.setdefault(deck, []).append(counts.score)
    return ScoreHistory(found, [DeckScores(deck, scores) for deck, scores in sorted(per_deck.items())])
