"""A large progress file's lines read and checked in a second process while this one saves the rows.

Reading and checking a line costs about as much as inserting it, and the machine has more than one core;
a thread would not help, since `executemany` takes the GIL back for every row. So `read_ahead` forks:
the child goes on with the very generator this process was reading (its file, its line numbers, its
checks, the lines it had buffered) and sends each batch back through a pipe, marshalled, while this
process inserts the one before. Whatever the generator raises there is raised here, where the batch it
stopped at would have been.

The child dies with this process: killed when the reading is given up (an error, Ctrl-C), by its next
write into the closed pipe when this process is killed, and on Linux by the kernel at once, even while
it waits for standard input.
"""

from __future__ import annotations

import contextlib
import marshal
import os
import pickle
import signal
import struct
from collections.abc import Iterator
from typing import IO

_BATCH, _END, _ERROR = range(3)  # what a message holds
_SIZE = struct.Struct("<Q")  # each message's length, before it
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent dies
_PIPE_BYTES = 1024 * 1024  # half a batch at a time instead of 64 KB: fewer switches between the two


@contextlib.contextmanager
def read_ahead(batches: Iterator, invalid: list | None) -> Iterator[Iterator]:
    """The rest of `batches`, produced by a forked child while this process consumes them. A batch must be
    something marshal writes (lists of tuples of text, numbers and None). What the child adds to `invalid`
    (a sync's bad lines, skipped) is added to this process's list with the batch it belongs to. On one
    core the two processes would only take turns, paying for the transfer: `batches` are read here."""
    if _cores() < 2:
        yield batches
        return
    reading, writing = os.pipe()
    with contextlib.suppress(AttributeError, OSError):  # Linux only, and only up to the system's limit
        import fcntl

        fcntl.fcntl(writing, fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    parent = os.getpid()
    try:
        child = os.fork()
    except OSError:  # no memory or process left for a second one: read here, as on one core
        os.close(reading)
        os.close(writing)
        yield batches
        return
    if child == 0:
        os.close(reading)
        _produce(batches, invalid, writing, parent)  # never returns
    os.close(writing)
    try:
        with open(reading, "rb") as pipe:
            yield _received(pipe, invalid)
    finally:
        os.kill(child, signal.SIGKILL)  # still reading when this process gave up; harmless once it has ended
        os.waitpid(child, 0)


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def _produce(batches: Iterator, invalid: list | None, writing: int, parent: int) -> None:
    """The child: each batch into the pipe, then the end or the exception that stopped the reading. It
    leaves by `os._exit`: nothing inherited (the database connection, buffered output) is closed or
    flushed here."""
    try:
        _die_with(parent)
        reported = len(invalid) if invalid else 0  # those before the fork are the parent's already
        with open(writing, "wb") as pipe:

            def newly_invalid() -> bytes:
                nonlocal reported
                new = invalid[reported:] if invalid else []
                reported += len(new)
                return pickle.dumps(new) if new else b""

            try:
                for batch in batches:
                    _send(pipe, marshal.dumps((_BATCH, batch, newly_invalid())))
                _send(pipe, marshal.dumps((_END, None, newly_invalid())))
            except BrokenPipeError:
                pass  # the parent is gone
            except BaseException as exc:  # raised again in the parent, whatever it is
                # One that cannot be pickled fails here: the parent then finds the pipe ended early.
                _send(pipe, marshal.dumps((_ERROR, pickle.dumps(exc), b"")))
    finally:
        os._exit(0)


def _die_with(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies, even while it waits for input."""
    with contextlib.suppress(OSError, AttributeError):  # not Linux: its next write into the pipe ends it
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # it died before the request
        os._exit(0)


def _send(pipe: IO[bytes], message: bytes) -> None:
    pipe.write(_SIZE.pack(len(message)))
    pipe.write(message)
    pipe.flush()


def _received(pipe: IO[bytes], invalid: list | None) -> Iterator:
    while True:
        kind, payload, newly_invalid = marshal.loads(_message(pipe))
        if newly_invalid:
            invalid.extend(pickle.loads(newly_invalid))
        if kind == _ERROR:
            raise pickle.loads(payload)
        if kind == _END:
            return
        yield payload


def _message(pipe: IO[bytes]) -> bytes:
    """The next message whole; OSError when the pipe ends first (the child killed: out of memory?)."""
    size = pipe.read(_SIZE.size)
    if len(size) == _SIZE.size:
        (length,) = _SIZE.unpack(size)
        message = pipe.read(length)
        if len(message) == length:
            return message
    raise OSError("the process reading the file ended before the file did")
