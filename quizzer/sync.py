"""Sync between machines through a folder another program keeps in step (Syncthing, Dropbox, git).

Each device writes only its own files, `DIR/devices/<device id>/NNNNNN.jsonl`: append-only JSON Lines in
the format of `progress export`, so single-writer files never conflict. A pull reads the other devices'
files from where it stopped last time and merges them with `progress import`'s own merge (a union by
answer and event id, then the one replay), so every device ends with the same log and schedule whatever
order the files arrive in. A push appends what this device saved since its last push: the database stays
the truth, and a push that did not happen (a crash, the folder away) is done by the next one.

What a device remembers lives in its data folder: `device-id` (created once) and `sync.json` (the folder,
how far each file was read, what was pushed, the lines that could not be read).
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import json
import os
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from quizzer.store import Store
from quizzer.store.log import Replay, iso
from quizzer.store.sync import (MAX_LINE, Progress, ProgressFileError, Stage, atomic_file, import_reviews,
                                lines_after, unwatched)

PUSH_TOLD = 10_000  # lines pushed between two reports to `progress`
SEGMENT_BYTES = 16 * 1024 * 1024  # a push starts a new file past this size: sync tools copy whole files
MAX_PROBLEMS = 20  # unreadable lines remembered for `sync --status`; the count goes on


class SyncError(Exception):
    """The sync folder cannot be used; the message is one line naming it."""


@dataclass(frozen=True)
class Device:
    """Another device seen in the folder."""

    device: str
    lines: int  # lines read from its files so far
    last: str | None  # the time of the latest answer or event read from it
    pulled_at: str | None  # when this device last read something new from it


@dataclass(frozen=True)
class Status:
    folder: str | None
    device: str
    pushed_at: str | None
    pulled_at: str | None
    devices: tuple[Device, ...]
    problems: tuple[str, ...]  # FILE:LINE: what is wrong, for lines skipped
    problem_count: int


@dataclass(frozen=True)
class Result:
    pushed: int  # lines appended to this device's files
    pulled: int  # answers and events new to this database
    problems: tuple[str, ...]  # lines skipped in this pull


def device_id(home: Path) -> str:
    """This device's id, created the first time it is asked for and kept in the data folder."""
    path = home / "device-id"
    with contextlib.suppress(FileNotFoundError):
        return path.read_text(encoding="ascii").strip()
    home.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=home, prefix=".device-id.")
    try:
        with open(handle, "w", encoding="ascii") as out:
            out.write(uuid.uuid4().hex + "\n")
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(FileExistsError):  # two processes at once: the first one's id wins
            os.link(temporary, path)
    finally:
        os.unlink(temporary)
    return path.read_text(encoding="ascii").strip()


def _load(home: Path) -> dict:
    try:
        return json.loads((home / "sync.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except ValueError:
        raise SyncError(f"{home / 'sync.json'} is damaged; run `quizzer sync DIR` again") from None


def _save(home: Path, state: dict) -> None:
    with atomic_file(home / "sync.json") as out:
        json.dump(state, out, indent=1)


@contextlib.contextmanager
def _locked(home: Path) -> Iterator[None]:
    """One sync at a time on this device: two terminals must not append to the same file at once."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / "sync.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _on(state: dict) -> bool:
    return bool(state.get("folder")) and not state.get("off")


def folder(home: Path) -> Path | None:
    """The folder this device syncs through, None when it does not sync."""
    state = _load(home)
    return Path(state["folder"]) if _on(state) else None


def enable(home: Path, where: Path) -> None:
    """Sync this device through `where` from now on (its files there are made at the next push)."""
    where = where.expanduser().absolute()
    _writable(where, device_id(home))
    with _locked(home):
        try:
            state = _load(home)
        except SyncError:  # a damaged sync.json: start again; the first push writes a new segment
            state = {}
        # The same folder again (after --off): keep the marks, so this device's files are only appended to.
        # Another folder: nothing of it was read or written yet.
        if state.get("folder") != str(where):
            state = {"folder": str(where)}
        state.pop("off", None)
        _save(home, state)


def disable(home: Path) -> None:
    """Stop syncing on this device; the files in the folder stay, and so do the marks, for a later `sync DIR`."""
    with _locked(home):
        state = _load(home)
        state["off"] = True
        _save(home, state)


def _writable(where: Path, device: str) -> Path:
    """This device's folder inside `where`, made if needed; SyncError when that cannot be."""
    if not where.is_dir():
        raise SyncError(f"sync folder {where} is not there")
    mine = where / "devices" / device
    try:
        mine.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SyncError(f"cannot write in sync folder {where}: {exc.strerror or exc}") from None
    if not os.access(mine, os.W_OK):
        raise SyncError(f"cannot write in sync folder {where}: permission denied")
    return mine


def sync(store: Store, home: Path, replay: Replay, now: datetime, progress: Progress = unwatched) -> Result | None:
    """Push what this device saved since its last push, then pull what the others added (the push and each
    file's import telling `progress` where they stand). None when this device does not sync; SyncError when the
    folder cannot be used (nothing local is lost)."""
    with _locked(home):
        state = _load(home)
        if not _on(state):
            return None
        pushed = _push(store, home, state, now, progress)
        pulled, problems = _pull(store, home, state, replay, now, progress)
        return Result(pushed, pulled, problems)


def push(store: Store, home: Path, now: datetime) -> int | None:
    """Append to this device's files what it saved since its last push; None when it does not sync."""
    with _locked(home):
        state = _load(home)
        return _push(store, home, state, now) if _on(state) else None


def _push(store: Store, home: Path, state: dict, now: datetime, progress: Progress = unwatched) -> int:
    mine = _writable(Path(state["folder"]), device_id(home))
    if "pushed" not in state:  # a first push here: in a file of its own, never over one already there
        taken = [int(p.stem) for p in mine.glob("*.jsonl") if p.stem.isdigit()]
        state["pushed"] = {"reviews": 0, "events": 0, "segment": max(taken, default=0) + 1, "size": 0}
    pushed = state["pushed"]
    segment = mine / f"{pushed['segment']:06d}.jsonl"
    size = segment.stat().st_size if segment.exists() else 0
    if size < pushed["size"]:  # the folder lost this device's files: write its whole log again
        state["pushed"] = pushed = {"reviews": 0, "events": 0, "segment": pushed["segment"] + 1, "size": 0}
        state["skip"] = []
        segment, size = mine / f"{pushed['segment']:06d}.jsonl", 0
    count = 0
    marks, skip = _step_over({"reviews": pushed["reviews"], "events": pushed["events"]}, state.get("skip", []))
    rows = lines_after(store, marks["reviews"], marks["events"], map(tuple, skip))
    first = next(rows, None)
    if first is None:  # nothing new: the usual case before a session, so nothing written but the marks
        if (marks, skip) != ({"reviews": pushed["reviews"], "events": pushed["events"]}, state.get("skip", [])):
            state["pushed"].update(marks)
            state["skip"] = skip
            _save(home, state)
        return 0
    try:
        with open(segment, "a+b") as out:
            # Bytes past what was recorded are a push cut short before `sync.json` was saved: the same
            # rows follow in the same order, so they are written again, identically, and nobody's
            # read offset into this file is wrong.
            out.truncate(pushed["size"])
            for table, rowid, line in itertools.chain([first], rows):
                out.write(line.encode("utf-8"))
                count += 1
                marks[table] = rowid
                if count % PUSH_TOLD == 0:
                    progress(Stage.PUSH, count, None)
            out.flush()
            os.fsync(out.fileno())
            size = out.tell()
    except OSError as exc:
        raise SyncError(f"cannot write in sync folder {state['folder']}: {exc.strerror or exc}") from None
    marks, state["skip"] = _step_over(marks, skip)
    state["pushed"] = {**marks, "segment": pushed["segment"], "size": size}
    if size >= SEGMENT_BYTES:
        state["pushed"].update(segment=pushed["segment"] + 1, size=0)
    state["pushed_at"] = iso(now)
    _save(home, state)
    return count


def _step_over(marks: dict[str, int], skip: list) -> tuple[dict[str, int], list]:
    """The push marks moved past the rows a pull added right after them (not ours to push), and the ranges
    still ahead. Without this, every push would look through all the rows ever pulled."""
    marks = dict(marks)
    ahead = sorted(s for s in skip if s[2] > marks[s[0]])
    for table, first, last in ahead:
        if first == marks[table] + 1:
            marks[table] = last
    return marks, [list(s) for s in ahead if s[2] > marks[s[0]]]


def _pull(store: Store, home: Path, state: dict, replay: Replay, now: datetime, progress: Progress,
          ) -> tuple[int, tuple[str, ...]]:
    where = Path(state["folder"])
    me = device_id(home)
    read = state.setdefault("read", {})
    seen = state.setdefault("devices", {})
    added, problems = 0, []
    for path in _others_files(where / "devices", me):
        name = path.relative_to(where).as_posix()
        mark = read.get(name, {"offset": 0, "lines": 0})
        try:
            with open(path, "rb") as file:
                size = os.fstat(file.fileno()).st_size
                if size < mark["offset"]:  # replaced by a shorter file: read it all again (ids deduplicate)
                    mark = {"offset": 0, "lines": 0}
                if size == mark["offset"]:
                    continue
                file.seek(mark["offset"])
                invalid: list[ProgressFileError] = []
                reader = _CompleteLines(file, str(path), mark["lines"] + 1, invalid)
                result = import_reviews(store, reader, str(path), replay, now=now, first_line=mark["lines"] + 1,
                                        invalid=invalid, progress=progress)
        except OSError:  # a file removed or still being written by the sync tool: next time
            continue
        mark = {"offset": mark["offset"] + reader.bytes, "lines": mark["lines"] + reader.lines}
        read[name] = mark
        state.setdefault("skip", []).extend(list(s) for s in result.added_rowids)
        device = path.relative_to(where / "devices").parts[0]
        before = seen.get(device, {})
        seen[device] = {
            "lines": before.get("lines", 0) + reader.lines,
            "last": max(filter(None, (before.get("last"), reader.last)), default=None),
            "pulled_at": iso(now) if result.added or result.events_added else before.get("pulled_at"),
        }
        added += result.added + result.events_added
        problems += [str(p) for p in invalid]
        if invalid:
            state["problems"] = (state.get("problems", []) + [str(p) for p in invalid])[-MAX_PROBLEMS:]
            state["problem_count"] = state.get("problem_count", 0) + len(invalid)
        state["pulled_at"] = iso(now)
        _save(home, state)  # after each file: a pull cut short starts again where it stopped
    return added, tuple(problems)


def _others_files(devices: Path, me: str) -> list[Path]:
    """The other devices' files, conflict copies included; temporary and hidden files left out."""
    try:
        folders = sorted(p for p in devices.iterdir() if p.is_dir() and p.name != me and not _ignored(p.name))
    except OSError:
        return []
    files = []
    for device in folders:
        with contextlib.suppress(OSError):
            files += sorted(p for p in device.iterdir() if not _ignored(p.name) and p.is_file())
    return files


def _ignored(name: str) -> bool:
    # Syncthing's `.syncthing.*.tmp`, Dropbox's and Office's `~$…`, and every dot-file.
    return name.startswith((".", "~")) or name.endswith((".tmp", ".part"))


class _CompleteLines:
    """The complete lines of a file from where it is positioned: a last line without its line end is a file
    still being copied, left for the next pull. Counts the bytes and lines it gave, and the latest time."""

    def __init__(self, file: IO[bytes], source: str, first_line: int, invalid: list[ProgressFileError]):
        self.file, self.source, self.first_line, self.invalid = file, source, first_line, invalid
        self.bytes = self.lines = 0
        self.last: str | None = None

    def __iter__(self) -> Iterator[str]:
        while line := self.file.readline(MAX_LINE + 1):
            if not line.endswith(b"\n"):
                if len(line) <= MAX_LINE:
                    return  # cut off: the rest has not arrived yet
                rest = self.file.readline()  # a line too long to be a review: skip it once it is whole
                if not rest.endswith(b"\n"):
                    return
                line += rest
                self.invalid.append(ProgressFileError(self.source, self.first_line + self.lines,
                                                      f"the line is longer than {MAX_LINE:,} characters"))
                text = "\n"
            else:
                # Bytes that are not UTF-8 become lone surrogates, which the line's check names.
                text = line.decode("utf-8", "surrogateescape")
                self.last = max(self.last or "", _time_of(text)) or None
            self.bytes += len(line)
            self.lines += 1
            yield text


def _time_of(line: str) -> str:
    """The answer's or event's time in a line, for `--status`; "" when it has none."""
    for key in ('"reviewed_at": "', '"at": "'):
        start = line.find(key)
        if start >= 0:
            start += len(key)
            return line[start:start + 32]
    return ""


def status(home: Path) -> Status:
    state = _load(home)
    devices = tuple(Device(name, d.get("lines", 0), d.get("last"), d.get("pulled_at"))
                    for name, d in sorted(state.get("devices", {}).items()))
    return Status(state["folder"] if _on(state) else None, device_id(home), state.get("pushed_at"), state.get("pulled_at"), devices,
                  tuple(state.get("problems", [])), state.get("problem_count", 0))
