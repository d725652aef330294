"""Damaged, cut-off or foreign deck cache files (QUIZZER_HOME/cache/decks.cache).

The cache is a convenience: whatever is in the file, the decks read are the decks parsed from their
files, and no command prints a traceback. Add a case as one line of DAMAGE.
"""

import json
import marshal
import os
import struct
import time

import pytest
from typer.testing import CliRunner

from quizzer import deck_cache
from quizzer.cli import app
from quizzer.decks import load_library

DECK = """\
id: cached
title: Cached
cards:
  - id: one
    type: typed
    question: Capital of Mali?
    answer: Bamako
  - id: two
    type: cloze
    text: "In {{1960|sixty}} Mali became independent from {{France}}."
  - id: three
    question: Who led the March 2012 coup?
    answer: Amadou Sanogo
    tags: [people]
"""
LONG_AGO = time.time() - 3600
HEADER = struct.Struct("<QQ")


def index_length(data: bytes) -> int:
    return HEADER.unpack(data[:HEADER.size])[0]


def flip_body_bytes(data: bytes) -> bytes:
    """Every byte of the card bodies inverted, the index left whole: the damage shows only when a card is built."""
    start = HEADER.size + index_length(data)
    return data[:start] + bytes(b ^ 0xFF for b in data[start:])


def with_entries(change):
    """The cache file with each index entry changed by `change(entry)`, its bodies kept."""
    def damage(data: bytes) -> bytes:
        length = index_length(data)
        key, entries = marshal.loads(data[HEADER.size:HEADER.size + length])
        head = marshal.dumps((key, {name: change(entry) for name, entry in entries.items()}))
        bodies = data[HEADER.size + length:]
        return HEADER.pack(len(head), len(bodies)) + head + bodies
    return damage


COUNT, IDS, SORTED, LABELS, OFFSETS = 5, 6, 7, 8, 9  # an entry's count of cards, ids (in file order, by code
# point), tags and kinds, offsets


def with_bodies(change):
    """The cache file with each card's body replaced by `change(its unmarshalled value)`, marshalled."""
    def damage(data: bytes) -> bytes:
        length = index_length(data)
        key, entries = marshal.loads(data[HEADER.size:HEADER.size + length])
        bodies, changed, at = data[HEADER.size + length:], [], 0
        for name, entry in entries.items():
            starts = struct.unpack(f"<{len(entry[OFFSETS]) // 8}Q", entry[OFFSETS])
            mine = [marshal.dumps(change(marshal.loads(bodies[a:b]))) for a, b in zip(starts, starts[1:])]
            spans = [at + sum(map(len, mine[:n])) for n in range(len(mine) + 1)]
            entries[name] = put(entry, OFFSETS, struct.pack(f"<{len(spans)}Q", *spans))
            changed += mine
            at = spans[-1]
        head = marshal.dumps((key, entries))
        return HEADER.pack(len(head), at) + head + b"".join(changed)
    return damage


def put(entry: tuple, at: int, value) -> tuple:
    return (*entry[:at], value, *entry[at + 1:])


def relabel(entry: tuple, tags=None, kinds=None, more: int = 0) -> bytes:
    """An entry's packed tags and kinds with one of them replaced by that value for each card (and `more`)."""
    old_tags, old_kinds = marshal.loads(entry[LABELS])
    count = entry[COUNT] + more
    return marshal.dumps((old_tags if tags is None else (tags,) * count, old_kinds if kinds is None else (kinds,) * count))


def shift_offsets(offsets: bytes) -> bytes:
    """The first card's body read from the second's place (every span still in order, the second empty)."""
    starts = list(struct.unpack(f"<{len(offsets) // 8}Q", offsets))
    starts[:2] = starts[1:3]
    return struct.pack(f"<{len(starts)}Q", *starts)


DAMAGE = [
    # (what, the cache file's bytes made from the good ones)
    ("empty", lambda data: b""),
    ("garbage", lambda data: b"\x00garbage"),
    ("cut inside the header", lambda data: data[:5]),
    ("cut inside the index", lambda data: data[:HEADER.size + index_length(data) // 2]),
    ("cut inside the bodies", lambda data: data[:-7]),
    ("a byte more", lambda data: data + b"\x00"),
    ("a header that lies", lambda data: HEADER.pack(2**63, 2**63) + data[HEADER.size:]),
    ("an index that is not marshal", lambda data: data[:HEADER.size] + b"\xff" * index_length(data)
     + data[HEADER.size + index_length(data):]),
    ("bodies inverted", flip_body_bytes),
    ("offsets of a wrong length", with_entries(lambda entry: put(entry, OFFSETS, entry[OFFSETS][:-3]))),
    ("offsets backwards", with_entries(lambda entry: put(entry, OFFSETS, entry[OFFSETS][::-1]))),
    ("a body read from the next card's place", with_entries(lambda entry: put(entry, OFFSETS,
                                                                              shift_offsets(entry[OFFSETS])))),
    ("offsets of one card fewer", with_entries(lambda entry: put(entry, OFFSETS, entry[OFFSETS][:-8]))),
    ("a count of one card more", with_entries(lambda entry: put(entry, COUNT, entry[COUNT] + 1))),
    ("ids that are not JSON", with_entries(lambda entry: put(entry, IDS, entry[IDS][:-2]))),
    ("one id fewer than cards", with_entries(lambda entry: put(entry, IDS, json.dumps(json.loads(entry[IDS])[:-1])))),
    ("ids that are not a list", with_entries(lambda entry: put(entry, IDS, json.dumps(
        {f"x{n}": n for n in range(entry[COUNT])})))),
    ("ids of another type", with_entries(lambda entry: put(entry, IDS, tuple(json.loads(entry[IDS]))))),
    ("ids by code point of another type", with_entries(lambda entry: put(entry, SORTED, 5))),  # never equal: sets
    ("tags and kinds that are not marshal", with_entries(lambda entry: put(entry, LABELS, b"\xff" * 9))),
    ("tags and kinds cut short", with_entries(lambda entry: put(entry, LABELS, entry[LABELS][:-3]))),
    ("tags and kinds that are one number", with_entries(lambda entry: put(entry, LABELS, marshal.dumps(5)))),
    ("a kind that is none", with_entries(lambda entry: put(entry, LABELS, relabel(entry, kinds="riddle")))),
    ("one kind too many", with_entries(lambda entry: put(entry, LABELS, relabel(entry, kinds="flash", more=1)))),
    ("one tag list fewer", with_entries(lambda entry: put(entry, LABELS, relabel(entry, tags=(), more=-1)))),
    ("an entry cut short", with_entries(lambda entry: entry[:4])),
    ("bodies that are numbers", with_bodies(lambda body: 5)),  # TypeError
    ("bodies cut short", with_bodies(lambda body: body[:2])),  # IndexError
    ("bodies of a kind that is none", with_bodies(lambda body: (body[0], "riddle", *body[2:]))),  # KeyError
    ("an entry of the last format", with_entries(lambda entry: (*entry[:SORTED], *entry[SORTED + 1:]))),
    ("the format before this one", lambda data: marshal.dumps((("old",), {}))),
    ("an index of the wrong shape", lambda data: (lambda head: HEADER.pack(len(head), 0) + head)(
        marshal.dumps((deck_cache._parser_key(), {"x": (1, 2)})))),
]


@pytest.fixture
def home(quizzer_home):
    (quizzer_home / "decks").mkdir(parents=True)
    path = quizzer_home / "decks" / "cached.yaml"
    path.write_text(DECK, encoding="utf-8")
    os.utime(path, (LONG_AGO, LONG_AGO))
    return quizzer_home


def load(home):
    return load_library(home / "decks", cache_dir=home / "cache")


@pytest.mark.parametrize(("what", "damage"), DAMAGE, ids=[what for what, _ in DAMAGE])
def test_a_damaged_cache_file_gives_the_decks_the_files_hold(home, what, damage):
    parsed, _ = load_library(home / "decks")
    load(home)  # writes the cache
    cache = home / "cache" / "decks.cache"
    cache.write_bytes(damage(cache.read_bytes()))
    decks, problems = load(home)
    assert problems == []
    def read(deck):  # everything a command reads: the deck, its cards, and their ids, tags and kinds without them
        return deck, list(deck.cards), deck.card_ids, deck.card_own_tags, deck.card_kinds

    assert list(map(read, decks)) == list(map(read, parsed))


@pytest.mark.parametrize(("what", "damage"), DAMAGE, ids=[what for what, _ in DAMAGE])
def test_commands_read_through_a_damaged_cache_file(home, what, damage):
    runner = CliRunner()
    runner.invoke(app, ["decks"])  # writes the cache
    cache = home / "cache" / "decks.cache"
    cache.write_bytes(damage(cache.read_bytes()))
    listed = runner.invoke(app, ["decks", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [r["cards"] for r in json.loads(listed.stdout) if r["id"] == "cached"] == [3]
    shown = runner.invoke(app, ["cards", "cached", "--json"])
    assert shown.exit_code == 0, shown.output
    assert "Who led the March 2012 coup?" in shown.stdout


# How the file was edited while the command ran: a card cut (the others still read from it again), or
# broken into a deck with errors (no card read from it).
EDITS = [("cut", DECK.split("  - id: three")[0], True), ("broken", DECK.replace("title: Cached\n", ""), False)]


@pytest.mark.parametrize(("what", "edited", "others_read"), EDITS, ids=[what for what, _, _ in EDITS])
def test_a_damaged_body_of_a_card_gone_from_its_changed_file_is_a_one_line_deck_error(home, what, edited, others_read):
    from quizzer.decks import DeckError, Problem

    load(home)
    cache = home / "cache" / "decks.cache"
    cache.write_bytes(flip_body_bytes(cache.read_bytes()))
    (deck,) = [d for d in load(home)[0] if d.id == "cached"]
    path = home / "decks" / "cached.yaml"
    path.write_text(edited, encoding="utf-8")
    if others_read:
        assert deck.card("one").answer == "Bamako"
    with pytest.raises(DeckError) as raised:
        deck.card("three")
    assert raised.value.problems == [Problem(str(path), 0, "card 'three' is no longer in this file: it changed "
                                             "while quizzer was running; run the command again")]


@pytest.mark.parametrize("edited", [edited for _, edited, _ in EDITS], ids=[what for what, _, _ in EDITS])
def test_damaged_ids_of_a_file_changed_to_other_cards_are_a_one_line_deck_error(home, edited):
    # The ids read again from a file that no longer holds the 3 cards cached: none of its cards is taken for them.
    from quizzer.decks import DeckError, Problem

    load(home)
    cache = home / "cache" / "decks.cache"
    cache.write_bytes(with_entries(lambda entry: put(entry, IDS, entry[IDS][:-2]))(cache.read_bytes()))
    (deck,) = [d for d in load(home)[0] if d.id == "cached"]
    path = home / "decks" / "cached.yaml"
    path.write_text(edited, encoding="utf-8")
    with pytest.raises(DeckError) as raised:
        deck.card_ids
    assert raised.value.problems == [Problem(str(path), 0, "this file no longer holds the 3 cards cached for it: it "
                                             "changed while quizzer was running; run the command again")]


def test_a_built_in_deck_read_again_is_held_to_the_built_in_rules(home, monkeypatch):
    # A built-in card without an id is an error, so the edited file holds no deck to read card three from.
    from quizzer import decks
    from quizzer.decks import DeckError

    builtin = home / "builtin"
    builtin.mkdir()
    path = builtin / "cached.yaml"
    path.write_text(DECK, encoding="utf-8")
    os.utime(path, (LONG_AGO, LONG_AGO))
    monkeypatch.setattr(decks, "builtin_deck_dir", lambda: builtin)
    (home / "decks" / "cached.yaml").unlink()
    load(home)
    cache = home / "cache" / "decks.cache"
    cache.write_bytes(flip_body_bytes(cache.read_bytes()))
    (deck,) = [d for d in load(home)[0] if d.id == "cached"]
    path.write_text(DECK.replace("  - id: one\n    type", "  - type"), encoding="utf-8")
    with pytest.raises(DeckError, match="card 'three' is no longer in this file"):
        deck.card("three")
