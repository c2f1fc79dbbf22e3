"""Instance rows and their state machine on the cloud clock.

Each state that moves on by itself (pending -> running, stopping -> stopped, shutting-down ->
terminated, terminated -> gone) keeps its due time in the row (``state_due``); a durable
timer is only the wake-up. Reads settle overdue rows first, so the answer is right even
before the timer fires (or after a restart, before the overdue timers ran).
"""

from __future__ import annotations

from dataclasses import dataclass

# State codes as EC2 reports them (the low byte of the 16-bit code).
STATE_CODES = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}
NEXT_STATE = {"pending": "running", "stopping": "stopped", "shutting-down": "terminated"}
# Seconds of cloud time a transition takes (EC2: seconds to a minute or two).
TRANSITION_SECONDS = 5.0
# EC2: a terminated instance "remains visible ... for approximately one hour".
TERMINATED_VISIBLE_SECONDS = 3600.0
TIMER_KIND = "ec2.transition"

COLUMNS = (
    "instance_id", "account", "region", "seq", "reservation_id", "launch_index", "image_id", "instance_type",
    "state", "state_due", "state_reason", "transition_reason", "launch_time", "key_name", "user_data", "zone",
    "subnet_id", "vpc_id", "private_ip", "mac", "profile_arn", "profile_id", "profile_name", "client_token",
    "http_tokens",
)
_SELECT = f"SELECT {', '.join(COLUMNS)} FROM instances"


@dataclass
class InstanceRow:
    instance_id: str
    account: str
    region: str
    seq: int
    reservation_id: str
    launch_index: int
    image_id: str
    instance_type: str
    state: str
    state_due: float | None
    state_reason: str
    transition_reason: str
    launch_time: float
    key_name: str | None
    user_data: bytes | None
    zone: str
    subnet_id: str
    vpc_id: str
    private_ip: str
    mac: str
    profile_arn: str | None
    profile_id: str | None
    profile_name: str | None
    client_token: str
    http_tokens: str

    def values(self) -> tuple:
        return tuple(getattr(self, name) for name in COLUMNS)


class InstanceStore:
    """The ``instances`` table of one EC2 database, with the state machine."""

    def __init__(self, provider):
        self.provider = provider

    @property
    def db(self):
        return self.provider.db

    @property
    def clock(self):
        return self.provider.clock

    def next_seq(self) -> int:
        row = self.db.query_one("SELECT MAX(seq) FROM instances")
        return (row[0] or 0) + 1 if row else 1

    def insert(self, rows: list[InstanceRow]) -> None:
        marks = ", ".join("?" for _ in COLUMNS)
        with self.db.transaction():
            self.db.executemany(f"INSERT INTO instances ({', '.join(COLUMNS)}) VALUES ({marks})",
                                [row.values() for row in rows])
        for row in rows:
            self._schedule(row)

    def private_ips(self, account: str, region: str) -> set[str]:
        rows = self.db.query("SELECT private_ip FROM instances WHERE account = ? AND region = ?", (account, region))
        return {row[0] for row in rows}

    def scope(self, account: str, region: str) -> list[InstanceRow]:
        """Every visible instance of an account's region, oldest launch first."""
        rows = self.db.query(f"{_SELECT} WHERE account = ? AND region = ? ORDER BY seq, launch_index",
                             (account, region))
        return self._settled([InstanceRow(*row) for row in rows])

    def by_ids(self, account: str, region: str, instance_ids: list[str]) -> dict[str, InstanceRow]:
        if not instance_ids:
            return {}
        marks = ", ".join("?" for _ in instance_ids)
        rows = self.db.query(f"{_SELECT} WHERE account = ? AND region = ? AND instance_id IN ({marks})",
                             (account, region, *instance_ids))
        return {row.instance_id: row for row in self._settled([InstanceRow(*row) for row in rows])}

    def by_client_token(self, account: str, region: str, token: str) -> list[InstanceRow]:
        rows = self.db.query(f"{_SELECT} WHERE account = ? AND region = ? AND client_token = ? ORDER BY launch_index",
                             (account, region, token))
        return self._settled([InstanceRow(*row) for row in rows])

    def one(self, instance_id: str) -> InstanceRow | None:
        """An instance of any account or region (IMDS serves as any recorded instance)."""
        row = self.db.query_one(f"{_SELECT} WHERE instance_id = ?", (instance_id,))
        settled = self._settled([InstanceRow(*row)]) if row else []
        return settled[0] if settled else None

    def latest_running(self) -> InstanceRow | None:
        """The most recently launched running instance of any account or region."""
        rows = self.db.query(f"{_SELECT} WHERE state IN ('pending', 'running') ORDER BY seq DESC, launch_index DESC")
        for row in self._settled([InstanceRow(*row) for row in rows]):
            if row.state == "running":
                return row
        return None

    def move(self, row: InstanceRow, state: str, reason: str = "", transition_reason: str | None = None) -> None:
        """Put ``row`` in ``state`` now; a state that moves on by itself gets its due time."""
        now = self.clock.now()
        row.state = state
        row.state_due = now + TRANSITION_SECONDS if state in NEXT_STATE else None
        row.state_reason = reason
        if transition_reason is not None:
            row.transition_reason = transition_reason
        self.db.execute(
            "UPDATE instances SET state = ?, state_due = ?, state_reason = ?, transition_reason = ? "
            "WHERE instance_id = ?",
            (row.state, row.state_due, row.state_reason, row.transition_reason, row.instance_id),
        )
        self._schedule(row)

    def _schedule(self, row: InstanceRow) -> None:
        if row.state_due is None:
            return
        scheduler = self.provider.cloud.scheduler
        payload = {"instance_id": row.instance_id}
        scheduler.schedule(row.state_due, TIMER_KIND, payload)
        if row.state == "shutting-down":
            scheduler.schedule(row.state_due + TERMINATED_VISIBLE_SECONDS, TIMER_KIND, payload)

    def settle_one(self, instance_id: str) -> None:
        """The timer's handler: apply the transitions of one instance that fell due."""
        self.one(instance_id)

    def _settled(self, rows: list[InstanceRow]) -> list[InstanceRow]:
        now = self.clock.now()
        out = []
        for row in rows:
            if row.state_due is None or row.state_due > now:
                out.append(row)
                continue
            gone = False
            while row.state_due is not None and row.state_due <= now:
                if row.state == "terminated":
                    gone = True
                    break
                due = row.state_due
                row.state = NEXT_STATE[row.state]
                row.state_due = due + TERMINATED_VISIBLE_SECONDS if row.state == "terminated" else None
                row.state_reason = "Client.UserInitiatedShutdown" if row.state in ("stopped", "terminated") else ""
            if gone:
                self._delete(row.instance_id)
                continue
            self.db.execute("UPDATE instances SET state = ?, state_due = ?, state_reason = ? WHERE instance_id = ?",
                            (row.state, row.state_due, row.state_reason, row.instance_id))
            out.append(row)
        return out

    def _delete(self, instance_id: str) -> None:
        with self.db.transaction():
            self.db.execute("DELETE FROM instances WHERE instance_id = ?", (instance_id,))
            self.db.execute("DELETE FROM tags WHERE resource_id = ?", (instance_id,))
