"""The CLI in plain mode through typer's CliRunner."""

import json
import sqlite3
from datetime import datetime, timedelta

import pytest
from typer.testing import CliRunner

from quizzer.cli import app

DECK = """\
id: demo
title: Demo [bold]deck[/]
cards:
  - id: leader
    type: typed
    question: "Who led the coup? [red]\\e[31m"
    answer: Amadou Haya Sanogo
    accept: [Sanogo]
    explain: A captain.
  - id: bloodless
    type: truefalse
    question: The coup cost many lives.
    answer: false
  - id: acronym
    type: choice
    question: What does MNLA stand for?
    answer: National Movement for the Liberation of Azawad
    distractors: [National Committee for the Restoration of Democracy and State]
  - id: timeline
    type: order
    question: Earliest first.
    items: ["1962", "1990", "2012"]
  - id: terms
    type: cloze
    text: Elected in {{2002}}, he served a {{second|2nd}} term.
  - id: why
    question: Why did the coup surprise observers?
    answer: Mali was seen as a stable democracy.
"""


NOW = "2026-03-02T12:00:00+00:00"


@pytest.fixture
def runner(monkeypatch):
    # Every command reads the time from $QUIZZER_NOW: two runs never straddle the 04:00 day boundary.
    monkeypatch.setenv("QUIZZER_NOW", NOW)
    return CliRunner()


@pytest.fixture
def demo(quizzer_home):
    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "demo.yaml").write_text(DECK, encoding="utf-8")
    return quizzer_home


def study(runner, *args, input=""):
    return runner.invoke(app, ["study", "demo", "--seed", "3", *args], input=input)


def verdict_lines(output):
    return [line for line in output.splitlines() if " · back in " in line]


def options_of(output, question):
    """The numbered options printed under `question`, in the order shown."""
    lines = output.splitlines()
    start = lines.index(question) + 1
    options = []
    while start < len(lines) and lines[start].startswith("  ") and lines[start][2:3].isdigit():
        options.append(lines[start].split(". ", 1)[1])
        start += 1
    return options


def test_plain_session_prints_one_verdict_line_per_answer(runner, demo):
    result = study(runner, input="sanogo\nfalse\n")
    assert result.exit_code == 0, result.output
    assert [line.split(" ")[0] for line in verdict_lines(result.output)] == ["correct", "correct"]
    assert "Cards studied: 2" in result.output and "Accuracy: 100%" in result.output


def test_every_kind_of_answer_in_plain_mode(runner, demo):
    # The options are shuffled with a fixed seed: read their order from a first look, then start afresh.
    look = study(runner, input="x\nx\n1\n1 2 3\n")
    choice = options_of(look.output, "What does MNLA stand for?")
    items = options_of(look.output, "Earliest first.")
    for leftover in demo.glob("quizzer.db*"):
        leftover.unlink()
    right_choice = choice.index("National Movement for the Liberation of Azawad") + 1
    right_order = " ".join(str(items.index(year) + 1) for year in ("1962", "1990", "2012"))
    result = study(runner, input=f"sanogo\ntrue\n{right_choice}\n{right_order}\n2002 | 2nd\n\n3\n")
    assert result.exit_code == 0, result.output
    assert [line.split(" ")[0] for line in verdict_lines(result.output)][:6] == [
        "correct", "wrong", "correct", "correct", "correct", "good",
    ]
    history = json.loads(runner.invoke(app, ["history", "--reviews", "--json"]).output)
    by_card = {r["card"]: r for r in history}
    assert by_card["terms"]["verdict"] == "correct" and by_card["terms"]["response"] == "2002 | 2nd"
    assert by_card["why"]["verdict"] == "self" and by_card["why"]["rating"] == 3
    assert by_card["acronym"]["response"] == "National Movement for the Liberation of Azawad"
    assert by_card["bloodless"]["verdict"] == "wrong" and by_card["bloodless"]["rating"] == 1
    for key in ("review_id", "deck", "card", "reviewed_at", "rating", "verdict", "response", "duration_ms", "session"):
        assert key in history[0]


def test_deck_text_is_printed_literally(runner, demo):
    result = study(runner, input="q\n")
    assert "Who led the coup? [red]" in result.output
    assert "\x1b" not in result.output
    listing = runner.invoke(app, ["decks"], env={"COLUMNS": "250"})
    assert "Demo [bold]deck[/]" in listing.output


def test_q_and_end_of_input_end_with_a_summary(runner, demo):
    for given in ("q\n", ""):
        result = study(runner, input=given)
        assert result.exit_code == 0 and "Cards studied: 0" in result.output


PLAIN_WALK = ["sanogo\n", "false\n", "1\n", "1 2 3\n", "2002 | second\n", "\n"]  # the demo deck, card by card
PLAIN_PROMPTS = ["answer> ", "true or false> ", "number or answer> ", "numbers in order> ",
                 "answers, separated by |> ", "(press Enter to show the answer) ", "rating (1-4)> "]


@pytest.mark.parametrize("word", ["q", ":quit", ":q"])
@pytest.mark.parametrize("prompt", range(len(PLAIN_PROMPTS)), ids=PLAIN_PROMPTS)
def test_plain_quit_words_end_every_prompt_keeping_the_answers(runner, demo, prompt, word):
    answered = min(prompt, 5)  # the flash card's reveal line is not an answer
    result = study(runner, input="".join(PLAIN_WALK[:prompt]) + word + "\nsanogo\n")
    assert PLAIN_PROMPTS[prompt] in result.output and f"Cards studied: {answered}" in result.output
    assert len(verdict_lines(result.output)) == answered  # the line after the quit word was never read


def test_new_limit_and_nothing_left(runner, demo):
    # Good on a new card → its 10-minute learning step; with nothing else left it is shown early,
    # and Good again graduates it to the review queue.
    result = study(runner, "--new", "1", input="sanogo\nsanogo\n")
    assert [line.split(" ")[0] for line in verdict_lines(result.output)] == ["correct", "correct"]
    assert result.output.count("Who led the coup?") == 2
    again = study(runner, "--new", "1", input="")
    assert again.exit_code == 0
    assert "Nothing due and no new cards left today. Next card due" in again.output


def test_a_bad_quizzer_now_exits_2(runner, demo, monkeypatch):
    monkeypatch.setenv("QUIZZER_NOW", "noon")
    result = runner.invoke(app, ["decks"])
    assert result.exit_code == 2 and result.output == "quizzer: $QUIZZER_NOW: 'noon' is not an ISO date and time\n"


def test_unknown_deck_exits_2_listing_known_ids(runner, demo):
    result = runner.invoke(app, ["study", "nope"])
    assert result.exit_code == 2
    assert "no deck 'nope'; known decks:" in result.output and "demo" in result.output


def test_unknown_tag_exits_2(runner, demo):
    result = runner.invoke(app, ["study", "demo", "--tag", "nothing-has-this"])
    assert result.exit_code == 2 and "no cards tagged 'nothing-has-this'" in result.output


def test_decks_lists_builtin_and_user_decks_with_counts(runner, demo):
    study(runner, input="sanogo\n")
    rows = json.loads(runner.invoke(app, ["decks", "--json"]).output)
    demo_row = next(r for r in rows if r["id"] == "demo")
    assert demo_row["cards"] == 6 and demo_row["new"] == 5 and demo_row["builtin"] is False
    assert any(r["builtin"] and r["id"].startswith("mali-2012-") for r in rows)
    screen = runner.invoke(app, ["decks"])
    assert screen.exit_code == 0 and "built-in" in screen.output


def test_a_broken_user_deck_is_skipped_with_a_warning(runner, demo):
    (demo / "decks" / "broken.yaml").write_text("id: broken\ntitle: B\ncards:\n  - question: Q\n")
    result = runner.invoke(app, ["decks", "--json"])
    assert result.exit_code == 0
    assert "broken.yaml:4: card \"Q\": a flash card needs 'answer' (deck skipped)" in result.stderr
    assert "broken" not in [r["id"] for r in json.loads(result.stdout)]


def test_validate(runner, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(DECK)
    result = runner.invoke(app, ["decks", "validate", str(good)])
    assert result.exit_code == 0
    assert "demo: 6 cards (1 choice, 1 cloze, 1 flash, 1 order, 1 truefalse, 1 typed)" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text(DECK.replace("    answer: Amadou Haya Sanogo", "    anwser: Amadou Haya Sanogo"))
    result = runner.invoke(app, ["decks", "validate", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}:7: card 'leader': unknown key 'anwser'; did you mean 'answer'?" in result.output
    assert "Traceback" not in result.output
    for both in ([good, bad], [bad, good]):  # one valid deck does not make the run valid
        result = runner.invoke(app, ["decks", "validate", *map(str, both)])
        assert result.exit_code == 2 and f"{bad}:7:" in result.output


def test_paths_and_version(runner, quizzer_home):
    result = runner.invoke(app, ["paths"])
    assert f"database:       {quizzer_home / 'quizzer.db'}" in result.output
    assert runner.invoke(app, ["--version"]).output.startswith("quizzer ")


def test_quizzer_home_that_is_a_file_exits_2(runner, tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("QUIZZER_HOME", str(blocker))
    result = runner.invoke(app, ["study"])
    assert result.exit_code == 2 and "is a file, not a folder" in result.output


def test_a_damaged_database_exits_2_and_is_untouched(runner, demo):
    (demo / "quizzer.db").write_bytes(b"garbage" * 1000)
    result = runner.invoke(app, ["study", "demo"], input="")
    assert result.exit_code == 2 and "damaged" in result.output
    assert (demo / "quizzer.db").read_bytes() == b"garbage" * 1000


def test_bad_config_exits_2(runner, demo):
    (demo / "config.toml").write_text("new_per_day = 'many'\n")
    result = runner.invoke(app, ["study", "demo"], input="")
    assert result.exit_code == 2
    assert "config.toml: 'new_per_day' must be a whole number of cards from 0 to 100,000, not 'many'" in result.output


@pytest.mark.parametrize("value", ["'random'", "3", "'Mixed'"])
def test_a_bad_new_order_names_config_toml_and_the_key(runner, demo, value):
    (demo / "config.toml").write_text(f"new_order = {value}\n")
    result = runner.invoke(app, ["study", "demo"], input="")
    assert result.exit_code == 2
    assert result.output.strip().endswith(f"config.toml: 'new_order' must be 'mixed' or 'deck', not {value}")
    assert len(result.output.strip().splitlines()) == 1


def test_new_order_deck_takes_one_deck_after_the_other(runner, demo):
    (demo / "decks" / "second.yaml").write_text(
        "id: second\ntitle: Second\ncards:\n  - {id: s1, question: S one?, answer: s}\n", encoding="utf-8")
    second_question = {}
    for order in ("mixed", "deck"):
        for file in demo.glob("quizzer.db*"):  # a fresh start: no card answered yet
            file.unlink()
        (demo / "config.toml").write_text(f"new_order = '{order}'\nnew_per_day = 2\n")
        result = runner.invoke(app, ["study", "demo", "second", "--seed", "3"], input="x\nq\n")
        second_question[order] = next(line for line in result.output.splitlines() if line.startswith("[2 of "))
    # Two new cards of demo and one of second; the first answer was wrong, so it comes once more: 7.
    assert second_question == {"mixed": "[2 of 7] second · new", "deck": "[2 of 7] demo · new"}


@pytest.mark.parametrize("at", [None, "2031-06-01T12:00:00+00:00"])  # the real clock, and one set far from it
def test_the_summary_says_what_is_due_today_and_tomorrow_as_stats_does(runner, demo, monkeypatch, at):
    if at:
        monkeypatch.setenv("QUIZZER_NOW", at)
    result = study(runner, input="sanogo\nfalse\nq\n")
    summary = dict(line.split(": ", 1) for line in result.output.splitlines()[-8:])
    forecast = json.loads(runner.invoke(app, ["stats", "--json"]).output)["forecast"]
    assert (summary["Still due today"], summary["Due tomorrow"]) == (str(forecast[0]["count"]),
                                                                       str(forecast[1]["count"]))
    history = json.loads(runner.invoke(app, ["history", "--json"]).output)
    from quizzer.ui.text import spent
    assert summary["Time answering"] == spent(history["sessions"][0]["answering_ms"])


def test_config_sets_the_new_card_limit(runner, demo):
    (demo / "config.toml").write_text("new_per_day = 2\n")
    result = study(runner, input="q\n")
    assert "[1 of 4] demo · new" in result.output  # two new cards, each passed after two right answers


def test_history_screen_and_empty_history(runner, demo):
    empty = runner.invoke(app, ["history"])
    assert empty.exit_code == 0 and "No answers yet" in empty.output
    study(runner, input="sanogo\n")
    table = runner.invoke(app, ["history", "--reviews"])
    assert "leader" in table.output and "correct" in table.output


def test_every_command_and_option_has_help(runner):
    import typer.core
    import typer.main

    command = typer.main.get_command(app)

    def walk(cmd, path):
        assert cmd.help or cmd.short_help, f"{path} has no help"
        for param in cmd.params:
            if isinstance(param, typer.core.TyperOption) and not param.hidden:
                assert param.help, f"{path} {param.opts} has no help"
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(command, "quizzer")
    for args in (["--help"], ["study", "--help"], ["decks", "--help"], ["decks", "validate", "--help"]):
        assert runner.invoke(app, args).exit_code == 0


def every_command():
    """(path, click command) for the app, each group and each command."""
    import typer.main

    def walk(cmd, path):
        yield path, cmd
        for name, sub in getattr(cmd, "commands", {}).items():
            yield from walk(sub, [*path, name])

    return list(walk(typer.main.get_command(app), []))


@pytest.mark.parametrize("path, command", every_command(), ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_every_help_ends_with_examples_of_that_command_that_parse(path, command):
    import shlex

    *_, examples = command.help.split("\n\n")
    heading, *lines = examples.splitlines()
    assert heading == "Examples:" and 1 <= len(lines) <= 2, f"quizzer {' '.join(path)}: help ends with {examples!r}"
    for line in lines:
        words = shlex.split(line)
        assert words[:len(path) + 2] == ["$", "quizzer", *path], line
        if not getattr(command, "commands", None) or len(words) > len(path) + 2:
            command.make_context(" ".join(["quizzer", *path]), words[len(path) + 2:])  # a bad example raises here


@pytest.mark.parametrize("path, command", every_command(), ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_help_shows_no_bool_type_and_usage_without_braces(runner, path, command):
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    usage = next(line for line in result.output.splitlines() if "Usage:" in line).split("[OPTIONS]")[1]
    assert "<bool>" not in result.output and "{" not in usage and "[[" not in usage, result.output
    assert usage == usage.upper(), f"a lowercase metavar: {usage}"


@pytest.mark.parametrize("path, command", [(p, c) for p, c in every_command() if getattr(c, "commands", None)],
                         ids=lambda v: " ".join(v) or "quizzer" if isinstance(v, list) else "")
def test_a_group_lists_each_command_on_one_line_when_wide(runner, path, command):
    # A docstring's first paragraph is wrapped in the source; in the list of commands it is one sentence.
    result = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "400"})
    panel = result.output.split("Commands")[1]
    rows = [line.strip("│ ") for line in panel.splitlines() if line.startswith("│")]
    assert len(rows) == len(command.commands), rows


@pytest.mark.parametrize("args, usage", [
    (["study"], "Usage: quizzer study [OPTIONS] [DECK]..."),
    (["stats"], "Usage: quizzer stats [OPTIONS] [DECK]..."),
    (["cards"], "Usage: quizzer cards [OPTIONS] [DECK]"),
    (["card"], "Usage: quizzer card [OPTIONS] DECK/CARD"),
    (["decks", "show"], "Usage: quizzer decks show [OPTIONS] DECK"),
    (["decks", "remove"], "Usage: quizzer decks remove [OPTIONS] DECK"),
    (["decks", "export"], "Usage: quizzer decks export [OPTIONS] DECK"),
])
def test_usage_lines_name_decks_and_cards_the_same_way(runner, args, usage):
    assert usage in runner.invoke(app, [*args, "--help"], env={"COLUMNS": "120"}).output


def test_the_database_is_in_wal_mode(runner, demo):
    study(runner, input="sanogo\n")
    db = sqlite3.connect(demo / "quizzer.db")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_accepted_answers_are_listed_and_removable(runner, demo):
    from quizzer.store import Store

    with Store(demo / "quizzer.db") as store:
        store.db.execute("INSERT INTO accepted VALUES ('demo', 'leader', 'Captain [b]S[/b]', '2026-03-02T12:00:00+00:00')")
    listed = runner.invoke(app, ["accepted", "demo", "--json"])
    assert json.loads(listed.output) == [{"deck": "demo", "card": "leader", "response": "Captain [b]S[/b]"}]
    screen = runner.invoke(app, ["accepted"], env={"COLUMNS": "120"})
    assert "demo/leader" in screen.output and "Captain [b]S[/b]" in screen.output
    assert runner.invoke(app, ["accepted", "other", "--json"]).output.strip() == "[]"
    missing = runner.invoke(app, ["accepted", "--remove", "demo/leader", "--answer", "nope"])
    assert missing.exit_code == 2 and "is not an accepted answer of demo/leader" in missing.output
    bad = runner.invoke(app, ["accepted", "--remove", "leader", "--answer", "x"])
    assert bad.exit_code == 2 and "is not DECK/CARD" in bad.output
    assert runner.invoke(app, ["accepted", "--remove", "demo/leader"]).exit_code == 2
    removed = runner.invoke(app, ["accepted", "--remove", "demo/leader", "--answer", "Captain [b]S[/b]"])
    assert removed.exit_code == 0
    assert json.loads(runner.invoke(app, ["accepted", "--json"]).output) == []


def test_a_close_answer_shows_the_slip_with_carets(runner, demo):
    result = study(runner, input="Amadou Haya Sanogp\n")
    lines = result.output.splitlines()
    verdict = next(line for line in lines if " · back in " in line)
    assert verdict.startswith("close (typo: Sanogp → Sanogo)")
    at = lines.index("  you typed: Amadou Haya Sanogp")
    assert lines[at + 1] == "  expected:  Amadou Haya Sanogo"
    assert lines[at + 2] == "             " + " " * 17 + "^"
    history = json.loads(runner.invoke(app, ["history", "--reviews", "--json"]).output)
    assert (history[0]["verdict"], history[0]["rating"]) == ("close", 2)


FACTS = "id: facts\ntitle: Facts\ncards:\n" + "".join(
    f"  - id: f{i}\n    type: truefalse\n    question: Fact {i}?\n    answer: true\n" for i in range(3))
LATER = "2026-04-15T12:00:00+00:00"  # every fact learnt at NOW is due again by then


@pytest.fixture
def facts(quizzer_home, runner):
    """Three true/false cards learnt at NOW: each answered right twice (its learning steps), now in review."""
    (quizzer_home / "decks").mkdir(parents=True)
    (quizzer_home / "decks" / "facts.yaml").write_text(FACTS, encoding="utf-8")
    learnt = runner.invoke(app, ["study", "facts"], input="true\n" * 6)
    assert len(verdict_lines(learnt.output)) == 6, learnt.output
    return quizzer_home


def test_limit_caps_the_reviews(runner, facts, monkeypatch):
    monkeypatch.setenv("QUIZZER_NOW", LATER)
    result = runner.invoke(app, ["study", "facts", "--limit", "1"], input="true\n" * 6)
    assert len(verdict_lines(result.output)) == 1 and "Cards studied: 1" in result.output


def test_decks_counts_the_cards_due_now(runner, facts, monkeypatch):
    def counts():
        row = next(r for r in json.loads(runner.invoke(app, ["decks", "--json"]).output) if r["id"] == "facts")
        return row["cards"], row["new"], row["due"]

    assert counts() == (3, 0, 0)
    monkeypatch.setenv("QUIZZER_NOW", LATER)
    assert counts() == (3, 0, 3)


def test_desired_retention_in_config_sets_the_intervals(runner, tmp_path, monkeypatch):
    """FSRS's interval is stability · (r^(1/decay) − 1) / factor with decay −0.1542 and factor 0.9^(1/decay) − 1
    = 0.98035: retention 0.9 gives the stability itself, 0.7 gives (0.7^(−6.4851) − 1) / 0.98035 = 9.2879 times it.
    Intervals are whole days, and fuzz moves those over 2.5 days by up to about 15 %."""
    def first_review(retention):
        home = tmp_path / f"home-{retention}"
        monkeypatch.setenv("QUIZZER_HOME", str(home))
        (home / "decks").mkdir(parents=True)
        (home / "decks" / "facts.yaml").write_text(FACTS, encoding="utf-8")
        (home / "config.toml").write_text(f"desired_retention = {retention}\n")
        runner.invoke(app, ["study", "facts", "--new", "1"], input="true\n" * 2)
        card = next(c for c in json.loads(runner.invoke(app, ["cards", "facts", "--json"]).output) if c["due"])
        days = (datetime.fromisoformat(card["due"]) - datetime.fromisoformat(NOW)) / timedelta(days=1)
        return days, card["stability"]

    days, stability = first_review(0.9)
    assert abs(days - stability) <= 0.5
    days, stability = first_review(0.7)
    assert abs(days - 9.2879 * stability) <= 0.5 + 0.15 * 9.2879 * stability


@pytest.mark.parametrize("count, words", [(0, "0 cards"), (1, "1 card"), (2, "2 cards"), (1_000, "1,000 cards")])
def test_a_count_is_worded_with_its_noun_in_the_singular_for_one(count, words):
    from quizzer.model import plural

    assert plural(count, "card") == words
