"""The dependency direction: cli → session → grading/scheduler/store/decks → model, one owner per library."""

import ast
from pathlib import Path

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
    "grading": {"model", "cardtypes"},
    "scheduler": {"model"},
    "store": {"model", "store"},
    # undo, suspend, bury, leeches: events for the log, and the table of in-session commands
    "controls": {"model", "scheduler", "store"},
    "session": {"model", "cardtypes", "controls", "grading", "scheduler", "store"},
    "stats": {"model", "scheduler", "store"},  # history and statistics as result objects
    "ui": {"model", "cardtypes", "controls", "session", "stats", "ui"},
    "cli": {"cli", "config", "controls", "decks", "formats", "grading", "library", "model", "scheduler", "session", "stats",
            "store", "ui"},
}
# Each third-party library has one owner.
OWNERS = {"yaml": "decks", "fsrs": "scheduler", "sqlite3": "store", "questionary": "ui", "typer": "cli",
          "zstandard": "formats", "rich": "ui", "rapidfuzz": "grading"}


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def layer_of(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def test_modules_import_only_downwards():
    for path in PACKAGE.rglob("*.py"):
        layer = layer_of(path)
        if layer in ("__init__", "__main__"):
            continue
        ours = {name.split(".")[1] for name in imports_of(path) if name.startswith("quizzer.")}
        assert ours <= ALLOWED[layer], f"{path.relative_to(PACKAGE)} imports {sorted(ours - ALLOWED[layer])}"


def test_each_library_has_one_owner():
    for path in PACKAGE.rglob("*.py"):
        for name in imports_of(path):
            top = name.split(".")[0]
            if top in OWNERS:
                assert layer_of(path) == OWNERS[top], f"{path.relative_to(PACKAGE)} imports {top}"
