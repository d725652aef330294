"""The dependency direction: cli → session → grading/scheduler/store/decks → model, one owner per library."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "quizzer"

# Which of our modules each layer may import.
ALLOWED = {
    "model": set(),
    "config": set(),
    "cardtypes": {"model"},  # each card type's keys, reading, prompt and judging rule, in one table
    "decks": {"model", "cardtypes", "deck_cache"},
    "deck_cache": {"model"},  # parsed decks kept between runs, for load_library
    # CSV and Anki in and out; Anki's SQLite is read by store
    "formats": {"model", "cardtypes", "decks", "store", "formats"},
    "library": {"model", "decks"},  # installing, linking and removing the user's decks
    "editing": {"model", "decks", "library"},  # the $EDITOR round trip on a deck file
    "grading": {"model", "cardtypes"},
    "scheduler": {"model"},
    "store": {"model", "store"},
    # undo, suspend, bury, leeches: events for the log, and the table of in-session commands
    "controls": {"model", "scheduler", "store"},
    "study_queue": {"model"},  # the session's queue: what comes next and how many questions are left
    "session": {"model", "cardtypes", "controls", "grading", "scheduler", "store", "study_queue"},
    # `quizzer quiz`: choosing the cards, asking them with the session's prompters and judge, the record
    "quiz": {"model", "cardtypes", "controls", "grading", "scheduler", "session", "store"},
    "stats": {"model", "scheduler", "store"},  # history and statistics as result objects
    "sync": {"model", "store"},  # sync through a shared folder: each device's files, pulled and pushed
    "optimizer": {"model", "scheduler"},  # FSRS fitted to the learner's answers; the optional extra
    "ui": {"model", "cardtypes", "controls", "quiz", "session", "stats", "ui"},
    "cli": {"cli", "config", "controls", "decks", "editing", "formats", "grading", "library", "model", "optimizer", "quiz",
            "scheduler", "session", "stats", "store", "sync", "ui"},
}
# Each third-party library has one owner.
OWNERS = {"yaml": "decks", "fsrs": "scheduler", "sqlite3": "store", "questionary": "ui", "typer": "cli",
          "zstandard": "formats", "rich": "ui", "rapidfuzz": "grading", "anki": "formats",
          "fsrs_rs_python": "optimizer"}
# A library owned by one module, not its whole layer: Anki's (an optional extra) is imported only by the exporter.
MODULE_OWNERS = {"anki": "formats/anki_export.py"}


def imports_of(path: Path) -> set[str]:
    return imports_in(path.read_text(), path.relative_to(PACKAGE))


def imports_in(source: str, module: Path) -> set[str]:
    """Every module the source of `module` (a path inside the package) imports, in any spelling:
    `from quizzer import store`, `from . import store` and `from .store import Store` all give quizzer.store."""
    package = ["quizzer", *module.parent.parts]
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            where = ".".join(base + ([node.module] if node.module else []))
            # `from X import y` may import the module X.y: count it as one, so a package import is seen.
            names |= {where} | {f"{where}.{alias.name}" for alias in node.names}
    return names


def our_layers(names: set[str]) -> set[str]:
    return {name.split(".")[1] for name in names if name.startswith("quizzer.")}


def layer_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


@pytest.mark.parametrize("module, source, layer", [
    ("model.py", "import quizzer.store", "store"),
    ("model.py", "from quizzer.store import Store", "store"),
    ("model.py", "from quizzer import store", "store"),
    ("model.py", "from . import store", "store"),
    ("model.py", "from .store import Store", "store"),
    ("store/sync.py", "from ..session import StudySession", "session"),
    ("store/sync.py", "from .. import session", "session"),
    ("store/sync.py", "from . import migrations", "store"),
    ("ui/text.py", "from ..cli.common import fail", "cli"),
])
def test_every_spelling_of_an_import_is_seen(module, source, layer):
    assert layer in our_layers(imports_in(source, Path(module)))


def test_modules_import_only_downwards():
    for path in PACKAGE.rglob("*.py"):
        layer = layer_of(path)
        if layer in ("__init__", "__main__"):
            continue
        ours = our_layers(imports_of(path))
        assert ours <= ALLOWED[layer], f"{path.relative_to(PACKAGE)} imports {sorted(ours - ALLOWED[layer])}"


def test_each_library_has_one_owner():
    for path in PACKAGE.rglob("*.py"):
        for name in imports_of(path):
            top = name.split(".")[0]
            if top in OWNERS:
                assert layer_of(path) == OWNERS[top], f"{path.relative_to(PACKAGE)} imports {top}"


def test_an_optional_library_is_imported_by_its_one_module():
    for path in PACKAGE.rglob("*.py"):
        for name in imports_of(path):
            owner = MODULE_OWNERS.get(name.split(".")[0])
            assert owner is None or path.relative_to(PACKAGE).as_posix() == owner, f"{path} imports {name}"


# What `quizzer --help` must not load: typer (and the rich it prints help with) is all it needs.
NOT_FOR_HELP = ("anki", "fsrs", "yaml", "sqlite3", "questionary", "prompt_toolkit", "rapidfuzz", "zstandard",
                "quizzer.scheduler", "quizzer.store", "quizzer.decks", "quizzer.session", "quizzer.grading",
                "quizzer.stats", "quizzer.formats", "quizzer.ui", "quizzer.optimizer", "fsrs_rs_python")
# Runs `quizzer ARGS...` as the installed command does, then writes REPORT (an expression) on stderr.
RUN_THEN_REPORT = """
import gc, runpy, sys
sys.argv = ["quizzer", *sys.argv[1:]]
try:
    runpy.run_module("quizzer", run_name="__main__")
except SystemExit:
    pass
sys.stderr.write(REPORT)
"""
LIST_MODULES_AFTER = RUN_THEN_REPORT.replace("REPORT", '"\\n".join(sys.modules)')  # every module it loaded


def modules_after(*args: str) -> tuple[str, set[str]]:
    """(output, modules loaded) of running `quizzer ARGS...` in a fresh interpreter."""
    result = subprocess.run([sys.executable, "-c", LIST_MODULES_AFTER, *args], capture_output=True, text=True,
                            check=True, stdin=subprocess.DEVNULL)
    return result.stdout, set(result.stderr.split("\n"))


def test_help_imports_no_heavy_module():
    # A structural check (which modules are loaded), not a timing: heavy imports belong inside commands.
    output, loaded = modules_after("--help")
    assert "Usage:" in output
    assert "typer" in loaded and "quizzer.cli" in loaded
    assert {m for m in loaded if any(m == heavy or m.startswith(heavy + ".") for heavy in NOT_FOR_HELP)} == set()


@pytest.mark.parametrize("args", [("decks",), ("stats",), ("history",), ("study", "--plain"), ("quiz", "--plain")])
def test_a_real_command_does_not_load_pydantic(args):
    # typer 0.29 coerces every parameter through pydantic (80-340 ms of imports that --help never shows);
    # the typer range in pyproject.toml keeps it out (README, "Libraries").
    output, loaded = modules_after(*args)
    assert "quizzer.cli" in loaded and not {m for m in loaded if m == "pydantic" or m.startswith("pydantic.")}


def test_stats_from_the_parse_cache_loads_no_yaml_or_toml_parser():
    # PyYAML (12 ms) runs only to parse a deck file, tomllib only to read a config.toml; `stats` with every
    # deck served by the parse cache and no config.toml needs neither. The first run fills the cache.
    modules_after("decks")
    output, loaded = modules_after("stats")
    assert "No answers yet" in output
    assert {m for m in loaded if m.startswith("yaml.") or m == "tomllib"} == set()


def test_importing_an_anki_package_does_not_load_the_anki_library(tmp_path):
    # Only `decks export --format apkg` needs Anki's library; reading a package is quizzer's own code.
    from anki_builder import SAMPLE_NOTES, write_package

    path = write_package(tmp_path / "s.apkg", SAMPLE_NOTES)
    script = ("import runpy, sys\nsys.argv = ['quizzer', 'decks', 'import', sys.argv[1]]\ntry:\n"
              "    runpy.run_module('quizzer', run_name='__main__')\nexcept SystemExit:\n    pass\n"
              "sys.stderr.write('\\n'.join(sys.modules))")
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True,
                            env={**__import__("os").environ, "QUIZZER_HOME": str(tmp_path / "home")})
    assert "Installed deck" in result.stdout, result.stdout + result.stderr
    assert not {m for m in result.stderr.split("\n") if m == "anki" or m.startswith("anki.")}


FIRST_QUESTION = """
import os, runpy, sys
from quizzer.ui.plain import PlainPrompter

def ask(self, question):  # the first question is on screen: list what is loaded by now, and stop
    sys.stderr.write("\\n".join(sys.modules))
    sys.stderr.flush()
    os._exit(0)

PlainPrompter.ask = ask
sys.argv = ["quizzer", "study", "--plain"]
runpy.run_module("quizzer", run_name="__main__")
"""


def test_studys_first_question_waits_for_no_module_it_needs_only_later():
    # Judging (rapidfuzz) after the answer, the forecast at the session's end and a quiz's summary load once
    # the question is on screen: the built-in decks' first question within bare typer's --help (issue 14).
    result = subprocess.run([sys.executable, "-c", FIRST_QUESTION], capture_output=True, text=True, check=True,
                            stdin=subprocess.DEVNULL)
    loaded = set(result.stderr.split("\n"))
    assert "quizzer.session" in loaded and "quizzer.scheduler" in loaded
    assert loaded & {"quizzer.grading", "rapidfuzz", "quizzer.stats", "quizzer.quiz", "quizzer.ui.quiz"} == set()


# Whether the cycle collector is on at the end, and whether objects were frozen.
COLLECTOR_AFTER = RUN_THEN_REPORT.replace("REPORT", 'f"{gc.isenabled()} {gc.get_freeze_count() > 0}"')


@pytest.mark.parametrize("args, collector", [(["--help"], "False False"), (["paths"], "True True"),
                                             (["decks", "--help"], "True True")])
def test_start_up_pauses_the_collector_and_a_command_runs_with_it_on(tmp_path, args, collector):
    # Start-up runs without the cycle collector: its objects live as long as the process (docs/benchmarks.md,
    # "--help, seventh round"). A command turns it back on (a session, however long, collects its cycles)
    # with start-up's objects frozen, so that its collections skip them.
    result = subprocess.run([sys.executable, "-c", COLLECTOR_AFTER, *args], capture_output=True, text=True,
                            check=True, env={**os.environ, "QUIZZER_HOME": str(tmp_path)}, stdin=subprocess.DEVNULL)
    assert result.stdout and result.stderr == collector


def test_no_command_postpones_its_annotations():
    # typer reads the annotations of every command and completion function at each start, `--help` included:
    # postponed ones (`from __future__ import annotations`) are text it evaluates again each time, which
    # doubled its work for quizzer's 27 commands (docs/benchmarks.md, "--help, seventh round").
    import importlib
    import inspect
    import pkgutil

    import quizzer.cli

    modules = [quizzer.cli] + [importlib.import_module(found.name)
                               for found in pkgutil.iter_modules(quizzer.cli.__path__, "quizzer.cli.")]
    for module in modules:
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__:
                texts = {key for key, value in function.__annotations__.items() if isinstance(value, str)}
                assert not texts, f"{module.__name__}.{name}: {sorted(texts)}"
