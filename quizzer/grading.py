"""Judge a learner's response to a card the way a fair teacher marks a short-answer test.

Tolerant of form (case, accents, punctuation, articles, how a range or a date is written), strict on
facts (numbers are exact, another card's answer never passes as a slip). One entry point, `judge`;
`normalise` is public for other comparisons. The numbered rules are issue 4's (1 to 9) and issue 13's
(10 to 15, phrasings a fair teacher accepts), explained for users in docs/grading.md.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Sequence
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from rapidfuzz.distance import DamerauLevenshtein

from quizzer.cardtypes import CARD_TYPES, Judged
from quizzer.model import Card, Mark, Outcome, Verdict

_RIGHT = "matches the answer"
_ALTERNATIVE = "accepted alternative"
_NO_ANSWER = Verdict(Outcome.WRONG, "no answer")

# --- Rule 1: form is free ------------------------------------------------------------------------

_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63"
_UNIFY = str.maketrans({
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032`", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys(_DASHES, " "),  # Al-Qaeda = Al Qaeda
})
_STRAY_DOT = re.compile(r"(?<!\d)\.|\.(?!\d)")  # U.S. = US and Mar. = Mar, but 2.5 keeps its point
_EDGE = ".,;:!?¡¿'\"()[]{}"  # sentence punctuation, ignored where it ends a word
_ARTICLES = frozenset({"the", "a", "an"})


def normalise(text: str) -> str:
    """Fold away how an answer is written: case, accents, quotes, dashes, spacing, end punctuation,
    articles. Idempotent: normalise(normalise(t)) == normalise(t)."""
    if text.isascii():
        text = text.lower()  # the common case, and all the Unicode steps below would do
    else:
        text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
        text = unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c)))
    text = _STRAY_DOT.sub("", text.translate(_UNIFY))
    words = [w for w in (w.strip(_EDGE) for w in text.split()) if w]
    # An answer made only of articles ("The The") keeps them rather than vanishing.
    return " ".join([w for w in words if w not in _ARTICLES] or words)


# --- Rules 3 and 4: numbers and ranges -------------------------------------------------------------

_NUMBER_WORDS = {word: str(n) for n, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?")  # 1,000 is one number
_DASH = f"[{re.escape(_DASHES)}]"
_NOT_IN_A_NUMBER_BEFORE = rf"(?<![\w/{re.escape(_DASHES)}])(?<!\d[.,])"
_NOT_IN_A_NUMBER_AFTER = rf"(?![\w/]|[.,]\d|{_DASH}\d)"  # nor part of an ISO date like 2012-03-22
_RANGE = re.compile(
    rf"(?:\bfrom\s+)?{_NOT_IN_A_NUMBER_BEFORE}(\d{{1,9}})"
    rf"(?:\s*{_DASH}\s*|\s+(?:to|until|till|through)\s+)(\d{{1,9}}){_NOT_IN_A_NUMBER_AFTER}"
    rf"|\bbetween\s+{_NOT_IN_A_NUMBER_BEFORE}(\d{{1,9}})\s+and\s+(\d{{1,9}}){_NOT_IN_A_NUMBER_AFTER}",
    re.IGNORECASE,
)


def _range(match: re.Match[str]) -> str:
    """Write a range one way: `1990-95`, `from 1990 to 1995` and `1990 – 1995` become `1990 to 1995`."""
    start, end = (match[1], match[2]) if match[1] else (match[3], match[4])
    end = start[: len(start) - len(end)] + end  # 1990-95: the end borrows the start's century
    # Anything that does not run forwards (a score like 2-1, or 2012-03) is not a range.
    return f"{start} to {end}" if int(end) > int(start) else match[0]


def _number(match: re.Match[str]) -> str:
    text = match[0].replace(",", "")
    return text if "." in text else text.lstrip("0") or "0"


class _Form(NamedTuple):
    key: str  # the normalised text, with number words as digits and ranges written one way
    numbers: tuple[str, ...]


def _analyse(text: str) -> _Form:
    words = normalise(_RANGE.sub(_range, text)).split()
    key = _NUMBER.sub(_number, " ".join(_NUMBER_WORDS.get(w, w) for w in words))
    return _Form(key, tuple(_NUMBER.findall(key)))


# The card side is judged again and again (answers, alternatives, neighbours): analyse each once.
_expected = lru_cache(maxsize=8192)(_analyse)


@lru_cache(maxsize=8192)
def _shape(key: str) -> str:
    """The key with each number as `#`: what is left to compare when only numbers differ."""
    return _NUMBER.sub("#", key)


def _differing_numbers(said: _Form, meant: _Form) -> str:
    changed = set(said.numbers) ^ set(meant.numbers)
    years = any(len(n) == 4 and n.isdigit() and 1000 <= int(n) <= 2100 for n in changed)
    return "year differs" if years else "number differs"


# --- Rule 5: dates ------------------------------------------------------------------------------------

_MONTHS = {name: n for n, names in enumerate((
    ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
    ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
    ("october", "oct"), ("november", "nov"), ("december", "dec"),
), 1) for name in names}
# Matched against normalised text, where 2012-03-22 reads "2012 03 22" and commas and dots are gone.
_ISO = re.compile(r"(\d{4})[ /.](\d{1,2})(?:[ /.](\d{1,2}))?")
_DAY_MONTH = re.compile(r"(\d{1,2})(?:st|nd|rd|th)? (?:of )?([a-z]+)(?: (\d{4}))?")
_MONTH_DAY = re.compile(r"([a-z]+) (\d{1,2})(?:st|nd|rd|th)?(?: (\d{4}))?")
_MONTH_YEAR = re.compile(r"([a-z]+)(?: (?:of )?(\d{4}))?")
_NUMERIC = re.compile(r"(\d{1,2})([/. ])(\d{1,2})\2(\d{4})")
_NUMERIC_MONTH = re.compile(r"(\d{1,2})[/. ](\d{4})")
_YEAR = re.compile(r"\d{4}")

_Date = tuple[int, int, int]  # year, month, day; 0 where not given


def _read_date(text: str) -> tuple[_Date, ...]:
    """Every valid date `text` can be read as: none, one, or two for an ambiguous numeric date."""
    if m := _ISO.fullmatch(text):
        readings = [(int(m[1]), int(m[2]), int(m[3] or 0))]
    elif m := _DAY_MONTH.fullmatch(text):
        readings = [(int(m[3] or 0), _MONTHS.get(m[2]), int(m[1]))]
    elif m := _MONTH_DAY.fullmatch(text):
        readings = [(int(m[3] or 0), _MONTHS.get(m[1]), int(m[2]))]
    elif m := _MONTH_YEAR.fullmatch(text):
        readings = [(int(m[2] or 0), _MONTHS.get(m[1]), 0)]
    elif m := _NUMERIC.fullmatch(text):
        first, second, year = int(m[1]), int(m[3]), int(m[4])
        readings = [(year, second, first), (year, first, second)]  # day first, then month first
    elif m := _NUMERIC_MONTH.fullmatch(text):
        readings = [(int(m[2]), int(m[1]), 0)]
    elif _YEAR.fullmatch(text):
        readings = [(int(text), 0, 0)]
    else:
        return ()
    return tuple(dict.fromkeys(r for r in readings if _valid(r)))


def _valid(reading: tuple[int, int | None, int]) -> bool:
    year, month, day = reading
    if month is None:  # a word that is not a month
        return False
    if not month:
        return bool(year) and not day  # a bare year
    try:
        date(year or 2000, month, day or 1)  # 2000 is a leap year, so 29 February passes
    except ValueError:
        return False
    return True


@lru_cache(maxsize=8192)
def _date_of(answer: str) -> _Date | None:
    """The date an answer states, if it is exactly one date naming at least the month."""
    readings = _read_date(normalise(answer))
    return readings[0] if len(readings) == 1 and readings[0][1] else None


def _date_difference(said: _Date, meant: _Date, meant_text: str) -> str:
    """Why `said` is not the date `meant`, or "" when it is."""
    for part, s, m in zip(("year", "month", "day"), said, meant):
        if s and m and s != m:
            return f"{part} differs"
    if said == meant:
        return ""
    if any(s and not m for s, m in zip(said, meant)):
        return f"more precise than the answer, {meant_text}"  # the extra part cannot be checked
    year, month, _ = said
    if not year:
        return "needs the year"
    if not month:
        return "needs the day and month, not only the year" if meant[2] else "needs the month, not only the year"
    return "needs the day, not only the month"


# --- Rules 6 and 7: slips and neighbours --------------------------------------------------------------


def _slip_limit(key: str) -> int:
    return 0 if len(key) <= 3 else 1 if len(key) <= 8 else 2


# Edit distance takes time in the product of the lengths. Nobody types a slip into an answer of
# hundreds of characters, so past this length only the exact (normalised) answer counts: a 1 MB
# response against a 1 MB answer costs a comparison, not 10^12 steps.
_SLIP_MAX_LENGTH = 200


def _slip_distance(said: str, meant: str, limit: int) -> int:
    """The Damerau-Levenshtein distance between two keys if it is at most `limit`, else more than `limit`."""
    if abs(len(said) - len(meant)) > limit or max(len(said), len(meant)) > _SLIP_MAX_LENGTH:
        return limit + 1  # a length difference is a lower bound on the distance
    return DamerauLevenshtein.distance(said, meant, score_cutoff=limit)


_NEGATING_PREFIXES = frozenset({"un", "in", "im", "il", "ir"})


def _negates(said: str, meant: str) -> bool:
    """Whether the slip is a negating prefix (`constitutional` for `unconstitutional`): a new fact."""
    said_words, meant_words = said.split(), meant.split()
    if len(said_words) != len(meant_words):
        return False
    for s, m in zip(said_words, meant_words):
        short, long = sorted((s, m), key=len)
        if s != m and long[2:] == short and long[:2] in _NEGATING_PREFIXES:
            return True
    return False


def _rival(said: str, distance: int, own: set[str], others: Collection[str]) -> str | None:
    """Another answer at least as near to the response as this card's, if there is one (rule 7)."""
    for other in others:
        key = _expected(other).key
        if key not in own and _slip_distance(said, key, distance) <= distance:
            return other
    return None


def _typo(typed: str, meant: str) -> str:
    """`typo: Kieta → Keïta`, naming only the words that differ when the words line up."""
    typed_words, meant_words = typed.split(), meant.split()
    pairs = [
        (t.strip(_EDGE), m.strip(_EDGE)) for t, m in zip(typed_words, meant_words) if normalise(t) != normalise(m)
    ] if len(typed_words) == len(meant_words) else []
    return "typo: " + (", ".join(f"{t} → {m}" for t, m in pairs) or f"{typed.strip()} → {meant}")


# --- Rules 10 to 15: phrasings a fair teacher accepts ------------------------------------------------
# Each rule takes words away from (or rewrites) the response, never from the facts: what is left must
# be exactly an expected answer, so a different number or name stays wrong. All work on word lists, in
# time linear in the response.

# Rule 15: institutional abbreviations, read the same on both sides (normalise has taken the dots away).
_ABBREVIATIONS = {
    "dept": "department", "govt": "government", "gen": "general", "capt": "captain", "col": "colonel",
    "lt": "lieutenant", "maj": "major", "pres": "president", "us": "united states", "usa": "united states",
}
# Rule 11: titles and ranks before a name.
_TITLES = frozenset({"president", "general", "captain", "colonel", "lieutenant", "major", "commander"})
# Rule 13: approximation words, and what may follow one: a number or a unit of time.
_APPROXIMATIONS = frozenset({"about", "around", "nearly", "almost", "roughly", "some", "approximately"})
_UNITS = frozenset({"day", "days", "week", "weeks", "month", "months", "year", "years", "decade", "decades"})
# Rule 10: nouns that name the kind of answer, free before or after it (`the Sahara desert`).
_HEAD_NOUNS = frozenset({
    "region", "regions", "area", "desert", "country", "nation", "province", "territory", "city", "town",
    "river", "people", "peoples", "tribe", "army", "movement", "group", "groups", "organisation",
    "organization", "year", "years", "takeaway", "takeaways", "rebellion", "rebellions",
})
# Rule 10 also frees the question's own noun: `Which rank did…`, `How many rebellions had…`.
_ASKING = frozenset({"which", "what", "whose", "many"})
_AUXILIARIES = frozenset({"is", "was", "were", "are", "did", "does", "do", "had", "has", "have"})
_NOT_NOUNS = frozenset({"of", "in", "on", "for", "to", "by", "at", "and", "or", "not", "no", "it", "they", "this"})
# Rule 12: whose army or regime. A demonym stands for its country only before one of these nouns.
_OWNED = frozenset({"army", "regime", "government", "forces", "military", "troops"})
_DEMONYMS = {
    "libyan": "libya", "malian": "mali", "algerian": "algeria", "nigerien": "niger", "nigerian": "nigeria",
    "mauritanian": "mauritania", "chadian": "chad", "french": "france", "american": "united states",
}


class _Fair(NamedTuple):
    """What a card allows beyond its answers, worked out from its question and answers (once: cached)."""
    heads: frozenset[str]  # the generic head nouns and the question's own noun
    owned: frozenset[str]  # the nouns of `_OWNED` that the question asks about
    titles: frozenset[str] | None  # the titles the card's answers name, or None where they name none
    approximate: bool  # an approximation word stands before a quantity in the answer or an alternative


# List items and cloze blanks have no question of their own: only the rules that need none apply.
_GENERIC = _Fair(_HEAD_NOUNS, frozenset(), None, False)


def _generic() -> _Fair:
    return _GENERIC


@lru_cache(maxsize=1024)
def _fair_rules(question: str, expected: tuple[str, ...]) -> _Fair:
    words = normalise(question).split()
    owned = _OWNED & {w.removesuffix("'s") for w in words}
    named = [_expanded(_expected(e).key.split()) for e in expected]
    titles = frozenset(w for key in named for w in key if w in _TITLES)
    approximate = any(_unapproximated(key) != key for key in named)
    return _Fair(_HEAD_NOUNS | _asked_nouns(question), owned, titles or None, approximate)


def _asked_nouns(question: str) -> set[str]:
    """The question's own noun: the word just before its verb, when at most three words separate that
    verb from which, what, whose or how many (`Which rank did…` → rank). Only a word written in lower
    case: a name in the question (`Which, MNLA or Dine, was…`) is another answer, not a noun."""
    words = normalise(question).split()
    lower = set(normalise(" ".join(w for w in question.split() if w.islower())).split())
    nouns = set()
    for i, word in enumerate(words):
        verb = next((j for j in range(i + 1, min(i + 5, len(words))) if words[j] in _AUXILIARIES), None)
        if word in _ASKING and verb and verb > i + 1:
            noun = words[verb - 1]
            if noun in lower and noun not in _NOT_NOUNS and noun not in _NUMBER_WORDS:
                nouns.add(noun)
    return nouns


def _expanded(words: list[str]) -> list[str]:
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words).split()


def _unapproximated(words: list[str]) -> list[str]:
    return [w for i, w in enumerate(words) if not (
        w in _APPROXIMATIONS and i + 1 < len(words) and (words[i + 1][0].isdigit() or words[i + 1] in _UNITS))]


def _untitled(words: list[str], fair: _Fair) -> list[str]:
    """`Captain Amadou Sanogo` → `amadou sanogo`: the name must still be the right one."""
    start = 0
    while start < len(words) - 1 and words[start] in _TITLES:
        start += 1
    # Where the card names a rank, another rank is a wrong fact (`General Sanogo` for a captain).
    if fair.titles is not None and not set(words[:start]) <= fair.titles:
        return words
    return words[start:]


def _unowned(words: list[str], fair: _Fair) -> list[str]:
    """`Libya's army`, `the Libyan army`, `army of Libya` → `libya`, where the question asks about an army."""
    if len(words) >= 2 and words[-1] in fair.owned:
        *name, last = words[:-1]
        if last.endswith("'s"):
            return [*name, last.removesuffix("'s")]
        if not name and last in _DEMONYMS:
            return _DEMONYMS[last].split()
    if len(words) >= 3 and words[0] in fair.owned and words[1] == "of":
        return words[2:]
    return words


def _unwrappings(words: list[str], fair: _Fair) -> list[list[str]]:
    """The answer without up to two head nouns before (`region of Azawad`, `year 2012`) and after
    (`Tuareg people`) it: each way of taking them, fewest first, since an answer may end in one itself."""
    ends = [len(words)]
    while len(ends) < 3 and ends[-1] > 1 and words[ends[-1] - 1] in fair.heads:
        ends.append(ends[-1] - 1)
    starts = [0]
    while len(starts) < 3 and starts[-1] < len(words) - 1 and words[starts[-1]] in fair.heads:
        starts.append(starts[-1] + 1)
    starts += [s + 1 for s in starts[1:] if words[s] == "of"]
    return [words[s:e] for s in starts for e in ends if s < e and (s, e) != (0, len(words))]


def _swapped(meant: list[str]) -> list[str] | None:
    """`B and A` for an answer `A and B` with one `and`, or None."""
    if meant.count("and") != 1:
        return None
    i = meant.index("and")
    return [*meant[i + 1:], "and", *meant[:i]] if 0 < i < len(meant) - 1 else None


# Each step and the words its reason gives, applied in turn; a step that changes nothing adds no reason.
_STEPS = (
    ("an abbreviation", lambda words, fair: _expanded(words)),
    ("an approximation word", lambda words, fair: _unapproximated(words) if fair.approximate else words),
    ("a title", _untitled),
    ("a possessive", _unowned),
)


@lru_cache(maxsize=8192)
def _targets(keys: tuple[str, ...], approximate: bool) -> tuple[tuple[list[str], int, list[str]], ...]:
    """Each expected answer read the way fair phrasings are, with the rules that took it there (lists,
    as the response's words are: shared by the cache, so never changed)."""
    targets = []
    for i, key in enumerate(keys):
        expanded = _expanded(key.split())
        words = _unapproximated(expanded) if approximate else expanded
        rules = [name for name, changed in (("an abbreviation", expanded != key.split()),
                                            ("an approximation word", words != expanded)) if changed]
        targets.append((words, i, rules))
        if swapped := _swapped(words):
            targets.append((swapped, i, [*rules, "its parts swapped"]))
    return tuple(targets)


def _fair_verdict(said: _Form, meant: Sequence[_Form], fair: _Fair) -> Verdict | None:
    """The verdict once fair phrasings are taken away from the response, or None where none applies."""
    targets = _targets(tuple(form.key for form in meant), fair.approximate)
    words, used, tries = said.key.split(), [], []
    for name, step in _STEPS:
        changed = step(words, fair)
        if changed != words:
            words, used = changed, [*used, name]
        tries.append((words, used))
    tries += [(unwrapped, [*used, "its noun"]) for unwrapped in _unwrappings(words, fair)]
    differs = None
    for words, used in tries:
        key = " ".join(words)
        for target, i, rules in targets:
            if words == target:
                how = ", ".join(dict.fromkeys([*used, *rules]))
                return Verdict(Outcome.CORRECT, f"{_ALTERNATIVE if i else _RIGHT} with {how}")
            if used and differs is None and _shape(key) == _shape(" ".join(target)):
                # Wrapped the right way but with another number: say which kind of number is wrong.
                differs = Verdict(Outcome.WRONG, _differing_numbers(_analyse(key), meant[i]))
    return differs


# --- One typed answer: rules 1 to 7 and 10 to 15 -----------------------------------------------------


def _judge_text(
    typed: str, expected: Sequence[str], others: Collection[str], fair: Callable[[], _Fair] = _generic,
) -> Verdict:
    """Judge one typed answer; `expected[0]` is the card's answer, the rest accepted alternatives. `fair()`
    gives the fair-phrasing rules, worked out only for a response that matches none of `expected` outright."""
    # A response typed exactly as one of `expected` has that text's analysis, already cached (issue 14).
    said = _expected(typed) if typed in expected else _analyse(typed)
    return _match(said, typed, expected, others, fair) if said.key else _NO_ANSWER


def _match(
    said: _Form, typed: str, expected: Sequence[str], others: Collection[str], fair: Callable[[], _Fair] = _generic,
) -> Verdict:
    meant = [_expected(e) for e in expected]
    for i, form in enumerate(meant):
        if form.key == said.key:
            return Verdict(Outcome.CORRECT, _ALTERNATIVE if i else _RIGHT)

    dated = [(i, d) for i, e in enumerate(expected) if (d := _date_of(e))]
    if dated and (readings := _read_date(normalise(typed))):
        if len(readings) > 1:
            return Verdict(Outcome.WRONG, "ambiguous date: write the month as a word")
        differences = [(i, _date_difference(readings[0], d, expected[i])) for i, d in dated]
        for i, difference in differences:
            if not difference:
                return Verdict(Outcome.CORRECT, _ALTERNATIVE if i else _RIGHT)
        return Verdict(Outcome.WRONG, differences[0][1])

    # Rule 6: the nearest answer with exactly the same numbers, if it is within a slip.
    best: tuple[int, int] | None = None
    for i, form in enumerate(meant):
        if form.numbers == said.numbers:
            limit = _slip_limit(form.key)
            distance = _slip_distance(said.key, form.key, limit)
            if distance <= limit and (best is None or distance < best[0]):
                best = (distance, i)
    if best is not None:
        distance, i = best
        if _negates(said.key, meant[i].key):
            return Verdict(Outcome.WRONG, "opposite meaning")
        # `distance` is at least 1 here (an exact answer returned above), so the rival is always "nearer".
        if rival := _rival(said.key, distance, {f.key for f in meant}, others):
            return Verdict(Outcome.WRONG, f"nearer to another answer: {rival}")
        # A fair phrasing can lie within a slip (`B and A` for a similar `A and B`): it is right.
        if (verdict := _fair_verdict(said, meant, fair())) and verdict.is_right:
            return verdict
        return Verdict(Outcome.CLOSE, _typo(typed, expected[i]), slip=(typed.strip(), expected[i]))

    for other in others:
        if _expected(other).key == said.key:
            return Verdict(Outcome.WRONG, f"another answer: {other}")
    # Rules 10 to 15 (tried before a slip is called close, above).
    verdict = _fair_verdict(said, meant, fair())
    # A wrapped answer is no slip, but a response within a slip of another answer is still that answer.
    if verdict and verdict.is_right and (rival := _rival(said.key, _slip_limit(said.key), set(), others)):
        return Verdict(Outcome.WRONG, f"nearer to another answer: {rival}")
    if verdict:
        return verdict
    # A response that is the answer but for its numbers is told which kind of number is wrong.
    shape = _shape(said.key)
    for form in meant:
        limit = _slip_limit(form.key)
        if form.numbers != said.numbers and _slip_distance(shape, _shape(form.key), limit) <= limit:
            return Verdict(Outcome.WRONG, _differing_numbers(said, form))
    return Verdict(Outcome.WRONG, "does not match")


# --- Rule 8: lists -------------------------------------------------------------------------------------

# Commas (but not in 1,000), semicolons, `and`, `&`, `/` and new lines; "A, B, and C" has two.
# Spaces before a separator are taken only from the start of their run: tried again from each space
# of a long run, the pattern took quadratic time.
_LIST_SEPARATOR = re.compile(
    r"((?:(?<!\s)\s*)?(?:,(?!(?<=\d,)\d{3}(?!\d))\s*(?:and\b|&)?|[;\n&/]|\band\b)\s*)", re.IGNORECASE)


def _list_parts(text: str) -> list[str]:
    """Piece, separator, piece, …: `text` split at list separators."""
    return _LIST_SEPARATOR.split(text)


# Bounds on the work a list costs, far above any list a learner types: an item is rebuilt from at most
# this many pieces, and slips are looked for only while unmatched pieces × unmatched items × the answers
# each is weighed against stay under the budget (past it, each piece must name an item exactly).
# Without them a long list costs quadratic time or worse.
_MAX_JOINED = 8
_SLIP_WORK = 200_000
_MAX_RIVAL_BLANKS = 50


def _split_list(typed: str, items: Sequence[str]) -> list[str]:
    """The pieces of a typed list. Pieces are joined back where together they make an answer item
    that itself contains a separator (International Military Education and Training)."""
    parts = _list_parts(typed)
    count = len(parts) // 2 + 1
    sizes = {item: len(_list_parts(item)) // 2 + 1 for item in items}  # how many pieces each item spans
    joined = [_expected(item) for item in items if sizes[item] > 1]
    widest = min(_MAX_JOINED, max(sizes.values(), default=1))

    def piece(start: int, span: int) -> str:
        return "".join(parts[2 * start: 2 * (start + span) - 1])

    pieces, start = [], 0
    while start < count:
        span = next((
            span for span in range(min(widest, count - start), 1, -1)
            if any(_near(_analyse(piece(start, span)), form) for form in joined)
        ), 1)
        pieces.append(piece(start, span).strip())
        start += span
    return pieces


def _near(said: _Form, meant: _Form) -> bool:
    if said.numbers != meant.numbers:
        return False
    limit = _slip_limit(meant.key)
    return _slip_distance(said.key, meant.key, limit) <= limit


def _judge_list(typed: str, answer: tuple[str, ...], ordered: bool, others: Collection[str]) -> Verdict:
    found = [(p, form) for p in _split_list(typed, answer) if (form := _analyse(p)).key]
    if not found:
        return _NO_ANSWER
    pieces, forms = [p for p, _ in found], [form for _, form in found]
    owner: list[int | None] = [None] * len(pieces)  # the answer item each piece was matched to
    verdicts: list[Verdict | None] = [None] * len(pieces)
    free = dict.fromkeys(range(len(answer)))  # the items no piece has taken yet, in order
    unnamed: dict[str, list[int]] = {}  # free items by key, each list in order
    for j in free:
        unnamed.setdefault(_expected(answer[j]).key, []).append(j)
    # Exact matches first, so that a slip never takes an item another piece names exactly.
    for i, form in enumerate(forms):
        if unnamed.get(form.key):
            j = unnamed[form.key].pop(0)
            owner[i], verdicts[i] = j, Verdict(Outcome.CORRECT)
            del free[j]
    looking = owner.count(None) * len(free) * (1 + len(others) + len(answer)) <= _SLIP_WORK
    for i, form in enumerate(forms):
        for j in free if owner[i] is None and looking else ():
            # The list's other items are neighbours too: a slip must be nearest its own item.
            rivals = (*others, *answer[:j], *answer[j + 1:])
            verdict = _match(form, pieces[i], (answer[j],), rivals)
            if verdict.is_right:
                owner[i], verdicts[i] = j, verdict
                del free[j]
                break

    marks = [
        Mark(pieces[i], "extra") if j is None
        else Mark(answer[j], "close" if verdicts[i].outcome is Outcome.CLOSE else "found")
        for i, j in enumerate(owner)
    ] + [Mark(answer[j], "missing") for j in free]
    extra = [pieces[i] for i, j in enumerate(owner) if j is None]
    if free or extra:
        reasons = [f"{label}: {', '.join(texts)}" for label, texts in
                   (("missing", [answer[j] for j in free]), ("extra", extra)) if texts]
        return Verdict(Outcome.WRONG, "; ".join(reasons), tuple(marks))
    if ordered and owner != sorted(owner):
        marks = [Mark(answer[j], "wrong") if j != i else mark for i, (j, mark) in enumerate(zip(owner, marks))]
        return Verdict(Outcome.WRONG, "order differs", tuple(marks))
    slips = [v for v in verdicts if v.outcome is Outcome.CLOSE]
    if slips:
        reason = "typo: " + ", ".join(v.reason.removeprefix("typo: ") for v in slips)
        return Verdict(Outcome.CLOSE, reason, tuple(marks), slips[0].slip)
    return Verdict(Outcome.CORRECT, _RIGHT, tuple(marks))


_RANK = {Outcome.CORRECT: 0, Outcome.CLOSE: 1, Outcome.WRONG: 2}


def _judge_list_card(card: Card, typed: str, alternatives: Sequence[str], others: Collection[str]) -> Verdict:
    """A list answer, where each accepted alternative is a whole other list (`Gao, Kidal, Tombouctou`)."""
    verdict = _judge_list(typed, card.answer, card.ordered, others)
    for alternative in alternatives if verdict.outcome is not Outcome.CORRECT else ():
        items = tuple(p for p in _split_list(alternative, card.answer) if normalise(p))
        other = _judge_list(typed, items, card.ordered, others)
        if _RANK[other.outcome] < _RANK[verdict.outcome]:
            verdict = other if other.outcome is not Outcome.CORRECT else Verdict(
                Outcome.CORRECT, _ALTERNATIVE, other.marks)
    return verdict


# --- Rule 9: cloze --------------------------------------------------------------------------------------


def _judge_cloze(card: Card, typed: str, accepted: Sequence[str], others: Collection[str]) -> Verdict:
    parts = typed.split("|")
    count = len(card.blanks)
    if not any(normalise(p) for p in parts):
        return _NO_ANSWER
    if len(parts) != count:
        return Verdict(Outcome.WRONG, f"expected {count} answers separated by |")
    # A remembered response `a|b` gives each blank one more alternative.
    remembered = [a.split("|") for a in accepted]
    remembered = [r for r in remembered if len(r) == count]
    answers = [b.answer for b in card.blanks]
    # Each blank is weighed against every other answer, which costs blanks × answers: a cloze with more
    # blanks than anyone studies is judged blank by blank, without neighbours.
    rivals = count <= _MAX_RIVAL_BLANKS
    verdicts = [
        _judge_text(part, (blank.answer, *blank.accept, *(r[i] for r in remembered)),
                    (*others, *answers[:i], *answers[i + 1:]) if rivals else ())
        for i, (part, blank) in enumerate(zip(parts, card.blanks))
    ]
    marks = tuple(
        Mark(blank.answer, {Outcome.CORRECT: "found", Outcome.CLOSE: "close"}.get(
            v.outcome, "missing" if v is _NO_ANSWER else "wrong"))
        for blank, v in zip(card.blanks, verdicts)
    )
    worst = max(verdicts, key=lambda v: _RANK[v.outcome]).outcome
    if worst is Outcome.CORRECT:
        return Verdict(Outcome.CORRECT, _RIGHT, marks)
    reasons = [
        v.reason if count == 1 else f"blank {i}: {v.reason}"
        for i, v in enumerate(verdicts, 1) if v.outcome is not Outcome.CORRECT
    ]
    slip = next((v.slip for v in verdicts if v.slip), None)
    return Verdict(worst, "; ".join(reasons), marks, slip)


# --- The other kinds ---------------------------------------------------------------------------------------

_TRUE = frozenset({"true", "t", "yes", "y"})
_FALSE = frozenset({"false", "f", "no", "n"})


def _judge_truefalse(card: Card, typed: str) -> Verdict:
    said = normalise(typed)
    if not said:
        return _NO_ANSWER
    if said not in _TRUE and said not in _FALSE:
        return Verdict(Outcome.WRONG, "answer true or false")
    if (said in _TRUE) is card.answer:
        return Verdict(Outcome.CORRECT, _RIGHT)
    return Verdict(Outcome.WRONG, f"the statement is {card.answer_text}")


def _judge_order(card: Card, items: Sequence[str]) -> Verdict:
    if not items:
        return _NO_ANSWER
    if len(items) != len(card.answer):
        return Verdict(Outcome.WRONG, f"expected {len(card.answer)} items")
    in_place = [normalise(s) == normalise(a) for s, a in zip(items, card.answer)]
    marks = tuple(Mark(s, "found" if ok else "wrong") for s, ok in zip(items, in_place))
    return Verdict(Outcome.CORRECT, _RIGHT, marks) if all(in_place) else Verdict(Outcome.WRONG, "order differs", marks)


def judge(
    card: Card,
    response: str | Sequence[str],
    *,
    neighbours: Collection[str] = (),
    accepted: Sequence[str] = (),
) -> Verdict:
    """Judge `response` against `card`.

    `response` is the text typed (typed; cloze blanks separated by `|`), the option chosen
    (choice), true/false (truefalse) or the items in the order given (order).
    `neighbours` are other answers in the same deck that must never pass as slips, and `accepted`
    are extra alternatives the learner chose to accept for this card.
    """
    rule = CARD_TYPES[card.kind].judged
    if rule is Judged.SELF:
        raise ValueError(f"{card.kind.value} cards are rated by the learner, not judged")
    if rule is Judged.ORDER:
        if isinstance(response, str):
            raise TypeError("an order card's response is the sequence of items")
        return _judge_order(card, response)
    if not isinstance(response, str):
        raise TypeError(f"a {card.kind.value} card's response is a string")
    if rule is Judged.TRUTH:
        return _judge_truefalse(card, response)
    if rule is Judged.OPTION:
        said = normalise(response)
        if not said:
            return _NO_ANSWER
        right = said == normalise(str(card.answer))
        return Verdict(Outcome.CORRECT, _RIGHT) if right else Verdict(Outcome.WRONG, "a different option")
    others = (*card.reject, *neighbours) if card.reject else neighbours  # no copy of the deck's answers
    if rule is Judged.BLANKS:
        return _judge_cloze(card, response, accepted, others)
    alternatives = (*card.accept, *accepted)
    if isinstance(card.answer, tuple):
        return _judge_list_card(card, response, alternatives, others)
    expected = (card.answer, *alternatives)
    return _judge_text(response, expected, others, lambda: _fair_rules(card.question, expected))


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance between `a` and `b`, or `limit + 1` when it is larger (for name suggestions)."""
    return DamerauLevenshtein.distance(a, b, score_cutoff=limit)
