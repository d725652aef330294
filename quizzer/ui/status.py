"""A status line on standard error for work that takes a while: `progress import` and `export`."""

from __future__ import annotations

import time

# Work that ends sooner shows no line at all, rather than one that flickers by.
DELAY = 0.5


class StatusLine:
    """Call `show(text)` as often as the work likes. Once the work has taken DELAY seconds, the latest text
    stands on standard error, drawn again at each call (by rich, which wraps it at the terminal's width)
    and cleared when the `with` block ends, however it ends. rich draws it only on a terminal that can
    move its cursor: to a pipe, a file or a dumb terminal nothing is written. The text is quizzer's own
    words and numbers.

    No thread redraws it: an import forks a process to read ahead, which must not inherit a thread's
    locks, and a line between two steps says as much as a spinner would."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._live = None

    def show(self, text: str) -> None:
        from rich.text import Text

        if self._live is not None:
            self._live.update(Text(text), refresh=True)
        elif time.monotonic() - self._started >= DELAY:
            from rich.console import Console
            from rich.live import Live

            # Standard output is left alone: `progress export -` writes its data there.
            self._live = Live(Text(text), console=Console(stderr=True, highlight=False), auto_refresh=False,
                              transient=True, redirect_stdout=False, redirect_stderr=False)
            self._live.start(refresh=True)

    def __enter__(self) -> StatusLine:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.stop()
