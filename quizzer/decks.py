"""Read deck files into `Deck` objects, reporting every problem as `PATH:LINE: message`.

YAML is composed into a node tree (never constructed as arbitrary objects), so each value keeps
its line and nothing in a deck can run code or expand aliases.
"""

from __future__ import annotations

import contextlib
import datetime
import difflib
import functools
import gc
import hashlib
import importlib.util
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import astuple, dataclass
from pathlib import Path

from quizzer.cardtypes import CARD_TYPES, COMMON_KEYS, INVALID
from quizzer.deck_cache import ParseCache
from quizzer.model import DECK_ID_PATTERN, Card, Deck, Kind, replace_blanks

MAX_DECK_BYTES = 10 * 1024 * 1024
# Cards one imported file (spreadsheet, Anki export) may make: counted as it is read, so a huge file
# is refused in a moment instead of after gigabytes and minutes.
MAX_IMPORT_CARDS = 50_000
BUILTIN_DIR_NAMES = ("_builtin_decks",)  # inside an installed wheel


def _lazy_module(name: str):
    """The module `name`, its code run when one of its attributes is first read: PyYAML (12 ms) only when a
    deck file is parsed, not on the runs whose every deck the parse cache serves."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = sys.modules[name] = importlib.util.module_from_spec(spec)  # its own submodules import through it
    spec.loader.exec_module(module)
    return module


yaml = _lazy_module("yaml")


@functools.cache
def _loader() -> type:
    """The loader every deck file is composed with: libyaml's safe one where it is built, else PyYAML's."""
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def _constructor():
    return yaml.constructor.SafeConstructor()


_STR_TAG = "tag:yaml.org,2002:str"
_TAG_NAMES = {f"tag:yaml.org,2002:{tag}": name for tag, name in (
    ("int", "integer"), ("float", "number"), ("timestamp", "date"), ("bool", "true/false value"))}

DECK_KEYS = ("id", "title", "description", "tags", "source", "cards")
ALL_CARD_KEYS = tuple(dict.fromkeys(COMMON_KEYS + sum((t.keys for t in CARD_TYPES.values()), ())))
CARD_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*\Z")  # \Z: $ allows a final newline
# What derived_card_id makes (a spreadsheet row without an id gets one): the question names such a card better.
_DERIVED_ID = re.compile(rf"^(?:{'|'.join(kind.value for kind in Kind)})-[0-9a-f]{{10}}$")


@dataclass(frozen=True)
class Problem:
    path: str
    line: int  # 1-based; 0 when the problem is about the whole file
    message: str
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {'warning: ' if self.warning else ''}{self.message}"


class DeckError(Exception):
    """A deck file (or set of files) has problems; `problems` lists every one."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class _Collector:
    """Gathers problems for one file so validation reports all of them, not just the first."""

    def __init__(self, path: str):
        self.path = path
        self.problems: list[Problem] = []
        self.errors = 0
        self.card: tuple[yaml.Node, int] | None = None  # the card being read (its node and place), to name it

    def error(self, node: yaml.Node | None, message: str) -> None:
        self.problems.append(Problem(self.path, _line(node), self._prefix() + message))
        self.errors += 1

    def warn(self, node: yaml.Node | None, message: str) -> None:
        self.problems.append(Problem(self.path, _line(node), self._prefix() + message, warning=True))

    def _prefix(self) -> str:
        return f"card {_card_label(*self.card)}: " if self.card else ""  # worked out only for a problem

    @property
    def failed(self) -> bool:
        return self.errors > 0


def _line(node: yaml.Node | None) -> int:
    return node.start_mark.line + 1 if node is not None else 0


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Parsing makes a great many short-lived objects and no reference cycles, so the cycle collector
    only rescans what is already loaded, again and again: 3.5x slower on one 10,000-card deck, 2.7x
    on a 100,000-card library. Reference counting still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check_deck(path: Path, *, builtin: bool = False) -> tuple[Deck | None, list[Problem]]:
    """Parse and validate one deck file. Returns the deck (None if it has errors) and all problems."""
    with _collector_paused():
        return _check_deck(path, builtin)


def _check_deck(path: Path, builtin: bool) -> tuple[Deck | None, list[Problem]]:
    out = _Collector(str(path))
    text = _read_text(path, out)
    if text is None:
        return None, out.problems
    try:
        root = yaml.compose(text, Loader=_loader())
    except yaml.YAMLError as exc:
        return None, [_syntax_problem(str(path), text, exc)]
    if root is None:
        return None, [Problem(str(path), 0, "the file is empty; a deck needs id, title and cards")]
    deck = _DeckReader(out).deck(root, path, builtin)
    return (None if out.failed else deck), out.problems


_INDENTATION = "check the indentation of the lines above"
# What most often causes each of PyYAML's complaints, as (words in its message, hint); the first match wins.
_SYNTAX_HINTS = (
    ("tab character", "indent with spaces, not tabs"),
    ("did not find expected", _INDENTATION),
    ("expected <block end>", _INDENTATION),
    ("undefined alias", "a text starting with * needs quotes around it"),
    ("cannot start any token", "a text starting with @, ` or % needs quotes around it"),
)


def _syntax_problem(path: str, text: str, exc: yaml.YAMLError) -> Problem:
    """PyYAML's complaint in one line, at its line, with what to look for where that is likely."""
    mark, context = getattr(exc, "problem_mark", None), getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    hint = next((hint for words, hint in _SYNTAX_HINTS if words in problem), "")
    if "mapping values are not allowed" in problem and mark is not None:
        # `question: Who: what?` has a second ': ' on its line; a lone key there sits under a text it continues.
        lines = text.splitlines()
        before = lines[mark.line][:mark.column] if mark.line < len(lines) else ""
        hint = "a text holding ': ' needs quotes around it" if ": " in before else _INDENTATION
    elif context is not None and "quoted" in (exc.context or ""):
        hint = f"the quote opened on line {context.line + 1} is not closed"
    elif context is not None and "flow" in (exc.context or ""):
        hint = f"the bracket opened on line {context.line + 1} is not closed"
    return Problem(path, mark.line + 1 if mark is not None else 0,
                   f"YAML syntax error: {problem}" + (f"; {hint}" if hint else ""))


def load_deck(path: Path, *, builtin: bool = False) -> Deck:
    """Load one deck file, raising DeckError if it has errors (warnings are ignored)."""
    deck, problems = check_deck(path, builtin=builtin)
    if deck is None:
        raise DeckError([p for p in problems if not p.warning])
    return deck


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """A text file's contents (UTF-8, with or without BOM), or None and why: missing, a folder, over 10 MB,
    not UTF-8 or empty. Shared by every text deck format."""
    out = _Collector(str(path))
    return _read_text(path, out), out.problems


def check_records(path: str, deck: dict, cards: list[tuple[int, dict]], *,
                  keep_valid: bool = False) -> tuple[Deck | None, list[Problem]]:
    """Validate a deck given as plain values (converted from a spreadsheet or Anki) by the rules of YAML decks.

    Each card comes with the line of its source file that its problems should name (0: the file as a whole).
    With `keep_valid` the deck is returned even when it has errors, holding the cards that have none (of
    two cards with one id, the first).
    """
    root = _node(deck, 0)
    root.value.append((_node("cards", 0), yaml.SequenceNode(
        "tag:yaml.org,2002:seq", [_node(card, line) for line, card in cards], _mark(0), _mark(0))))
    out = _Collector(path)
    result = _DeckReader(out).deck(root, Path(path), False)
    return (None if out.failed and not keep_valid else result), out.problems


def _mark(line: int) -> yaml.Mark:
    return yaml.Mark("", 0, line - 1, 0, None, None)


def _node(value: object, line: int) -> yaml.Node:
    """A YAML node for a plain value, placed at `line` so the deck reader's messages name it."""
    mark = _mark(line)
    if isinstance(value, dict):
        pairs = [(_node(str(k), line), _node(v, line)) for k, v in value.items()]
        return yaml.MappingNode("tag:yaml.org,2002:map", pairs, mark, mark)
    if isinstance(value, (list, tuple)):
        return yaml.SequenceNode("tag:yaml.org,2002:seq", [_node(v, line) for v in value], mark, mark)
    if isinstance(value, bool):
        return yaml.ScalarNode("tag:yaml.org,2002:bool", "true" if value else "false", mark, mark)
    return yaml.ScalarNode("tag:yaml.org,2002:str", str(value), mark, mark)


def _read_text(path: Path, out: _Collector) -> str | None:
    try:
        if path.is_dir():
            out.error(None, "is a folder, not a deck file")
            return None
        # Read at most one byte past the limit: the size a file reports is no bound (/dev/zero, a pipe).
        with path.open("rb") as file:
            data = file.read(MAX_DECK_BYTES + 1)
            size = os.fstat(file.fileno()).st_size
        if len(data) > MAX_DECK_BYTES:
            big = f"{size / 1e6:.1f} MB" if size > MAX_DECK_BYTES else "over 10 MB"
            out.error(None, f"the file is {big}; decks are limited to 10 MB")
            return None
    except FileNotFoundError:
        out.error(None, "no such file")
        return None
    except OSError as exc:
        out.error(None, f"cannot read the file: {exc.strerror}")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        out.problems.append(Problem(out.path, line, "the file is not UTF-8 text; save it as UTF-8"))
        out.errors += 1
        return None
    if not text.strip():
        out.error(None, "the file is empty; a deck needs id, title and cards")
        return None
    return text


class _Keys(dict):
    """A YAML mapping's values by key, remembering each key's node for line numbers."""

    def __init__(self) -> None:
        super().__init__()
        self.key_nodes: dict[str, yaml.Node] = {}


class _DeckReader:
    """Turns a composed YAML node tree into a Deck, recording problems as it goes."""

    def __init__(self, out: _Collector):
        self.out = out
        self.seen_nodes: set[int] = set()

    # -- generic node helpers ---------------------------------------------------------------

    def _mapping(self, node: yaml.Node, what: str | None) -> _Keys | None:
        """A mapping's keys; `what` names it in problems (None: the card being read, named by the collector)."""
        if not isinstance(node, yaml.MappingNode):
            self.out.error(node, f"{what or 'a card'} must be a mapping of keys to values")
            return None
        result = _Keys()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.out.error(key_node, f"{what + ': ' if what else ''}keys must be plain words")
                continue
            key = key_node.value
            if key in result:
                self.out.error(key_node, f"{what + ': ' if what else ''}'{key}' is given twice")
            result[key] = value_node
            result.key_nodes[key] = key_node
        return result

    def _check_alias(self, node: yaml.Node) -> bool:
        # An alias makes the same node appear twice; refusing them keeps "billion laughs"
        # decks from expanding and keeps every value tied to one line.
        if id(node) in self.seen_nodes:
            self.out.error(node, "YAML aliases (*name) are not allowed in decks")
            return False
        self.seen_nodes.add(id(node))
        return True

    def _scalar(self, node: yaml.Node, what: str) -> object:
        if not self._check_alias(node):
            return None
        if not isinstance(node, yaml.ScalarNode):
            self.out.error(node, f"{what} must be a single value, not a list or mapping")
            return None
        if node.tag == _STR_TAG:  # most values: the text as written (the constructor's slow way to it)
            return node.value
        # Call the tag's constructor directly: construct_object() would remember every node it
        # ever built in the shared constructor, growing with each deck a process reads.
        scalars = _constructor()
        construct = scalars.yaml_constructors.get(node.tag, scalars.yaml_constructors[None])
        try:
            return construct(scalars, node)
        except yaml.YAMLError:  # a tag PyYAML does not know: the text as written
            return node.value
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, OverflowError):
            # A scalar resolved (or tagged) as a date, number or boolean that is not one: `2012-02-30`,
            # `!!int abc`, `!!bool maybe`, an int of 4,300+ digits. The constructors fail in many ways.
            shown = node.value if len(node.value) <= 40 else node.value[:40] + "…"
            kind = _TAG_NAMES.get(node.tag, node.tag.rpartition(":")[2])
            self.out.error(node, f"{what}: '{shown}' is not a valid {kind}; put it in quotes to keep it as text")
            return INVALID

    def _text(self, node: yaml.Node, what: str, *, required: bool = True) -> str:
        value = self._scalar(node, what)
        if value is INVALID:
            return ""
        if value is None:
            if required and isinstance(node, yaml.ScalarNode):
                self.out.error(node, f"{what} is empty")
            return ""
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = node.value  # as written: YAML reads `010` as 8, `1:30` as 90, `.nan` as nan
        if not isinstance(value, str):
            quote = "; put it in quotes to keep it as text" if isinstance(value, (bool, datetime.date)) else ""
            self.out.error(node, f"{what} must be text, not {type(value).__name__}{quote}")
            return ""
        text = value.strip()
        if required and not text:
            self.out.error(node, f"{what} is empty")
        return text

    def _text_list(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:null":
            return (self._text(node, what),)
        if not self._check_alias(node):
            return ()
        if not isinstance(node, yaml.SequenceNode):
            if not (isinstance(node, yaml.ScalarNode)):
                self.out.error(node, f"{what} must be a list of texts")
            return ()
        return tuple(t for t in (self._text(item, f"an item of {what}") for item in node.value) if t)

    def _unknown_keys(self, keys: _Keys, known: tuple[str, ...], allowed: tuple[str, ...], what: str | None) -> None:
        """Flag keys outside `known`, suggesting the nearest of `allowed` (a likely typo)."""
        for key in keys:
            if key not in known:
                hint = difflib.get_close_matches(key, allowed, n=1)
                suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
                where = f"{what}: " if what else ""
                self.out.error(keys.key_nodes[key], f"{where}unknown key '{key}'{suggestion}")

    # -- deck and cards ---------------------------------------------------------------------

    def deck(self, root: yaml.Node, path: Path, builtin: bool) -> Deck | None:
        keys = self._mapping(root, "the deck")
        if keys is None:
            return None
        self._unknown_keys(keys, DECK_KEYS, DECK_KEYS, "the deck")
        deck_id = ""
        if "id" not in keys:
            self.out.error(root, "the deck has no 'id'")
        else:
            deck_id = self._text(keys["id"], "the deck id")
            if deck_id and not DECK_ID_PATTERN.match(deck_id):
                self.out.error(keys["id"], f"deck id '{deck_id}' may use only lowercase letters, digits and '-'")
        title = self._text(keys["title"], "the title") if "title" in keys else ""
        if "title" not in keys:
            self.out.error(root, "the deck has no 'title'")
        description = self._text(keys["description"], "the description", required=False) if "description" in keys else ""
        tags = self._text_list(keys["tags"], "tags") if "tags" in keys else ()
        source = self._source(keys["source"]) if "source" in keys else {}
        cards: list[Card] = []
        if "cards" not in keys:
            self.out.error(root, "the deck has no 'cards'")
        elif not isinstance(keys["cards"], yaml.SequenceNode) or not keys["cards"].value:
            self.out.error(keys["cards"], "'cards' must be a list with at least one card")
        else:
            cards = self._cards(keys["cards"], builtin)
        return Deck(
            id=deck_id, title=title, cards=tuple(cards), description=description, tags=tags,
            source=source, path=str(path), builtin=builtin,
        )

    def _source(self, node: yaml.Node) -> dict[str, str]:
        if isinstance(node, yaml.ScalarNode):
            return {"title": self._text(node, "source")}
        keys = self._mapping(node, "source") or {}
        return {k: self._text(v, f"source {k}", required=False) for k, v in keys.items()}

    def _cards(self, node: yaml.SequenceNode, builtin: bool) -> list[Card]:
        cards: list[Card] = []
        first_line: dict[str, int] = {}
        for number, card_node in enumerate(node.value, 1):
            card_id, card = self._card(card_node, builtin, number)
            if card_id in first_line:  # a card with other errors still holds its id
                self.out.error(card_node, f"duplicate card id '{card_id}' (first used on line {first_line[card_id]})")
                continue
            if card_id:
                first_line[card_id] = _line(card_node)
            if card is not None:
                cards.append(card)
        return cards

    def _card(self, node: yaml.Node, builtin: bool, number: int) -> tuple[str, Card | None]:
        """The card's id (as far as it could be read) and the card, None if it has errors."""
        self.out.card = (node, number)
        try:
            keys = self._mapping(node, None)
            return self._card_keys(node, keys, builtin) if keys is not None else ("", None)
        finally:
            self.out.card = None

    def _card_keys(self, node: yaml.Node, keys: _Keys, builtin: bool) -> tuple[str, Card | None]:
        errors_before = self.out.errors
        kind_name = self._text(keys["type"], "type") if "type" in keys else "flash"
        card_type = CARD_TYPES.get(kind_name)  # Kind is a str enum: the table is found by a name too
        if card_type is None:
            names = [kind.value for kind in CARD_TYPES]
            hint = difflib.get_close_matches(kind_name, names, n=1)
            suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
            self.out.error(keys["type"], f"unknown card type '{kind_name}' (one of {', '.join(names)}){suggestion}")
            allowed = ALL_CARD_KEYS  # the other keys are still checked, so one run lists every problem
        else:
            allowed = COMMON_KEYS + card_type.keys
            for key in keys:
                if key in ALL_CARD_KEYS and key not in allowed:
                    self.out.error(keys.key_nodes[key], f"'{key}' is not used by {card_type.kind.value} cards")
        self._unknown_keys(keys, ALL_CARD_KEYS, allowed, None)

        fields = card_type.read(_CardFields(self, card_type.kind, node, keys)) if card_type else None
        explain = self._text(keys["explain"], "explain", required=False) if "explain" in keys else ""
        ref = self._text(keys["ref"], "ref", required=False) if "ref" in keys else ""
        tags = self._text_list(keys["tags"], "tags") if "tags" in keys else ()
        card_id = ""
        if "id" in keys:
            card_id = self._text(keys["id"], "the card id")
            if card_id and not CARD_ID_PATTERN.match(card_id):
                self.out.error(keys["id"], f"card id '{card_id}' may use only letters, digits, '-', '_', '.' and ':'")
        elif fields is not None:
            card_id = derived_card_id(card_type.kind, fields["question"])
            if builtin:
                self.out.error(node, "built-in cards must have an 'id'")
            else:
                self.out.warn(node, f"has no 'id'; using '{card_id}' (progress is lost if the question changes)")
        if fields is None or self.out.errors > errors_before:
            return card_id, None
        return card_id, Card(id=card_id, kind=card_type.kind, explain=explain, ref=ref, tags=tags, line=_line(node),
                             **fields)


def _card_label(node: yaml.Node, number: int) -> str:
    """How problems name a card: by its id, else the start of its question, else its place in the list."""
    if isinstance(node, yaml.MappingNode):
        values = {key.value: value for key, value in node.value
                  if isinstance(key, yaml.ScalarNode) and isinstance(value, yaml.ScalarNode) and value.value.strip()}
        if "id" in values and not _DERIVED_ID.match(values["id"].value):
            return f"'{_short(values['id'].value)}'"
        for key in ("question", "text"):
            if key in values:
                return f'"{_short(values[key].value)}"'
    return str(number)


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


class _CardFields:
    """One card's keys for its type's `read` (the `cardtypes.Fields` protocol), problems at their lines."""

    def __init__(self, reader: _DeckReader, kind: Kind, node: yaml.Node, keys: _Keys):
        self.reader, self.kind, self.node, self.keys = reader, kind, node, keys

    def has(self, key: str) -> bool:
        return key in self.keys

    def require(self, key: str) -> bool:
        if key not in self.keys:
            self.reader.out.error(self.node, f"a {self.kind.value} card needs '{key}'")
        return key in self.keys

    def text(self, key: str) -> str:
        return self.reader._text(self.keys[key], key)

    def texts(self, key: str) -> tuple[str, ...]:
        return self.reader._text_list(self.keys[key], key)

    def value(self, key: str) -> object:
        return self.reader._scalar(self.keys[key], key)

    def is_list(self, key: str) -> bool:
        return isinstance(self.keys[key], yaml.SequenceNode)

    def error(self, key: str | None, message: str) -> None:
        self.reader.out.error(self.node if key is None else self.keys[key], message)


def derived_card_id(kind: Kind, question: str) -> str:
    """A stable id for a card without one, from its type and question (never its answer)."""
    basis = replace_blanks(question, lambda _: "{{}}") if CARD_TYPES[kind].answers_in_text else question
    digest = hashlib.sha1(f"{kind.value}\n{' '.join(basis.split())}".encode()).hexdigest()
    return f"{kind.value}-{digest[:10]}"


# -- finding decks --------------------------------------------------------------------------


def builtin_deck_dir() -> Path:
    """The built-in decks: packed into the wheel, or the repository's decks/ folder in a checkout."""
    package = Path(__file__).resolve().parent
    for name in BUILTIN_DIR_NAMES:
        if (package / name).is_dir():
            return package / name
    return package.parent / "decks"


def deck_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_library(
    user_deck_dir: Path, linked: Iterable[Path] = (), cache_dir: Path | None = None,
) -> tuple[list[Deck], list[Problem]]:
    """Load the built-in and user decks: the decks folder, then `linked` deck files kept elsewhere.

    Decks with errors are left out and their problems returned. With `cache_dir`, files unchanged
    since the last run (same path, size and modification time) are not parsed again.
    """
    problems: list[Problem] = []
    decks: list[Deck] = []
    sources = [(p, True) for p in deck_files(builtin_deck_dir())]
    sources += [(p, False) for p in deck_files(user_deck_dir)]
    sources += [(p, False) for p in linked]
    with _collector_paused():
        cache = ParseCache(cache_dir)
        for path, builtin in sources:
            deck, found = _check_cached(path, builtin, cache)
            problems += [p for p in found if not p.warning]
            if deck is not None:
                decks.append(deck)
        cache.save()
    clashes = duplicate_deck_ids(decks)
    clashing_paths = {p.path for p in clashes}
    return [d for d in decks if d.path not in clashing_paths], problems + clashes


def _check_cached(path: Path, builtin: bool, cache: ParseCache) -> tuple[Deck | None, list[Problem]]:
    cached = cache.get(path, builtin, reparse=_ParsedAgain(path, builtin))
    if cached is not None:
        deck, problems = cached
        return deck, [Problem(*problem) for problem in problems]
    deck, problems = check_deck(path, builtin=builtin)
    cache.put(path, builtin, deck, [astuple(problem) for problem in problems])
    return deck, problems


class _ParsedAgain:
    """For a cached deck found damaged once read (a card's body, the ids, tags or kinds): the file parsed
    again (once); DeckError if it no longer holds what the cache said (it changed while quizzer ran)."""

    def __init__(self, path: Path, builtin: bool):
        self.path, self.builtin = path, builtin

    @functools.cached_property
    def parsed(self) -> Deck | None:
        return check_deck(self.path, builtin=self.builtin)[0]

    def deck(self, count: int) -> Deck:
        if self.parsed is None or len(self.parsed.cards) != count:
            raise self._changed(f"this file no longer holds the {count:,} cards cached for it")
        return self.parsed

    def card(self, card_id: str) -> Card:
        found = self.parsed.card(card_id) if self.parsed is not None else None
        if found is None:
            raise self._changed(f"card '{card_id}' is no longer in this file")
        return found

    def _changed(self, what: str) -> DeckError:
        return DeckError([Problem(str(self.path), 0, f"{what}: it changed while quizzer was running; "
                                  "run the command again")])


def duplicate_deck_ids(decks: Iterable[Deck]) -> list[Problem]:
    first: dict[str, Deck] = {}
    problems = []
    for deck in decks:
        if deck.id in first:
            problems.append(Problem(deck.path, 1, f"deck id '{deck.id}' is already used by {first[deck.id].path}"))
        else:
            first[deck.id] = deck
    return problems


# -- writing --------------------------------------------------------------------------------


@functools.cache
def _dumper() -> type:
    class Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # libyaml's emitter is ~10x faster when present
        """Multi-line text as `|` blocks, so written decks read like hand-written ones."""

    Dumper.add_representer(
        str,
        lambda dumper, text: dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None),
    )
    return Dumper


def deck_yaml(deck: Deck) -> str:
    """The deck as a YAML deck file that `check_deck` reads back to the same deck, every card id written out."""
    data: dict = {"id": deck.id, "title": deck.title}
    if deck.description:
        data["description"] = deck.description
    if deck.tags:
        data["tags"] = list(deck.tags)
    if deck.source:
        data["source"] = dict(deck.source)
    data["cards"] = [card_data(card) for card in deck.cards]
    return yaml.dump(data, Dumper=_dumper(), sort_keys=False, allow_unicode=True, width=100)


def card_data(card: Card) -> dict:
    """A card as the plain keys and values of the deck format (the inverse of reading one)."""
    data: dict = {"id": card.id}
    if card.kind is not Kind.FLASH:
        data["type"] = card.kind.value
    data |= CARD_TYPES[card.kind].data(card)
    for key in ("explain", "ref"):
        if getattr(card, key):
            data[key] = getattr(card, key)
    if card.tags:
        data["tags"] = list(card.tags)
    return data
