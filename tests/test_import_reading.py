"""The quick reading of lines as `progress export` writes them checks each date once per import, not on every
line (issue 14), and still leaves every line it cannot vouch for to the JSON reading."""

from datetime import datetime, timedelta

import pytest

from quizzer.store import sync
from test_import_speed import T0, exported_line

LATER = T0 + timedelta(days=800)  # a window in which 2028's dates may be answer times too

# Times whose date or time of day is not real, or only just real: the quick reading gives the JSON
# reading's row or leaves the line to it. Add a case as one line.
TIMES = [
    exported_line(reviewed_at="2028-02-29T12:00:00.000000+00:00"),  # a leap day
    exported_line(reviewed_at="2027-02-29T12:00:00.000000+00:00"),  # not one
    exported_line(next_due="2027-02-29T12:00:00.000000+00:00"),
    exported_line(reviewed_at="2027-04-31T12:00:00.000000+00:00"),
    exported_line(reviewed_at="2027-00-10T12:00:00.000000+00:00"),
    exported_line(reviewed_at="2027-04-00T12:00:00.000000+00:00"),
    exported_line(reviewed_at="2027-04-10T23:59:60.000000+00:00"),  # a leap second
    exported_line(reviewed_at="2027-04-10T24:00:00.000000+00:00"),
    exported_line(reviewed_at="2027-04-10T12:60:00.000000+00:00"),
    exported_line(next_due="2027-04-10T23:59:59.999999+00:00"),
    exported_line(next_due="2027-04-10T00:00:00.000000+00:00"),
]


@pytest.mark.parametrize("line", TIMES, ids=range(len(TIMES)))
def test_a_time_read_quickly_is_read_as_json_reads_it_or_left_to_it(line):
    window = sync._Window(LATER)
    quick = sync._exported(window)
    try:
        expected = sync._row(line, 1, "f", window)
    except sync.ProgressFileError:
        expected = None
    for _ in range(2):  # the second time, from what the first one learnt about its date
        assert quick(line) in ((None, expected) if expected else (None,))


def test_each_date_is_parsed_once_however_many_lines_carry_it(monkeypatch):
    parsed = []

    class Counted(datetime):
        @classmethod
        def fromisoformat(cls, text):
            parsed.append(text)
            return datetime.fromisoformat(text)

    monkeypatch.setattr(sync, "datetime", Counted)
    quick = sync._exported(sync._Window(T0))
    days = ("2026-02-27", "2026-02-28", "2026-03-01")
    rows = [quick(exported_line(review_id=f"r{n}", reviewed_at=f"{days[n % 3]}T12:{n // 60:02}:{n % 60:02}.000000+00:00",
                                next_due=f"{days[n % 3]}T12:10:00.000000+00:00"))
            for n in range(300)]
    assert all(rows) and len({row[3] for row in rows}) == 300
    assert sorted(parsed) == sorted(days)
