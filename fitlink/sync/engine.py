"""Run one connection's sync: call by call, committing each range as it arrives.

The engine knows sources only through fitlink.sources: the connection's kind
opens a DataSource, and the errors it raises decide what happens next.
"""

import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from .. import sources
from ..dates import history_floor, local_today
from ..extensions import db
from ..models import Connection, SyncState, now_utc
from ..sources import (
    MINUTE_DETAILS, SYNCED, BadPayload, DataSource, NotSetUp, ProviderError, RateLimited, SourceKind, TokenRejected,
    describe,
)
from . import lease, plan
from .store import save_records

log = logging.getLogger(__name__)

RETRY_AFTER_ERROR = timedelta(minutes=15)
RETRY_AFTER_NOT_SET_UP = timedelta(hours=1)
# Without rate-limit headers, a paused sync tries again after this long.
DEFAULT_RATE_WAIT = timedelta(hours=1)
RESET_MARGIN = timedelta(seconds=30)


@dataclass
class SyncResult:
    """What one sync run did and why it stopped."""

    calls: int = 0
    rows: int = 0
    # complete | rate_limited | token_rejected | errors | not_set_up | not_connected | locked | lease_lost
    outcome: str = "complete"
    retry_at: datetime | None = None
    errors: list[str] = field(default_factory=list)


def states_for(connection_id: int, metrics: tuple[str, ...]) -> dict[str, SyncState]:
    """Return the connection's sync state per metric, creating missing ones."""
    rows = db.session.execute(select(SyncState).filter_by(connection_id=connection_id)).scalars()
    states = {state.resource: state for state in rows}
    for metric in metrics:
        if metric not in states:
            states[metric] = SyncState(connection_id=connection_id, resource=metric)
            db.session.add(states[metric])
    return states


def sync_connection(connection_id: int, *, full: bool = False, manual: bool = False,
                    metrics: tuple[str, ...] | None = None) -> SyncResult:
    """Bring one connection's data up to date and continue its history import.

    Only one sync of a connection runs at a time (outcome "locked" otherwise).
    A manual sync ("Sync now") may spend the whole rate-limit budget; background
    syncs leave the source's reserve for it. `metrics` narrows a refresh to what
    a notification named.
    """
    connection = db.session.get(Connection, connection_id)
    kind = sources.get(connection.provider) if connection is not None else None
    if connection is None or kind is None or kind.open is None or connection.broken_at is not None:
        return SyncResult(outcome="not_connected")
    owner = lease.acquire(connection_id)
    if owner is None:
        return SyncResult(outcome="locked")
    try:
        source = kind.open(connection)
        try:
            with _kept_across_commits():
                return Run(connection, kind, source, owner, manual).sync(full, metrics)
        finally:
            source.close()
    finally:
        lease.release(connection_id, owner)


@contextmanager
def _kept_across_commits():
    """Let the run's objects keep their values across its commits (expire_on_commit off meanwhile).

    The run commits each range, and expiring its sync states at each commit made every next
    range read them back (and flush half-made changes first): two statements more per call.
    Nothing else writes these rows meanwhile: they belong to the connection whose lease the run
    holds, and a Disconnect that removes them ends the lease, which the run checks (and rolls
    back, which does expire everything) before each write.
    """
    session = db.session()
    before, session.expire_on_commit = session.expire_on_commit, False
    try:
        yield
    finally:
        session.expire_on_commit = before


class Run:
    """One sync of one connection: the plan, the calls, and what each answer changes."""

    def __init__(self, connection: Connection, kind: SourceKind, source: DataSource, owner: str, manual: bool):
        self.connection, self.kind, self.source, self.owner, self.manual = connection, kind, source, owner, manual
        # Plain values: after a rollback the connection row may be gone (disconnected).
        self.connection_id, self.user_id, self.provider = connection.id, connection.user_id, connection.provider
        self.result = SyncResult()

    def sync(self, full: bool, wanted: tuple[str, ...] | None) -> SyncResult:
        offered = self.source.metrics()
        metrics = tuple(m for m in SYNCED if m in offered and (wanted is None or m in wanted))
        self.states = states_for(self.connection_id, offered)
        if full:
            for state in self.states.values():
                state.oldest_synced = state.newest_synced = None
                state.backfill_done = False
        today = local_today(self.connection.timezone)
        self.floor = history_floor(self.connection.member_since, today,
                                   current_app.config["BACKFILL_MAX_DAYS"])
        # Minute series go back less far than daily values: they cost a call a day.
        self.minute_floor = max(self.floor, history_floor(None, today, current_app.config["INTRADAY_BACKFILL_DAYS"]))
        # A refresh is due when asked for, or when the metric was not refreshed lately:
        # a resumed import must not spend its budget re-fetching what it just got.
        stale = now_utc() - timedelta(minutes=current_app.config["REFRESH_MINUTES"])
        asked = self.manual or wanted is not None
        planned = plan.order([
            chunk
            for metric in metrics
            for chunk in plan.chunks(
                metric, self.states[metric], today, self._floor(metric), self.source.max_days(metric),
                refresh=asked or _refresh_due(self.states[metric], today, stale))
        ])
        db.session.commit()
        skipped: set[str] = set()
        for chunk in planned:
            if chunk.metric in skipped:
                continue
            if self._budget_spent():
                return self.result
            stop = self._fetch(chunk)
            if stop == "skip":
                skipped.add(chunk.metric)
            elif stop:
                return self.result
        return self.result

    def _floor(self, metric: str):
        return self.minute_floor if metric in MINUTE_DETAILS else self.floor

    def _budget_spent(self) -> bool:
        """Pause (and say until when) once only the reserve of the provider's budget is left."""
        budget = self.source.budget
        reserve = 0 if self.manual else (budget.reserve() if budget else 0)
        if budget is None or budget.remaining is None or budget.remaining > reserve:
            return False
        retry_at = (budget.reset_at or now_utc() + DEFAULT_RATE_WAIT) + RESET_MARGIN
        self._pause(retry_at, f"Waiting for {self.kind.label}'s rate limit", "rate_limited")
        return True

    def _fetch(self, chunk: plan.Chunk) -> str | bool:
        """Fetch and store one chunk; return True to stop the sync, "skip" to skip its metric."""
        state = self.states[chunk.metric]
        try:
            rows = self.source.fetch(chunk.metric, chunk.start, chunk.end)
        except RateLimited as err:
            self.result.calls += 1
            self._pause(err.retry_at, f"Waiting for {self.kind.label}'s rate limit", "rate_limited")
            return True
        except TokenRejected:
            self.result.calls += 1
            if not self._renew():  # a sync that lost its lease changes nothing, not even this
                return True
            self.connection.broken_at = now_utc()
            db.session.commit()
            log.warning("connection %s: %s rejected the token; marked broken", self.connection_id, self.kind.label)
            self.result.outcome = "token_rejected"
            return True
        except NotSetUp as err:
            self.result.calls += 1
            self._pause(now_utc() + RETRY_AFTER_NOT_SET_UP, describe(err, self.kind.label), "not_set_up")
            return True
        except ProviderError as err:
            # An outage touches every metric alike: stop here and come back later.
            self._failed(chunk, "failed", err)
            self._pause(now_utc() + RETRY_AFTER_ERROR, describe(err, self.kind.label), "errors")
            return True
        except BadPayload as err:
            self._failed(chunk, "unreadable", err)
            state.last_error = describe(err, self.kind.label)
            state.next_attempt = now_utc() + RETRY_AFTER_ERROR
            self.result.outcome = "errors"
            if not self._renew():
                return True
            db.session.commit()
            return "skip"
        self.result.calls += 1
        # Renewing first also locks the connection row until this range is committed,
        # so a Disconnect either waits for it or has already removed the connection.
        if not self._renew():
            return True
        stored = save_records(self.user_id, self.provider, chunk.metric, chunk.start, chunk.end, rows)
        _advance(state, chunk, self._floor(chunk.metric))
        db.session.commit()
        self.result.rows += stored
        return False

    def _failed(self, chunk: plan.Chunk, how: str, err: Exception) -> None:
        """Count a call that failed, log it and keep it in the result's errors."""
        self.result.calls += 1
        log.warning("connection %s: %s %s..%s %s: %s", self.connection_id, chunk.metric, chunk.start, chunk.end,
                    how, err)
        self.result.errors.append(f"{chunk.metric}: {err}")

    def _renew(self) -> bool:
        if lease.renew(self.connection_id, self.owner):
            return True
        db.session.rollback()
        log.warning("connection %s: sync lease lost; stopping", self.connection_id)
        self.result.outcome = "lease_lost"
        return False

    def _pause(self, retry_at: datetime, why: str, outcome: str) -> None:
        if self._renew():
            for state in self.states.values():
                state.next_attempt = retry_at
                state.last_error = why[:500]
            db.session.commit()
            self.result.outcome = outcome
            self.result.retry_at = retry_at


def _refresh_due(state: SyncState, today, stale: datetime) -> bool:
    return state.newest_synced is None or state.newest_synced < today or (
        state.last_success is None or state.last_success < stale)


def _advance(state: SyncState, chunk: plan.Chunk, floor) -> None:
    if chunk.backfill:
        state.oldest_synced = chunk.start
        if state.newest_synced is None or chunk.end > state.newest_synced:
            state.newest_synced = chunk.end
        state.backfill_done = chunk.start <= floor
    else:
        # Refreshes run newest range first (plan.order): an older one must not move newest back.
        if state.newest_synced is None or chunk.end > state.newest_synced:
            state.newest_synced = chunk.end
        if state.oldest_synced is None:
            state.oldest_synced = chunk.start
    state.last_success = now_utc()
    state.last_error = None
    state.next_attempt = None
