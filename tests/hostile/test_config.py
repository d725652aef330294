"""Hostile FSRS parameters in config.toml (issue 15): each is one line, `config.toml:LINE: …`, exit status 2,
for every command that schedules, and nothing saved is touched.

Add a case as one line in PARAMETERS.
"""

import pytest
from typer.testing import CliRunner

from quizzer.cli import app
from quizzer.config import load_settings, save_parameters
from quizzer.scheduler import DEFAULT_PARAMETERS

GOOD = list(DEFAULT_PARAMETERS)


def with_value(index: int, value: str) -> str:
    """The default parameters with one written as `value`."""
    return "[" + ", ".join(value if i == index else repr(w) for i, w in enumerate(GOOD)) + "]"


# (config.toml, the line named, what the one-line error says after "config.toml:LINE: ")
PARAMETERS = [
    ("parameters = [0.2, 1.3]", 1, "'parameters' must be 21 numbers (FSRS-6's parameters), not 2"),
    ("parameters = []", 1, "'parameters' must be 21 numbers (FSRS-6's parameters), not 0"),
    ("parameters = " + repr(GOOD[:19]), 1, "must be 21 numbers (FSRS-6's parameters), not 19"),  # FSRS-5's count
    ("parameters = " + repr(GOOD + [0.5]), 1, "must be 21 numbers (FSRS-6's parameters), not 22"),
    ("parameters = " + with_value(3, "nan"), 1, "'parameters' must be finite numbers; parameter 3 is nan"),
    ("parameters = " + with_value(0, "inf"), 1, "'parameters' must be finite numbers; parameter 0 is inf"),
    ("parameters = " + with_value(5, "1e400"), 1, "'parameters' must be finite numbers; parameter 5 is inf"),
    ("parameters = " + with_value(7, "'0.1'"), 1, "'parameters' must be finite numbers; parameter 7 is '0.1'"),
    ("parameters = " + with_value(1, "true"), 1, "'parameters' must be finite numbers; parameter 1 is True"),
    ("parameters = " + with_value(2, "[1]"), 1, "'parameters' must be finite numbers; parameter 2 is [1]"),
    ("parameters = " + with_value(4, "0.5"), 1, "parameter 4 is 0.5, outside FSRS's bounds 1.0 to 10.0"),
    ("parameters = " + with_value(0, "-0.1"), 1, "parameter 0 is -0.1, outside FSRS's bounds 0.001 to 100.0"),
    ("parameters = " + with_value(20, "0.9"), 1, "parameter 20 is 0.9, outside FSRS's bounds 0.1 to 0.8"),
    ("parameters = " + with_value(20, "0"), 1, "parameter 20 is 0.0, outside FSRS's bounds 0.1 to 0.8"),
    ("parameters = 0.5", 1, "'parameters' must be a list of numbers like [0.212, 1.2931, …], not 0.5"),
    ("parameters = '0.2, 1.3'", 1, "'parameters' must be a list of numbers like [0.212, 1.2931, …], not '0.2, 1.3'"),
    ("[parameters]\nw0 = 1", 1, "'parameters' must be a list of numbers like [0.212, 1.2931, …], not {'w0': 1}"),
    ("# mine\nnew_per_day = 5\n\nparameters = [1, 2]", 4, "must be 21 numbers (FSRS-6's parameters), not 2"),
    ("new_per_day = 5\nparameters = [\n  1,\n  2,\n]", 2, "must be 21 numbers (FSRS-6's parameters), not 2"),
    ("  'parameters' = [1]", 1, "must be 21 numbers (FSRS-6's parameters), not 1"),
]

# Commands that schedule with the parameters: none may crash on a bad one.
COMMANDS = [["study", "mali-2012-dates"], ["stats"], ["doctor", "--fix"], ["optimize", "--dry-run"], ["retention"]]


@pytest.mark.parametrize("content, line, message", PARAMETERS, ids=[c[:40] for c, _, _ in PARAMETERS])
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_bad_parameters_are_one_line_naming_the_file_and_line(quizzer_home, content, line, message, command):
    quizzer_home.mkdir(parents=True)
    config = quizzer_home / "config.toml"
    config.write_text(content + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, command, input="")
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert lines[0].startswith(f"quizzer: {config}:{line}: ") and message in lines[0], lines[0]
    assert config.read_text(encoding="utf-8") == content + "\n"
    assert not (quizzer_home / "quizzer.db").exists()  # refused before opening the progress


# Good parameters as written → as loaded.
GOOD_PARAMETERS = [
    ("parameters = " + repr(GOOD), tuple(GOOD)),
    ("parameters = " + with_value(4, "1"), tuple(1.0 if i == 4 else w for i, w in enumerate(GOOD))),  # an integer
    ("parameters = [\n" + "".join(f"  {w},\n" for w in GOOD) + "]", tuple(GOOD)),  # one a line, a trailing comma
]


@pytest.mark.parametrize("content, loaded", GOOD_PARAMETERS, ids=range(len(GOOD_PARAMETERS)))
def test_good_parameters_load(tmp_path, content, loaded):
    from quizzer.scheduler import parameter_problem

    (tmp_path / "config.toml").write_text(content + "\n", encoding="utf-8")
    assert load_settings(tmp_path / "config.toml", parameter_problem).parameters == loaded


# config.toml before → after saving the defaults' parameters (None removes them), every other line kept.
NOTE = "# Fitted to your answers by `quizzer optimize`; `quizzer optimize --reset` removes them.\n"
SAVED = "parameters = [" + ", ".join(map(repr, GOOD)) + "]\n"
SAVES = [
    ("", GOOD, NOTE + SAVED),
    ("# mine\nnew_per_day = 5", GOOD, "# mine\nnew_per_day = 5\n" + NOTE + SAVED),
    ("a = 1\nparameters = [1,\n 2]\nb = 2\n", GOOD, "a = 1\nb = 2\n" + NOTE + SAVED),  # spanning lines
    ("x = 1\n" + NOTE + SAVED + "y = 2\n", None, "x = 1\ny = 2\n"),  # the note goes with them
    ("new_per_day = 5\n", None, "new_per_day = 5\n"),
]


@pytest.mark.parametrize("before, parameters, after", SAVES, ids=range(len(SAVES)))
def test_saving_parameters_keeps_every_other_line(tmp_path, before, parameters, after):
    config = tmp_path / "config.toml"
    config.write_text(before, encoding="utf-8")
    save_parameters(config, parameters and tuple(parameters))
    assert config.read_text(encoding="utf-8") == after
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temporary file left
