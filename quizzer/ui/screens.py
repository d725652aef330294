"""Rich screens for `decks`, `decks show` and `accepted`, and the one console every screen prints on.

Commands build plain rows; these functions lay them out. Outside text goes through `cells`. Every table
is `Fitted` to the screen: at 60 columns no id is broken and nothing is cut off.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.cells import cell_len
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from quizzer.model import plural
from quizzer.ui.text import breaks_after, cells, literal, local_time, packed


def console() -> Console:
    return Console(highlight=False)


def show(renderable: RenderableType) -> None:
    console().print(renderable)


COLUMN_GAP = 2  # a compact table's divider and padding between two columns


def compact_table(*, leading: int = 0) -> Table:
    """A table without borders; `leading=1` puts a blank line between rows whose cells take several lines.

    Give it exactly one column that may wrap (ids and free text, never cut inside an id) and make the
    others `no_wrap`; show it through `Fitted`.
    """
    return Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True, leading=leading)


class Fitted:
    """A compact table as it is when its widest words fit the screen, else each row as a block: the first
    cell on its own lines, then `header: value` pairs, so no id is broken and nothing is cut off at 60
    columns or less."""

    def __init__(self, table: Table):
        self.table = table
        self._widths = [column.width for column in table.columns]

    def needed(self, console_: Console, options: ConsoleOptions) -> int:
        """The narrowest width at which no cell breaks a word: no_wrap columns at their widest line,
        the wrapping column at its longest word."""
        return self._measure(console_, options)[0]

    def _measure(self, console_: Console, options: ConsoleOptions
                 ) -> tuple[int, list[int], list[list[RenderableType]]]:
        """`needed`, each column's natural width (its widest line), and its header and cells with text turned
        into `Text` once, as measuring does, so that `_lines` does not parse their markup again."""
        needed = COLUMN_GAP * (len(self.table.columns) - 1)
        natural, texts = [], []
        for column in self.table.columns:
            # Measuring renders a string without highlighting: the same Text only where the column has none.
            cells_ = [cell if column.highlight or not isinstance(cell, str) else
                      console_.render_str(cell, markup=options.markup, highlight=False)
                      for cell in (column.header, *column.cells)]
            sizes = [Measurement.get(console_, options, cell) for cell in cells_]
            natural.append(max(size.maximum for size in sizes))
            needed += natural[-1] if column.no_wrap else max(size.minimum for size in sizes)
            texts.append(cells_)
        return needed, natural, texts

    def __rich_console__(self, console_: Console, options: ConsoleOptions) -> RenderResult:
        needed, natural, texts = self._measure(console_, options)
        if needed > options.max_width:
            yield from self.blocks(options.max_width)
            return
        fits = sum(natural) + COLUMN_GAP * (len(natural) - 1) <= options.max_width
        # At its natural widths the table would measure every cell again (a 100-deck stats screen: a
        # third of its drawing); given them, it measures none and lays out the same.
        for column, width, own in zip(self.table.columns, natural, self._widths):
            column.width = width if fits and own is None else own
        lines = self._lines(console_, options, texts) if fits else None
        yield from [self.table] if lines is None else lines

    def _lines(self, console_: Console, options: ConsoleOptions, texts: list[list[RenderableType]]
               ) -> list[Segment] | None:
        """The segments rich's Table draws for a compact table at its columns' widths whose every cell is one
        line of text in one style, made directly (rich lays out each cell through four renderers: most of
        a 100-deck stats screen's drawing); None for any other table, which rich draws. `texts`: each
        column's header and cells, from `_measure`."""
        table = self.table
        columns = table.columns
        if not _compact_as_made(table):
            return None
        get_style = console_.get_style
        border = get_style(table.style or "") + get_style(table.border_style or "")
        header_style = get_style(table.header_style or "")
        last = len(columns) - 1
        # Padding (0, 1), collapsed and without edges: one space after each column but the last.
        widths = [column.width + (index < last) for index, column in enumerate(columns)]
        rows = [[(header_style + get_style(column.header_style), cells_[0]) for column, cells_ in zip(columns, texts)]]
        rows += [[(Style.null(), cell) for cell in row] for row in zip(*(cells_[1:] for cells_ in texts))]
        frame = table.box.substitute(options, safe=console_.safe_box if table.safe_box is None else table.safe_box)
        drawn = []
        for number, row in enumerate(rows):  # the header is row 0
            divider = Segment(frame.head_vertical if number == 0 else
                              frame.foot_vertical if number == len(rows) - 1 else frame.mid_vertical, border)
            for index, (column, (style, cell)) in enumerate(zip(columns, row)):
                text = cell if isinstance(cell, Text) else (
                    console_.render_str(cell, highlight=column.highlight, markup=options.markup)
                    if isinstance(cell, str) else None)
                plain = text.plain if text is not None else ""
                if (text is None or text.spans or text.justify or text.overflow or text.no_wrap is not None
                        or plain != plain.strip() or "\n" in plain or "\t" in plain or cell_len(plain) > column.width):
                    return None
                spaces = " " * (column.width - cell_len(plain))
                text_style = get_style(text.style) if text.style else None
                drawn.append(Segment(plain + spaces if column.justify == "left" else spaces + plain,
                                     style + text_style if style else text_style))
                if index < last:
                    drawn += [Segment(" ", style), divider]
            drawn.append(Segment.line())
            if number == 0:
                drawn += [Segment(frame.get_row(widths, "head", edge=False), border), Segment.line()]
            elif table.rows[number - 1].end_section and number < len(rows) - 1:
                drawn += [Segment(frame.get_row(widths, "row", edge=False), border), Segment.line()]
        return drawn

    def blocks(self, width: int) -> Iterator[RenderableType]:
        """Each row: its first cell, a cell of several lines as it is, then the other cells as `header: value`."""
        table = self.table
        if table.title:
            yield _text(table.title)
        rows = list(zip(*(column.cells for column in table.columns)))
        for number, (first, *rest) in enumerate(rows, 1):
            yield _broken_after_slashes(_text(first), width)
            pairs = []
            for column, cell in zip(table.columns[1:], rest):
                if "\n" in _text(cell).plain:
                    yield _text(cell)
                elif _text(cell).plain:
                    pairs.append(f"{_text(column.header).plain}: {_text(cell).plain}")
            yield Text("\n".join(packed(pairs, width - 2, "  ")))
            if table.leading and number < len(rows):
                yield Text()
        if table.caption:
            yield _text(table.caption)


def _broken_after_slashes(text: Text, width: int) -> Text:
    """`text` with each line that is one word wider than `width` (a DECK/CARD pair) broken after a "/"
    instead of where the width runs out, so that the card id stays whole (a piece wider than the screen
    is still folded); lines with spaces wrap at them as usual."""
    breaks, start = [], 0
    for line in text.plain.split("\n"):
        if cell_len(line) > width and not any(character.isspace() for character in line):
            breaks += [start + offset for offset in breaks_after("/", line, width)]
        start += len(line) + 1
    return Text("\n").join(text.divide(breaks)) if breaks else text


def _compact_as_made(table: Table) -> bool:
    """Whether `table` is laid out as `compact_table` makes it, with no setting `Fitted._lines` does not draw."""
    return bool(
        table.columns and table.box is box.SIMPLE_HEAD and table.show_header and not table.show_edge
        and not table.pad_edge and table.collapse_padding and table.padding == (0, 1, 0, 1)
        and not (table.leading or table.show_lines or table.show_footer or table.row_styles)
        and table.title is None and table.caption is None and table.width is None and not table.expand
        and all(row.style is None for row in table.rows)
        and all(c.justify in ("left", "right") and not c.style and c.vertical == "top"
                and c.min_width is None and c.max_width is None and c.ratio is None for c in table.columns))


def _text(cell: RenderableType) -> Text:
    """A table cell or title as Text (the table's cells and titles are strings or Text)."""
    return cell if isinstance(cell, Text) else Text(str(cell))


def _home_relative(path: str) -> str:
    """`path` with the home folder written as ~, as a shell would show it."""
    home = str(Path.home())
    return "~" + path[len(home):] if path == home or path.startswith(home + os.sep) else path


def decks_table(rows: list[dict]) -> RenderableType:
    """`quizzer decks`: one row per deck, as `decks --json` gives them (the file is in `decks show`)."""
    table = compact_table()
    table.title, table.title_justify = "Decks", "left"
    table.caption, table.caption_justify = "A deck's cards and its file: quizzer decks show DECK", "left"
    table.add_column("deck", overflow="fold")
    for column in ("cards", "new", "due now"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    shown = []
    for row in rows:
        values = [literal(value) for value in (row["id"], row["title"], row["cards"], row["new"], row["due"])]
        shown.append([*values, "built-in" if row["builtin"] else "yours"])
        deck = Text(values[0])
        deck.append("\n" + values[1], style="dim")
        table.add_row(deck, *cells(*values[2:], shown[-1][-1]))
    return _DecksTable(table, shown)


class _DecksTable(Fitted):
    """The decks table drawn line by line when it fits at its columns' natural widths (the usual case):
    the segments rich's table writes there, byte for byte, without rich laying out each of its cells
    one by one (100 decks: some 500 cells, most of `decks`' drawing time). Otherwise — a narrow
    screen, a tab or line break in an id or title, no decks — drawn as any `Fitted` table."""

    def __init__(self, table: Table, rows: list[list[str]]):
        super().__init__(table)
        self.rows = rows  # [id, title, cards, new, due, kind]

    def __rich_console__(self, console_: Console, options: ConsoleOptions) -> RenderResult:
        columns = self.table.columns
        # The deck column holds two lines a row (id, then title); the others one.
        values = [[row[0] for row in self.rows] + [row[1] for row in self.rows],
                  *([row[i] for row in self.rows] for i in range(2, 6))]
        widths = [max(map(cell_len, (column.header, *texts))) for column, texts in zip(columns, values)]
        table_width = sum(widths) + COLUMN_GAP * (len(widths) - 1)
        if (not self.rows or table_width > options.max_width
                or any("\n" in text or "\t" in text for text in values[0])):
            yield from super().__rich_console__(console_, options)
            return
        table = self.table
        around = options.update(width=table_width, highlight=table.highlight, height=None, justify="left")
        bold, dim = console_.get_style("table.header"), console_.get_style("dim")
        yield from console_.render(console_.render_str(table.title, style="table.title", highlight=False), around)
        for number, (column, width) in enumerate(zip(columns, widths)):
            yield Segment(_justified(column.header, width, column.justify), bold)
            if number < len(columns) - 1:  # a header cell's padding is bold too, the gap is not
                yield from (Segment(" ", bold), Segment(" "))
        yield Segment("\n" + "─" * table_width + "\n")
        gaps = " " * COLUMN_GAP
        blank = gaps.join(" " * width for width in widths[1:])
        for deck, title, *rest in self.rows:
            yield Segment(gaps.join([_justified(deck, widths[0], "left"),
                                     *(_justified(text, width, column.justify)
                                       for text, width, column in zip(rest, widths[1:], columns[1:]))]) + "\n")
            yield Segment(title, dim)
            yield Segment(" " * (widths[0] - cell_len(title)) + gaps + blank + "\n")
        yield from console_.render(console_.render_str(table.caption, style="table.caption", highlight=False), around)


def _justified(text: str, width: int, justify: str) -> str:
    space = " " * (width - cell_len(text))
    return space + text if justify == "right" else text + space


def deck_table(deck, rows: list[dict]) -> RenderableType:
    """`quizzer decks show`: the deck's cards, as `decks show --json` gives them, under the deck's title and file."""
    table = compact_table(leading=1)
    table.add_column("card, question → answer", overflow="fold")
    table.add_column("type", no_wrap=True)
    table.add_column("state, due", no_wrap=True)
    for row in rows:
        card = Text(literal(row["id"]), style="dim")
        card.append("\n" + literal(row["question"]), style="not dim")
        card.append("\n→ " + literal(row["answer"]), style="not dim")
        due = "\n" + local_time(row["due"]) if row["due"] else ""
        table.add_row(card, *cells(row["type"], row["state"] + due))
    title = literal(f"{deck.title} — {plural(len(deck.cards), 'card')} ·")
    return Group(_TitleAndPath(title, literal(_home_relative(deck.path))), Fitted(table))


class _TitleAndPath:
    """A title, then a file's path on the same line or the next ones, broken only after a separator so
    that a file name (a deck id) stays whole; a name wider than the screen is folded, never cut off."""

    def __init__(self, title: str, path: str):
        self.title, self.path = title, path

    def __rich_console__(self, console_: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        *lines, last = [line.plain for line in Text(self.title).wrap(console_, width)]
        breaks = breaks_after(os.sep, self.path, width, taken=cell_len(last) + 1 if last.strip() else 0)
        first, *more = (self.path[start:end] for start, end in zip([0, *breaks], [*breaks, len(self.path)]))
        lines.append(f"{last} {first}".rstrip() if more else f"{last} {first}")
        yield Text("\n".join([*lines, *more]), style="table.title", overflow="fold")


def accepted_table(rows: list[tuple[str, str, str]]) -> RenderableType:
    """`quizzer accepted`: (deck, card, accepted answer) rows."""
    table = compact_table()
    table.title, table.title_justify = "Accepted answers", "left"
    table.add_column("deck/card", no_wrap=True)
    table.add_column("accepted answer", overflow="fold")
    for deck_id, card, response in rows:
        table.add_row(*cells(f"{deck_id}/{card}", response))
    return Fitted(table)
