"""What Anki's text export and packages share: HTML to plain text, card templates, cloze numbers, guids."""

from __future__ import annotations

import re
from html.parser import HTMLParser

MEDIA_TAGS = {"img", "audio", "video", "source", "object", "embed", "iframe"}
BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "tr", "table", "blockquote", "pre", "hr", "h1", "h2", "h3", "h4", "h5",
              "h6"}
HIDDEN_TAGS = {"script", "style"}  # their content is code, never card text
SOUND = re.compile(r"\[sound:[^\]]*\]")
ANKI_CLOZE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.S)
SECTION = re.compile(r"\{\{([#^])\s*([^}]+?)\s*\}\}(.*?)\{\{/\s*\2\s*\}\}", re.S)
FIELD = re.compile(r"\{\{\s*([^#^/}][^}]*?)\s*\}\}")
TYPE_IN = re.compile(r"\{\{\s*type:(?:[^:}]*:)?([^}]+?)\s*\}\}")
CLOZE_FIELD = re.compile(r"\{\{\s*(?:[^}]*:)?cloze:([^}]+?)\s*\}\}")
ANSWER_RULE = re.compile(r"<hr[^>]*\bid\s*=\s*['\"]?answer\b[^>]*>", re.I)
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
    parser = _Text()
    parser.feed(html)
    parser.close()
    return tidy("".join(parser.parts), parser.media)


def tidy(text: str, media: int = 0) -> tuple[str, int]:
    """Drop [sound:...] references and collapse spaces on each line and runs of blank lines."""
    text, sounds = SOUND.subn("", text)
    lines = [" ".join(line.split()) for line in text.replace("\r\n", "\n").split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, media + sounds


def render(template: str, fields: dict[str, str]) -> str:
    """An Anki card template filled in: {{Field}}, {{filter:Field}}, {{#Field}}…{{/Field}}, {{^Field}}…{{/Field}}.

    Type-in boxes, text-to-speech and {{FrontSide}} render as nothing: the question is shown apart.
    """
    previous = None
    while previous != template:  # sections nest; resolve until nothing changes
        previous = template
        template = SECTION.sub(
            lambda m: m.group(3) if bool(fields.get(m.group(2), "").strip()) == (m.group(1) == "#") else "", template
        )

    def field(match: re.Match) -> str:
        filters, _, name = match.group(1).rpartition(":")
        if name == "FrontSide" or filters.startswith(("type", "tts")):
            return ""
        return fields.get(name.strip(), "")

    return FIELD.sub(field, template)


def answer_side(rendered: str) -> str:
    """The part of a rendered answer template below Anki's `<hr id=answer>` (all of it without one)."""
    parts = ANSWER_RULE.split(rendered, maxsplit=1)
    return parts[-1]


def typed_field(qfmt: str) -> str | None:
    """The field a 'type in the answer' template asks for, if any."""
    match = TYPE_IN.search(qfmt)
    return match.group(1) if match else None


def cloze_field(qfmt: str, fields: tuple[str, ...]) -> str:
    match = CLOZE_FIELD.search(qfmt)
    return match.group(1) if match else (fields[0] if fields else "")


def cloze_text(text: str, number: int) -> str | None:
    """Anki cloze text as quizzer cloze text for card `number`: its clozes become {{blanks}}, the others plain
    text (hints dropped). None when the text has no cloze with that number."""
    found = False

    def blank(match: re.Match) -> str:
        nonlocal found
        if int(match.group(1)) == number:
            found = True
            return "{{" + match.group(2) + "}}"
        return match.group(2)

    converted = ANKI_CLOZE.sub(blank, text)
    return converted if found else None


def cloze_numbers(text: str) -> list[int]:
    return sorted({int(m.group(1)) for m in ANKI_CLOZE.finditer(text)})


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
