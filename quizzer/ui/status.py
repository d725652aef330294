"""A status line on standard error while a long step of a command runs (imports, exports, checks, fits)."""

from __future__ import annotations

from threading import Lock, Timer

# Work that ends sooner shows no line at all, rather than one that flickers by.
DELAY = 0.5


class StatusLine:
    """Call `show(text)` as often as the work likes. Once the work has taken DELAY seconds, the latest text
    stands on standard error, drawn again at each call (by rich, which wraps it at the terminal's width)
    and cleared when the `with` block ends, however it ends. rich draws it only on a terminal that can
    move its cursor: to a pipe, a file or a dumb terminal nothing is written. The text goes through
    `literal`, as a file's name in it must.

    A timer thread makes the first drawing, so a step that is one long call (an SQL statement) is shown
    too; it ends there, and each later drawing is made by `show` itself: an import forks a process to
    read ahead, which should not inherit a thread that may hold the terminal's locks."""

    def __init__(self) -> None:
        self._text: str | None = None
        self._live = None
        self._due = self._over = False
        self._lock = Lock()  # the timer's first drawing against `show`'s and the end's
        self._timer = Timer(DELAY, self._start)
        self._timer.daemon = True
        self._timer.start()

    def show(self, text: str) -> None:
        self._text = text
        if self._due:
            self._draw()

    def _start(self) -> None:
        self._due = True
        self._draw()

    def _draw(self) -> None:
        from rich.text import Text

        from quizzer.ui.text import literal

        with self._lock:
            if self._over or self._text is None:
                return
            if self._live is None:
                from rich.console import Console
                from rich.live import Live

                # Standard output is left alone: `progress export -` writes its data there.
                self._live = Live(console=Console(stderr=True, highlight=False), auto_refresh=False,
                                  transient=True, redirect_stdout=False, redirect_stderr=False)
                self._live.start()
            self._live.update(Text(literal(self._text)), refresh=True)

    def __enter__(self) -> StatusLine:
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()
        with self._lock:
            self._over = True
            if self._live is not None:
                self._live.stop()
