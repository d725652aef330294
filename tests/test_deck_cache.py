"""The parse cache behind load_library: reused only while a deck file is unchanged."""

import os
import time

import pytest

from quizzer import decks
from quizzer.decks import load_library

DECK = """\
id: cached
title: Cached
source: {title: An article, url: "https://example.org"}
cards:
  - id: one
    type: typed
    question: Capital?
    answer: Bamako
  - id: two
    type: cloze
    text: "In {{1960|sixty}} Mali became independent from {{France}}."
"""
LONG_AGO = time.time() - 3600


@pytest.fixture
def parsed(monkeypatch):
    """The paths the real parser was called on, in order."""
    calls = []
    real = decks.check_deck

    def counting(path, **kwargs):
        calls.append(path.name)
        return real(path, **kwargs)

    monkeypatch.setattr(decks, "check_deck", counting)
    return calls


@pytest.fixture
def library(tmp_path):
    folder = tmp_path / "decks"
    folder.mkdir()
    cache = tmp_path / "cache"

    def write(name, text, mtime=LONG_AGO):
        path = folder / name
        path.write_text(text, encoding="utf-8")
        os.utime(path, (mtime, mtime))
        return path

    def load():
        found, problems = load_library(folder, cache_dir=cache)
        return {d.id: d for d in found if not d.builtin}, problems

    return write, load, cache


def test_an_unchanged_library_is_read_from_the_cache_and_is_the_same(library, parsed):
    write, load, cache = library
    write("cached.yaml", DECK)
    first, _ = load()
    assert "cached.yaml" in parsed and (cache / "decks.cache").is_file()
    parsed.clear()
    again, _ = load()
    assert parsed == [] and again == first  # every built-in deck came from the cache too
    everything, _ = load_library(cache.parent / "decks", cache_dir=cache)
    assert everything == load_library(cache.parent / "decks")[0]


def test_an_edited_deck_is_read_again(library, parsed):
    write, load, _ = library
    path = write("cached.yaml", DECK)
    load()
    write("cached.yaml", DECK.replace("Bamako", "Bamako, on the Niger"))
    assert load()[0]["cached"].card("one").answer == "Bamako, on the Niger"
    # The same size with another time: still read again.
    same_size = DECK.replace("Bamako", "Timbuk")
    assert len(same_size) == len(DECK)
    write("cached.yaml", same_size, mtime=LONG_AGO - 60)
    parsed.clear()
    assert load()[0]["cached"].card("one").answer == "Timbuk" and parsed == [path.name]


def test_a_file_changed_moments_ago_is_never_trusted_to_the_cache(library, parsed):
    write, load, _ = library
    write("cached.yaml", DECK, mtime=time.time())
    load()
    parsed.clear()
    load()
    assert parsed == ["cached.yaml"]  # a second edit within the timestamp resolution would look the same


def test_problems_are_cached_too_and_a_removed_deck_is_forgotten(library, parsed):
    write, load, cache = library
    write("broken.yaml", "id: broken\ntitle: B\ncards:\n  - question: Q\n")
    _, problems = load()
    parsed.clear()
    decks_again, problems_again = load()
    assert parsed == [] and problems_again == problems and "broken" not in decks_again
    assert any("broken.yaml:4" in str(p) for p in problems)
    (cache.parent / "decks" / "broken.yaml").unlink()
    assert load()[1] == []


def test_a_damaged_cache_file_is_ignored_and_rewritten(library, parsed):
    write, load, cache = library
    write("cached.yaml", DECK)
    expected, _ = load()
    (cache / "decks.cache").write_bytes(b"\x00garbage")
    parsed.clear()
    assert load()[0] == expected and "cached.yaml" in parsed
    parsed.clear()
    load()
    assert parsed == []


def test_an_unwritable_cache_folder_only_costs_speed(library, tmp_path):
    write, _, _ = library
    write("cached.yaml", DECK)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    found, problems = load_library(tmp_path / "decks", cache_dir=blocker / "cache")
    assert "cached" in {d.id for d in found} and problems == []


def test_quizzer_decks_sees_an_edited_deck_through_the_cache(quizzer_home):
    import json

    from typer.testing import CliRunner

    from quizzer.cli import app

    (quizzer_home / "decks").mkdir(parents=True)
    path = quizzer_home / "decks" / "cached.yaml"
    for title in ("Cached", "Renamed"):
        path.write_text(DECK.replace("title: Cached", f"title: {title}"), encoding="utf-8")
        os.utime(path, (LONG_AGO, LONG_AGO + len(title)))
        rows = json.loads(CliRunner().invoke(app, ["decks", "--json"]).stdout)
        assert [r["title"] for r in rows if r["id"] == "cached"] == [title]
        assert (quizzer_home / "cache" / "decks.cache").is_file()
