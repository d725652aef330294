"""`python -m quizzer` and the installed `quizzer` command (pyproject.toml's [project.scripts])."""

import gc

# Starting up (typer, click, rich and the commands) makes some 26,000 objects that live as long as the process,
# with hardly a cycle among them, yet the collector ran over them 67 times: about 10 ms, a tenth of
# `quizzer --help`. The root callback turns it back on, those objects frozen, before a command runs.
gc.disable()

from quizzer.cli import main  # noqa: E402  (imported with the collector paused)

if __name__ == "__main__":
    main()
