"""Where the scheduler keeps durable timers and the clock offset: ``<data-dir>/runtime.db``."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from overcast.storage.database import Database

RUNTIME_DATABASE = "runtime"

MIGRATIONS = (
    """
    CREATE TABLE timers (
        id INTEGER PRIMARY KEY,  -- chosen by the scheduler (ids only grow)
        due REAL NOT NULL,       -- cloud time, epoch seconds
        kind TEXT NOT NULL,      -- '<service>.<what>': the handler to run
        payload TEXT NOT NULL    -- JSON object handed to the handler
    );
    -- one row: the cloud clock's offset from wall time, and the latest cloud time handed
    -- out, so time never goes back even if the wall clock does
    CREATE TABLE clock (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        clock_offset REAL NOT NULL,
        seen_at REAL NOT NULL
    );
    """,
    """
    -- the clock's offsets over time: signatures stamped on a client's wall clock at or after
    -- applies_from (wall time) were made under clock_offset (see Clock.signing_offset)
    CREATE TABLE clock_history (
        applies_from REAL NOT NULL,
        clock_offset REAL NOT NULL
    );
    """,
)


class StoredTimer(NamedTuple):
    id: int
    due: float
    kind: str
    payload: str


class TimerStore:
    """SQL for durable timers and the clock row; each call commits before it returns."""

    def __init__(self, db: "Database"):
        self.db = db

    def load(self) -> list[StoredTimer]:
        """Every durable timer, earliest first (ties in the order they were scheduled)."""
        rows = self.db.query("SELECT id, due, kind, payload FROM timers ORDER BY due, id")
        return [StoredTimer(*row) for row in rows]

    def max_id(self) -> int:
        row = self.db.query_one("SELECT MAX(id) FROM timers")
        return int(row[0]) if row and row[0] is not None else 0

    def insert(self, timer_id: int, due: float, kind: str, payload: str) -> None:
        self.db.execute(
            "INSERT INTO timers (id, due, kind, payload) VALUES (?, ?, ?, ?)", (timer_id, due, kind, payload)
        )

    def delete(self, timer_id: int) -> None:
        self.db.execute("DELETE FROM timers WHERE id = ?", (timer_id,))

    def delete_all(self) -> None:
        self.db.execute("DELETE FROM timers")

    def count(self) -> int:
        return int(self.db.query_one("SELECT COUNT(*) FROM timers")[0])

    def load_clock(self) -> tuple[float, float] | None:
        """``(offset, seen_at)`` as last saved, or None for a new data dir."""
        row = self.db.query_one("SELECT clock_offset, seen_at FROM clock WHERE id = 1")
        return (float(row[0]), float(row[1])) if row else None

    def load_clock_history(self) -> list[tuple[float, float]]:
        """``(applies_from, offset)`` entries, oldest first."""
        rows = self.db.query("SELECT applies_from, clock_offset FROM clock_history ORDER BY applies_from, rowid")
        return [(float(row[0]), float(row[1])) for row in rows]

    def add_clock_history(self, applies_from: float, offset: float) -> None:
        self.db.execute("INSERT INTO clock_history (applies_from, clock_offset) VALUES (?, ?)", (applies_from, offset))
        self.db.commit_pending()

    def clear_clock_history(self) -> None:
        self.db.execute("DELETE FROM clock_history")

    def save_clock(self, offset: float, seen_at: float) -> None:
        self.db.execute(
            "INSERT INTO clock (id, clock_offset, seen_at) VALUES (1, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET clock_offset = excluded.clock_offset, seen_at = excluded.seen_at",
            (offset, seen_at),
        )
        # on disk before anything else happens: a move recorded, then a crash while its
        # timers fire, must restart at the moved time (time does not go back)
        self.db.commit_pending()
