"""Deck and card names typed on the command line: typos get one line suggesting the nearest id and exit 2;
a whole-word prefix or suffix of exactly one id stands for it; a name of several ids is refused.

Add a case: one line in TYPOS or ACCEPTED. The built-in decks are the library (mali-2012-actors, -dates,
-legal, -places, -rebellions, -takeaways).
"""

import json

import pytest
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.cli.resolve import closest, word_matches

NOW = "2026-03-02T12:00:00+00:00"

TYPOS = [  # (command line, the one line of standard error): every one exits 2
    (["study", "mali-2012-date"], "no deck 'mali-2012-date'; did you mean 'mali-2012-dates'?"),
    (["study", "mali-2012-dates", "mali-2012-plces"], "no deck 'mali-2012-plces'; did you mean 'mali-2012-places'?"),
    (["decks", "show", "mali-2021-legal"], "no deck 'mali-2021-legal'; did you mean 'mali-2012-legal'?"),
    (["decks", "export", "mali-2012-actor"], "no deck 'mali-2012-actor'; did you mean 'mali-2012-actors'?"),
    (["card", "mali-2012-date/coup-date"], "no deck 'mali-2012-date'; did you mean 'mali-2012-dates'?"),
    (["card", "mali-2012-dates/coup-dat"], "no card 'coup-dat'; did you mean 'coup-date'?"),
    (["card", "dates/cuop-date"], "no card 'cuop-date'; did you mean 'coup-date'?"),
    (["cards", "mali-2012-rebelions"], "no deck 'mali-2012-rebelions'; did you mean 'mali-2012-rebellions'?"),
    (["stats", "mali-2012-takeaway"], "no deck 'mali-2012-takeaway'; did you mean 'mali-2012-takeaways'?"),
    (["history", "--deck", "mali-2012-date"], "no deck 'mali-2012-date'; did you mean 'mali-2012-dates'?"),
    (["study", "mali-2012"], "'mali-2012' could be 'mali-2012-actors', 'mali-2012-dates', 'mali-2012-legal', "
                             "'mali-2012-places', 'mali-2012-rebellions' or 'mali-2012-takeaways'; give the whole "
                             "deck id"),
    (["study", "zzz"], "no deck 'zzz'; known decks: mali-2012-actors, mali-2012-dates, mali-2012-legal, "
                       "mali-2012-places, mali-2012-rebellions, mali-2012-takeaways"),
    (["card", "legal/section-7008"], "'section-7008' could be 'section-7008-act', 'section-7008-certainty', "
                                     "'section-7008-humanitarian', 'section-7008-trigger' or 'section-7008-wording'; "
                                     "give the whole card id"),
    (["card", "mali-2012-dates/zzz"], "no card 'zzz'; `quizzer cards mali-2012-dates` lists them"),
    (["decks", "remove", "mali-2012-dates"], "'mali-2012-dates' is a built-in deck; it cannot be removed"),
    (["decks", "remove", "dates", "--yes"], "no deck 'dates'; known decks: none"),  # built-ins are not yours
]

ACCEPTED = [  # (command line, what shows the name was taken for its deck or card)
    (["cards", "dates", "--json", "--now", NOW], "mali-2012-dates/coup-date"),
    (["card", "dates/coup-date", "--json", "--now", NOW], "mali-2012-dates/coup-date"),
    (["card", "mali-2012-dates/independence", "--json", "--now", NOW], "mali-2012-dates/independence-year"),
    (["card", "legal/certainty", "--json", "--now", NOW], "mali-2012-legal/section-7008-certainty"),
    (["decks", "show", "places", "--json"], '"id": "azawad-regions"'),
    (["decks", "export", "takeaways"], "id: mali-2012-takeaways"),
]


@pytest.mark.parametrize("args, line", TYPOS, ids=[" ".join(a) for a, _ in TYPOS])
def test_a_mistyped_name_is_one_line_with_a_suggestion(args, line):
    result = CliRunner().invoke(app, args, input="q\n")
    assert result.exit_code == 2
    assert result.stderr == f"quizzer: {line}\n" and "Traceback" not in result.output


@pytest.mark.parametrize("args, shown", ACCEPTED, ids=[" ".join(a) for a, _ in ACCEPTED])
def test_a_whole_word_prefix_or_suffix_of_one_id_is_that_id(args, shown):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    if args[0] in ("card", "cards"):
        data = json.loads(result.stdout)
        keys = [f"{r['deck']}/{r['card']}" for r in (data if isinstance(data, list) else [data])]
        assert shown in keys
    else:
        assert shown in result.stdout


def test_study_by_suffix_studies_that_deck():
    result = CliRunner().invoke(app, ["study", "dates", "--plain"], input="q\n")
    assert result.exit_code == 0, result.output
    history = json.loads(CliRunner().invoke(app, ["history", "--json"]).stdout)
    assert history["total"]["sessions"] == 0  # quit before answering: nothing saved, but it ran
    answered = CliRunner().invoke(app, ["study", "dates", "--plain", "--new", "1"], input="x\n")
    decks = {r["deck"] for r in json.loads(CliRunner().invoke(app, ["history", "--reviews", "--json"]).stdout)}
    assert answered.exit_code == 0 and decks == {"mali-2012-dates"}


@pytest.mark.parametrize("name, known, near", [
    ("mali-2012-date", ["mali-2012-dates", "mali-2012-legal"], ["mali-2012-dates"]),
    ("mali-2012-dat", ["mali-2012-dates", "mali-2012-data", "mali-2012-legal"], ["mali-2012-data"]),  # nearest only
    ("cuop", ["coup", "coop", "chop", "crop", "crops"], ["chop", "coop", "coup"]),  # ties: at most three
    ("abcd", ["wxyz"], []),  # nothing near
    ("a", ["b", "ab"], ["ab", "b"]),  # one slip allowed even in a short name
])
def test_closest(name, known, near):
    assert closest(name, known) == near


@pytest.mark.parametrize("name, known, matches", [
    ("dates", ["mali-2012-dates", "updates"], ["mali-2012-dates"]),  # whole words only: not `updates`
    ("mali", ["mali-a", "mali-b", "somali-c"], ["mali-a", "mali-b"]),
    ("2012", ["mali-2012-dates"], []),  # a middle word is neither prefix nor suffix
])
def test_word_matches(name, known, matches):
    assert word_matches(name, known) == matches
