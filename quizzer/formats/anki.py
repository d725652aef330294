"""What Anki's text export and packages share: HTML to plain text, card templates, cloze numbers, guids, times."""

from __future__ import annotations

import bisect
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)  # a revlog id counts milliseconds from it
MEDIA_TAGS = {"img", "audio", "video", "source", "object", "embed", "iframe"}
BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "tr", "table", "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5",
              "h6"}
HIDDEN_TAGS = {"script", "style"}  # their content is code, never card text
SOUND = re.compile(r"\[sound:[^\]]*\]")
# {{cN::answer::hint}}: the answer runs to the first `::` or `}}`, the hint to the first `}}`. Possessive
# repeats never give back, and an unclosed cloze takes the rest of the text (group 2 None), so no start
# is rescanned: linear, where `\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}` was cubic on "{{c1::a:" * n.
ANKI_CLOZE = re.compile(r"\{\{c(\d+)::(?:((?:(?!::|\}\}).)*+)(?:::((?:(?!\}\}).)*+))?\}\}|.*)", re.S)
# Templates are read tag by tag, as Anki reads them: from a `{{` to the next `}}`. A `{{` never closed
# takes the text up to the next `}` as a non-tag (group 2 None), so no start is rescanned; the patterns
# below then look inside one tag at a time. Searching whole templates took quadratic or cubic time.
TAG = re.compile(r"\{\{([^}]*+)(\}\})?")
TYPE_IN = re.compile(r"\s*type:(?:[^:]*:)?(.+)", re.S)  # {{type:Field}}, {{type:cloze:Field}}
CLOZE_FIELD = re.compile(r"\s*(?:.*:)?cloze:(.+)", re.S)  # {{cloze:Field}}, {{filter:cloze:Field}}
HR = re.compile(r"<hr[^>]*+(>)?", re.I)  # the same for <hr ...>: an unclosed one takes the rest
ANSWER_ID = re.compile(r"\bid\s*=\s*['\"]?answer\b", re.I)
MAX_NESTING = 20  # sections inside sections; Anki's own templates nest two or three deep
QUIZZER_GUID = re.compile(r"^quizzer:([a-z0-9]+(?:-[a-z0-9]+)*):([A-Za-z0-9][A-Za-z0-9_.:-]*)$")
PLAIN_GUID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.media = 0
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in HIDDEN_TAGS:
            self.hidden += 1
        elif tag in MEDIA_TAGS:
            self.media += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in BLOCK_TAGS:
            self._line_break()

    def handle_startendtag(self, tag: str, attrs) -> None:
        self.handle_starttag(tag, attrs)
        if tag in HIDDEN_TAGS:
            self.hidden -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN_TAGS:
            self.hidden = max(0, self.hidden - 1)
        elif tag in BLOCK_TAGS:
            self._line_break()

    def _line_break(self) -> None:
        # A block starts and ends on a line of its own; back-to-back blocks share one break.
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data.replace("\n", " "))  # in HTML a line break in the source is a space


def html_to_text(html: str) -> tuple[str, int]:
    """Plain text from an Anki field: tags removed, entities decoded, <br> and blocks as new lines.

    Returns the text and how many media references (images, audio, video, [sound:...]) were dropped.
    Scripts and styles are dropped whole; an escaped `&lt;script&gt;` stays as literal text.
    """
    # A `<` after the last `>` is text, whatever follows it; escaped, the parser does not rescan the rest
    # of the field from each one (quadratic on "<a" * n).
    last = html.rfind(">") + 1
    html = html[:last] + html[last:].replace("<", "&lt;")
    try:
        parser = _parsed(html)
    except AssertionError:  # Python before 3.13 asserts on a malformed `<![` declaration: read it as text
        parser = _parsed(html.replace("<![", "&lt;!["))
    return tidy("".join(parser.parts), parser.media)


def _parsed(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser


def tidy(text: str, media: int = 0) -> tuple[str, int]:
    """Drop [sound:...] references and collapse spaces on each line and runs of blank lines."""
    closed = text.rfind("]") + 1  # no [sound:…] closes past the last `]`: searching there would rescan it
    head, sounds = SOUND.subn("", text[:closed])
    text = head + text[closed:]
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, media + sounds


def render(template: str, fields: dict[str, str]) -> str:
    """An Anki card template filled in: {{Field}}, {{filter:Field}}, {{#Field}}…{{/Field}}, {{^Field}}…{{/Field}}.

    Type-in boxes, text-to-speech and {{FrontSide}} render as nothing: the question is shown apart.
    """
    for _ in range(MAX_NESTING):  # sections nest: resolve the outermost until nothing changes
        resolved = _sections(template, fields)
        if resolved == template:
            break
        template = resolved

    def field(match: re.Match) -> str:
        inside = match.group(1)
        if match.group(2) is None or not inside or inside[0] in "#^/":
            return match.group(0)
        filters, _, name = inside.strip().rpartition(":")
        if name == "FrontSide" or filters.startswith(("type", "tts")):
            return ""
        return fields.get(name.strip(), "")

    return TAG.sub(field, template)


def _tags(template: str) -> list[tuple[int, int, str]]:
    """Each `{{tag}}` in a template: where it starts and ends, and what is inside."""
    return [(m.start(), m.end(), m.group(1)) for m in TAG.finditer(template) if m.group(2)]


def _sections(template: str, fields: dict[str, str]) -> str:
    """One pass over the outermost {{#Field}}…{{/Field}} (shown when Field has text) and {{^Field}}…{{/Field}}."""
    tags = _tags(template)
    closes: dict[str, list[int]] = {}  # each name's closing tags, by position in `tags`
    for k, (_, _, inside) in enumerate(tags):
        if inside.startswith("/"):
            closes.setdefault(inside[1:].strip(), []).append(k)
    out, done, k = [], 0, 0
    while k < len(tags):
        start, end, inside = tags[k]
        name = inside[1:].strip()
        later = closes.get(name, []) if inside[:1] in ("#", "^") and name else []
        close = bisect.bisect_right(later, k)
        if close == len(later):
            k += 1
            continue
        k = later[close]
        shown = bool(fields.get(name, "").strip()) == (inside[0] == "#")
        out += [template[done:start], template[end:tags[k][0]] if shown else ""]
        done = tags[k][1]
        k += 1
    return "".join(out) + template[done:]


def answer_side(rendered: str) -> str:
    """The part of a rendered answer template below Anki's `<hr id=answer>` (all of it without one)."""
    for match in HR.finditer(rendered):
        if match.group(1) and ANSWER_ID.search(match.group(0)):
            return rendered[match.end():]
    return rendered


def _inside_tag(pattern: re.Pattern, template: str) -> str | None:
    """Group 1 of `pattern` in the first tag it matches, without spaces at the end."""
    for _, _, inside in _tags(template):
        if match := pattern.fullmatch(inside):
            return match.group(1).rstrip() or match.group(1)
    return None


def typed_field(qfmt: str) -> str | None:
    """The field a 'type in the answer' template asks for, if any."""
    return _inside_tag(TYPE_IN, qfmt)


def cloze_field(qfmt: str, fields: tuple[str, ...]) -> str:
    found = _inside_tag(CLOZE_FIELD, qfmt)
    return found if found is not None else (fields[0] if fields else "")


def cloze_text(text: str, number: int) -> str | None:
    """Anki cloze text as quizzer cloze text for card `number`: its clozes become {{blanks}}, the others plain
    text (hints dropped). None when the text has no cloze with that number."""
    found = False

    def blank(match: re.Match) -> str:
        nonlocal found
        if match.group(2) is None:
            return match.group(0)
        if int(match.group(1)) == number:
            found = True
            return "{{" + match.group(2) + "}}"
        return match.group(2)

    converted = ANKI_CLOZE.sub(blank, text)
    return converted if found else None


def cloze_numbers(text: str) -> list[int]:
    return sorted({int(m.group(1)) for m in ANKI_CLOZE.finditer(text) if m.group(2) is not None})


def card_id(guid: str, suffix: str | None = None) -> str:
    """A quizzer card id from an Anki note guid (and, for a note's later cards, a suffix such as '2' or 'c3').

    A guid quizzer wrote (`quizzer:DECK:CARD`) gives back CARD; a guid that is already a valid id is kept;
    any other is spelled out with `_xx` escapes, so different guids never share an id.
    """
    match = QUIZZER_GUID.match(guid)
    if match:
        base = match.group(2)
    elif PLAIN_GUID.match(guid):
        base = guid
    else:
        base = "anki_" + "".join(
            ch if ch.isascii() and (ch.isalnum() or ch in ".-") else "".join(f"_{b:02x}" for b in ch.encode())
            for ch in guid
        )
    return f"{base}:{suffix}" if suffix else base


def deck_id_hint(guid: str) -> str | None:
    """The quizzer deck id inside a guid quizzer wrote, if it is one."""
    match = QUIZZER_GUID.match(guid)
    return match.group(1) if match else None


def guid_for(deck_id: str, card_id: str) -> str:
    """The guid quizzer writes for a card: unique in an Anki collection, and read back to the same ids."""
    return f"quizzer:{deck_id}:{card_id}"


def millis(moment: datetime) -> int:
    """Milliseconds since 1970, as Anki's revlog ids count time; in whole numbers, as a float may round down."""
    return (moment - EPOCH) // timedelta(milliseconds=1)
