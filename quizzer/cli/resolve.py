"""Deck and card names as typed on the command line: the id itself, a whole-word prefix or suffix of one
id (`dates` for `mali-2012-dates`), or a one-line refusal that suggests the nearest ids.

Every command that takes a deck id or DECK/CARD goes through `resolve`, so a typo reads the same everywhere.
"""

from collections.abc import Iterable

from quizzer.cli.common import fail

MAX_SUGGESTIONS = 3


def closest(name: str, known: Iterable[str]) -> list[str]:
    """The ids of `known` nearest to `name` by edit distance, if within a slip of about one character in five;
    ties in id order, at most MAX_SUGGESTIONS."""
    from quizzer.grading import edit_distance

    limit = 1 + len(name) // 5
    near = sorted((edit_distance(name, id_, limit), id_) for id_ in set(known))
    if not near or near[0][0] > limit:
        return []
    return [id_ for distance, id_ in near if distance == near[0][0]][:MAX_SUGGESTIONS]


def word_matches(name: str, known: Iterable[str]) -> list[str]:
    """The ids that begin or end with `name` as whole words: `dates` and `mali-2012` in `mali-2012-dates`."""
    return sorted({id_ for id_ in known if id_.startswith(name + "-") or id_.endswith("-" + name)})


def resolve(name: str, known: Iterable[str], *, kind: str = "deck", listing: str | None = None) -> str:
    """The id of `known` that `name` stands for; otherwise exit 2 with one line naming `name`.

    The line suggests the nearest ids (`did you mean ...?`), else lists the `kind`s known, or says
    `listing` (a command that lists them) when there are too many to print.
    """
    known = sorted(set(known))
    if name in known:
        return name
    matches = word_matches(name, known)
    if len(matches) == 1:
        return matches[0]
    if matches:
        fail(f"'{name}' could be {_either(matches)}; give the whole {kind} id")
    near = closest(name, known)
    if near:
        fail(f"no {kind} '{name}'; did you mean {_either(near)}?")
    if listing is not None and len(known) > 10:
        fail(f"no {kind} '{name}'; {listing}")
    fail(f"no {kind} '{name}'; known {kind}s: {', '.join(known) or 'none'}")


def _either(ids: list[str]) -> str:
    quoted = [f"'{id_}'" for id_ in ids]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]


# -- shell completion (`quizzer --install-completion`) -----------------------------------------------
# Called by the shell at each Tab: quiet (a deck with problems is left out, never reported) and never
# failing (a broken library completes nothing rather than printing a traceback into the command line).


def _library_decks():
    from quizzer.config import paths
    from quizzer.decks import load_library
    from quizzer.library import read_links

    where = paths()
    decks, _ = load_library(where.decks, linked=read_links(where.linked).values(), cache_dir=where.cache)
    return decks


def complete_deck(incomplete: str) -> list[str]:
    """Deck ids that begin with what is typed."""
    try:
        return sorted(d.id for d in _library_decks() if d.id.startswith(incomplete))
    except Exception:  # noqa: BLE001 - completion must never break the shell
        return []


def complete_card(incomplete: str) -> list[str]:
    """`DECK/` for the decks that begin with what is typed; after the slash, that deck's `DECK/CARD`s."""
    try:
        decks = _library_decks()
        deck_id, slash, card = incomplete.partition("/")
        if not slash:
            return sorted(f"{d.id}/" for d in decks if d.id.startswith(deck_id))
        deck = next((d for d in decks if d.id == deck_id), None)
        return [f"{deck_id}/{c.id}" for c in deck.cards if c.id.startswith(card)] if deck else []
    except Exception:  # noqa: BLE001 - completion must never break the shell
        return []
