"""Rich renderables for `history`, `stats`, `cards` and `card`: tables, bars and the review calendar.

Every renderable fits the width it is given. Shades and bars are characters, so they read the same
without colour (NO_COLOR, pipes); colour only adds to them. Deck and user text is always literal.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from quizzer.stats import (
    CardDetail, CardRow, DayCount, DeckStats, HardCard, Rate, ReviewEntry, ReviewHistory, SessionHistory, Stats,
)
from quizzer.model import plural
from quizzer.ui.screens import Fitted, compact_table
from quizzer.ui.text import cells, literal, local_time, short_duration, spent

SHADES = "·░▒▓█"  # no answers, then four steps up to the busiest day
SHADE_STYLES = ("grey42", "green4", "green3", "green1", "bold green1")
EIGHTHS = " ▏▎▍▌▋▊▉█"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
EMPTY_HISTORY = "No answers yet. Run `quizzer study` to start."


# -- small formats --------------------------------------------------------------------------------


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def rate(value: Rate) -> str:
    """`85% of 20`, or – when there is nothing to count."""
    return "–" if not value.total else f"{percent(value.value)} of {value.total}"




def _titled(title: str, body: RenderableType) -> Group:
    """A section: its title on a line of its own (a table title would wrap to the table's width); a table
    fitted to the screen."""
    return Group(Text(title, style="bold"), Fitted(body) if isinstance(body, Table) else body, Text())


def _numbers(table: Table, *names: str) -> None:
    for name in names:
        table.add_column(name, justify="right", no_wrap=True)


# -- history --------------------------------------------------------------------------------------


def session_table(history: SessionHistory) -> RenderableType:
    table = compact_table()
    table.add_column("when", no_wrap=True)
    table.add_column("time", justify="right", no_wrap=True)
    table.add_column("decks", overflow="fold")
    _numbers(table, "cards", "new", "reviews", "right", "wrong", "accuracy")
    for number, row in enumerate(history.rows, 1):
        table.add_row(
            local_time(row.started_at), spent(row.answering_ms),
            Text(("quiz: " if row.quiz else "") + literal(" ".join(row.decks))),
            *cells(row.cards, row.new, row.reviews, row.right, row.wrong, percent(row.accuracy)),
            end_section=number == len(history.rows),
        )
    total = history.total
    table.add_row(
        Text("total", style="bold"), spent(total.answering_ms), plural(total.sessions, "session"),
        *cells(total.cards, total.new, total.reviews, total.right, total.wrong, percent(total.accuracy)),
    )
    shown = len(history.rows)
    more = f"{shown} of {total.sessions} sessions shown; --limit N shows more." if shown < total.sessions else ""
    return Group(_titled("Sessions, newest first (time: spent answering)", table), Text(more))


def review_table(history: ReviewHistory) -> RenderableType:
    table = compact_table(leading=1)
    table.add_column("when", no_wrap=True)
    table.add_column("card, question → response", overflow="fold")
    table.add_column("verdict", no_wrap=True)
    table.add_column("rating", justify="right", no_wrap=True)
    table.add_column("next due", justify="right", no_wrap=True)
    for row in history.rows:
        answered = datetime.fromisoformat(row.reviewed_at)
        what = _card_and_question(row.deck, row.card, row.question)
        what.append("\n→ " + literal(row.response or "–"), style="not dim")
        table.add_row(local_time(answered), what, *cells(_verdict(row), row.rating),
                      "in " + short_duration(datetime.fromisoformat(row.next_due) - answered))
    shown = len(history.rows)
    more = f"{shown} of {history.total} answers shown; --limit N shows more." if shown < history.total else ""
    return Group(_titled("Answers, newest first", table), Text(more))


def _verdict(review: ReviewEntry) -> str:
    """An answer's verdict, marked when voided or given in a quiz."""
    verdict = f"voided ({review.verdict})" if review.voided else review.verdict
    return f"quiz: {verdict}" if review.kind == "quiz" else verdict


# -- stats ----------------------------------------------------------------------------------------


def stats_view(stats: Stats, width: int) -> RenderableType:
    """The whole `quizzer stats` screen for a console `width` columns wide."""
    scope = f"cards tagged {stats.tag}" if stats.tag else "all decks" if len(stats.decks) != 1 else stats.decks[0].deck
    moment = stats.now.astimezone()
    heading = Text.assemble(
        ("Statistics", "bold"), f" · {literal(scope)} · {moment:%a %d %b %Y %H:%M} · ",
        (f"days start at {stats.day_starts_at:02d}:00", "dim"),
    )
    parts: list[RenderableType] = [
        heading, Text(), card_counts(stats.decks, stats.total),
        rate_table("Accuracy: right answers of all answers", stats.decks, stats.total, "accuracy"),
        rate_table("True retention: first answer of the day to cards in review, Again fails",
                   stats.decks, stats.total, "true_retention"),
    ]
    if any(row.last_quiz for row in stats.decks):
        parts.append(last_quiz_table(stats.decks))
    if stats.tags:
        parts.append(mastery_table(stats))
    parts += [forecast_bars(stats.forecast, width), calendar_heatmap(stats.calendar), summary_line(stats), Text()]
    parts.append(hard_card_table("Hardest cards (most lapses, then least likely recalled now)", stats.hardest)
                 if stats.hardest else Text("Hardest cards: none has lapsed yet."))
    parts.append(hard_card_table(f"Leeches ({len(stats.leeches)}: 8 or more lapses)", stats.leeches)
                 if stats.leeches else Text("Leeches (8 or more lapses): none."))
    return Group(*parts)


def _deck_label(row: DeckStats) -> Text:
    if row.deck == "total":
        return Text("total", style="bold")
    return Text(literal(row.deck) + ("" if row.installed else " (deck file gone)"))


def card_counts(rows: list[DeckStats], total: DeckStats) -> Group:
    table = compact_table()
    table.add_column("deck", overflow="fold")
    _numbers(table, "cards", "new", "learning", "young", "mature", "due today", "suspended")
    for number, row in enumerate([*rows, total], 1):
        table.add_row(_deck_label(row), *cells(row.cards, row.new, row.learning, row.young, row.mature,
                                               row.due_today, row.suspended), end_section=number == len(rows))
    return _titled("Cards by state (young: interval under 21 days; mature: 21 days or more)", table)


def rate_table(title: str, rows: list[DeckStats], total: DeckStats, field: str) -> Group:
    table = compact_table()
    table.add_column("deck", overflow="fold")
    _numbers(table, "today", "7 days", "30 days")
    for number, row in enumerate([*rows, total], 1):
        rates = getattr(row, field)
        table.add_row(_deck_label(row), *(rate(rates[p]) for p in ("today", "7d", "30d")),
                      end_section=number == len(rows))
    return _titled(title, table)


def last_quiz_table(rows: list[DeckStats]) -> Group:
    table = compact_table()
    table.add_column("deck", overflow="fold")
    table.add_column("when", no_wrap=True)
    _numbers(table, "score", "questions")
    for row in rows:
        if row.last_quiz:
            counts = row.last_quiz.counts
            table.add_row(_deck_label(row), local_time(row.last_quiz.ended), *cells(percent(counts.score), counts.asked))
    return _titled("Last quiz score (`quizzer scores` lists every quiz)", table)


def mastery_table(stats: Stats) -> Group:
    table = compact_table()
    table.add_column("tag", overflow="fold")
    _numbers(table, "cards", "studied", "mature", "mature %", "recall now")
    for tag in stats.tags:
        table.add_row(*cells(tag.tag, tag.cards, tag.studied, tag.mature, percent(tag.mature / tag.cards),
                             percent(tag.retrievability)))
    return _titled("Mastery by tag (recall now: average chance of recall of the studied cards)", table)


def bar(value: float, largest: float, width: int) -> str:
    """A horizontal bar `width` characters at most, in eighths of a character."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / largest * width * 8))
    return "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")


def forecast_bars(days: list[DayCount], width: int) -> RenderableType:
    largest = max((d.count for d in days), default=0)
    label_width, number_width = len("Mon 01 Jan "), len(str(largest)) + 1
    bar_width = max(10, min(60, width - label_width - number_width - 2))
    lines = []
    for index, day in enumerate(days):
        label = "today     " if index == 0 else f"{day.day:%a %d %b}"
        lines.append(Text.assemble(f"{label} ", (bar(day.count, largest, bar_width), "cyan"), f" {day.count}"))
    return _titled(f"Due in the next {len(days)} days (today includes overdue cards)", Group(*lines))


def calendar_heatmap(days: list[DayCount]) -> RenderableType:
    """Weeks as columns (Monday on top), one shaded cell per day, like a contribution graph."""
    if not days:
        return Text()
    largest = max(d.count for d in days)
    first_monday = days[0].day - timedelta(days=days[0].day.weekday())
    weeks = (days[-1].day - first_monday).days // 7 + 1
    by_day = {d.day: d.count for d in days}
    mondays = [first_monday + timedelta(weeks=week) for week in range(weeks)]
    rows = [_month_labels(mondays)]
    for weekday in range(7):
        line = Text(f"{WEEKDAYS[weekday]} ")
        for week in range(weeks):
            day = first_monday + timedelta(weeks=week, days=weekday)
            if day not in by_day:
                line.append("  ")
                continue
            level = _level(by_day[day], largest)
            line.append(SHADES[level], SHADE_STYLES[level])
            line.append(" ")
        rows.append(line)
    legend = Text("less ")
    for level, shade in enumerate(SHADES):
        legend.append(shade, SHADE_STYLES[level])
        legend.append(" ")
    legend.append(f"more (busiest day: {plural(largest, 'answer')})")
    rows.append(legend)
    return _titled(f"Review calendar, last {weeks} weeks", Group(*rows))


def _month_labels(mondays: list[date]) -> Text:
    """Month names above the week where each month starts; each label takes three of a week's two columns."""
    line = [" "] * (2 * len(mondays) + 1)
    for week, monday in enumerate(mondays):
        starts_month = week == 0 or monday.month != mondays[week - 1].month
        crowded = week + 1 < len(mondays) and mondays[week + 1].month != monday.month
        if starts_month and not crowded:
            line[2 * week:2 * week + 3] = f"{monday:%b}"
    return Text("    " + "".join(line).rstrip(), style="dim")


def _level(count: int, largest: int) -> int:
    """0 for no answers, else 1-4 by quarter of the busiest day."""
    if count <= 0 or largest <= 0:
        return 0
    return min(4, 1 + (4 * count - 1) // largest)


def summary_line(stats: Stats) -> Text:
    return Text(
        f"Streak: {plural(stats.streak, 'day')} (longest {stats.longest_streak}) · studied on "
        f"{plural(stats.study_days, 'day')} · {plural(stats.answers, 'answer')} · {spent(stats.time_ms)} answering"
    )


def hard_card_table(title: str, cards_: list[HardCard]) -> Group:
    table = compact_table(leading=1)
    table.add_column("card", overflow="fold")
    _numbers(table, "lapses", "recall now")
    table.add_column("due", no_wrap=True)
    for card in cards_:
        table.add_row(_card_and_question(card.deck, card.card, card.question),
                      *cells(card.lapses, percent(card.retrievability)), local_time(card.due))
    return _titled(title, table)


# -- cards ----------------------------------------------------------------------------------------


def cards_table(rows: list[CardRow]) -> Fitted:
    table = compact_table(leading=1)
    table.caption = "stab.: stability in days · recall: chance of recall now · revs: answers · last: last verdict"
    table.caption_justify = "left"
    table.add_column("card and question", overflow="fold")
    table.add_column("state, due", no_wrap=True)
    _numbers(table, "stab.", "recall", "revs", "lapses")
    table.add_column("last", no_wrap=True)
    for row in rows:
        table.add_row(
            _card_and_question(row.deck, row.card, row.question),
            Text(_state_shown(row) + (f"\n{row.due.astimezone():%Y-%m-%d}" if row.due else "")),
            _days(row.stability), percent(row.retrievability), str(row.reviews), str(row.lapses),
            *cells(row.last_verdict or "–"),
        )
    return Fitted(table)


def _state_shown(row: CardRow) -> str:
    return f"{row.state}, suspended" if row.suspended else row.state


def _card_and_question(deck: str, card: str, question: str) -> Text:
    text = Text(literal(f"{deck}/{card}"), style="dim")
    text.append("\n" + literal(question or "(no longer in a deck file)"), style="not dim")
    return text


def _days(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}d"


def card_view(detail: CardDetail) -> RenderableType:
    row = detail.row
    facts = Table(show_header=False, box=None, pad_edge=False)
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(overflow="fold")
    for label, value in (
        ("question", row.question or "(no longer in a deck file)"),
        ("answer", detail.answer or "–"), ("state", row.state),
        ("due", local_time(row.due) if row.due else "–"), ("stability", _days(row.stability)),
        ("difficulty", "–" if row.difficulty is None else f"{row.difficulty:.2f}"),
        ("recall now", percent(row.retrievability)), ("reviews", str(row.reviews)), ("lapses", str(row.lapses)),
    ):
        facts.add_row(label, Text(literal(value)))
    intervals = "   ".join(f"{name} {short_duration(timedelta(seconds=seconds))}"
                           for name, seconds in detail.intervals.items())
    # The card's DECK/CARD heads the screen on a line of its own: beside the labels it would not fit 60 columns.
    parts: list[RenderableType] = [Text(literal(f"{row.deck}/{row.card}"), style="bold"), facts, Text(),
                                   Text.assemble(("Answered now: ", "bold"), intervals), Text()]
    if detail.reviews:
        history = compact_table()
        history.add_column("when", no_wrap=True)
        history.add_column("phase", no_wrap=True)
        history.add_column("response", overflow="fold")
        history.add_column("verdict", no_wrap=True)
        _numbers(history, "rating", "time")
        history.add_column("next due", no_wrap=True)
        for review in detail.reviews:
            history.add_row(local_time(review.reviewed_at), *cells(review.phase, review.response, _verdict(review),
                                                                   review.rating),
                            spent(review.duration_ms), local_time(review.next_due))
        parts.append(_titled(f"History: {plural(len(detail.reviews), 'answer')}, oldest first", history))
    else:
        parts.append(Text("Not studied yet."))
    return Group(*parts)

