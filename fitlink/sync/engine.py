"""Run one user's sync: call by call, committing each range as it arrives."""

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..dates import local_today
from ..extensions import db
from ..fitbit.client import BadPayload, ProviderError, RateLimited, TokenRejected
from ..fitbit.link import link_for, source_for
from ..models import OAuth, SyncState, now_utc
from ..sources import METRICS, DataSource
from . import lease, plan
from .store import upsert_days

log = logging.getLogger(__name__)

RETRY_AFTER_ERROR = timedelta(minutes=15)


@dataclass
class SyncResult:
    """What one sync run did and why it stopped."""

    calls: int = 0
    rows: int = 0
    outcome: str = "complete"  # complete | rate_limited | token_rejected | errors | not_connected | locked
    retry_at: datetime | None = None
    errors: list[str] = field(default_factory=list)


def history_floor(link: OAuth, today: date) -> date:
    """Return the oldest date to import: memberSince, capped by BACKFILL_MAX_DAYS."""
    cap = today - timedelta(days=current_app.config["BACKFILL_MAX_DAYS"] - 1)
    return max(cap, link.member_since) if link.member_since else cap


def states_for(user_id: int) -> dict[str, SyncState]:
    """Return the user's sync state per metric, creating missing ones."""
    rows = db.session.execute(select(SyncState).filter_by(user_id=user_id)).scalars()
    states = {state.resource: state for state in rows}
    for metric in METRICS:
        if metric not in states:
            states[metric] = SyncState(user_id=user_id, resource=metric)
            db.session.add(states[metric])
    return states


def sync_user(user_id: int, *, full: bool = False, reserve: int | None = None,
              metrics: tuple[str, ...] = METRICS, source: DataSource | None = None) -> SyncResult:
    """Bring the user's data up to date and continue the history import.

    Only one sync of a user runs at a time (outcome "locked" otherwise).
    `reserve` is the part of the hourly budget to leave unused (the user's own
    "Sync now" passes 0); `metrics` narrows a refresh to what a notification named.
    """
    link = link_for(user_id)
    if link is None or link.broken_at is not None:
        return SyncResult(outcome="not_connected")
    if not lease.acquire(user_id):
        return SyncResult(outcome="locked")
    try:
        if reserve is None:
            reserve = current_app.config["RATE_LIMIT_RESERVE"]
        return _sync(link, full, reserve, metrics, source or source_for(link.token))
    finally:
        lease.release(user_id)


def _sync(link: OAuth, full: bool, reserve: int, metrics: tuple[str, ...], source: DataSource) -> SyncResult:
    result = SyncResult()
    user_id = link.user_id
    states = states_for(user_id)
    if full:
        for state in states.values():
            state.oldest_synced = state.newest_synced = None
            state.backfill_done = False
    today = local_today(link.timezone)
    floor = history_floor(link, today)
    planned = plan.order(
        [
            chunk
            for metric in metrics
            for chunk in plan.chunks(metric, states[metric], today, floor, source.max_days(metric))
        ]
    )
    db.session.commit()
    skipped: set[str] = set()
    client = getattr(source, "client", None)
    for chunk in planned:
        if chunk.metric in skipped:
            continue
        state = states[chunk.metric]
        budget = getattr(client, "budget", None)
        if budget is not None and budget.remaining is not None and budget.remaining <= reserve:
            retry_at = (budget.reset_at or now_utc() + timedelta(hours=1)) + timedelta(seconds=30)
            return _paused(result, states, retry_at, "hourly budget kept for your own syncs")
        try:
            rows = source.fetch(chunk.metric, chunk.start, chunk.end)
        except RateLimited as err:
            result.calls += 1
            return _paused(result, states, err.retry_at, "rate limited by Fitbit")
        except TokenRejected:
            result.calls += 1
            link.broken_at = now_utc()
            db.session.commit()
            log.warning("user %s: Fitbit rejected the token; connection marked broken", user_id)
            result.outcome = "token_rejected"
            return result
        except (ProviderError, BadPayload) as err:
            result.calls += 1
            log.warning("user %s: %s %s..%s failed: %s", user_id, chunk.metric, chunk.start, chunk.end, err)
            state.last_error = str(err)[:500]
            state.next_attempt = now_utc() + RETRY_AFTER_ERROR
            db.session.commit()
            result.errors.append(f"{chunk.metric}: {err}")
            result.outcome = "errors"
            skipped.add(chunk.metric)
            continue
        result.calls += 1
        # Renewing first also locks the link row until this range is committed,
        # so a Disconnect either waits for it or has already removed the link.
        if not lease.renew(user_id):
            db.session.rollback()
            result.outcome = "not_connected"
            return result
        rows = [row for row in rows if chunk.start <= row.day <= chunk.end]
        upsert_days(user_id, chunk.metric, rows)
        _advance(state, chunk, floor)
        db.session.commit()
        result.rows += len(rows)
    return result


def _advance(state: SyncState, chunk: plan.Chunk, floor: date) -> None:
    if chunk.backfill:
        state.oldest_synced = chunk.start
        if state.newest_synced is None or chunk.end > state.newest_synced:
            state.newest_synced = chunk.end
        state.backfill_done = chunk.start <= floor
    else:
        state.newest_synced = chunk.end
        if state.oldest_synced is None:
            state.oldest_synced = chunk.start
    state.last_success = now_utc()
    state.last_error = None
    state.next_attempt = None


def _paused(result: SyncResult, states: dict[str, SyncState], retry_at: datetime, why: str) -> SyncResult:
    for state in states.values():
        state.next_attempt = retry_at
        state.last_error = why
    db.session.commit()
    result.outcome = "rate_limited"
    result.retry_at = retry_at
    return result
