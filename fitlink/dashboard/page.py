"""Everything the dashboard page shows for one person, read from the database only."""

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from .. import sources
from ..dates import history_floor, local_today
from ..extensions import db
from ..heartbeat import waiting_for_worker
from ..models import DailyMetric, Connection, SyncState
from ..sources import SourceKind
from .cards import Card, step_goal, today_cards
from .charts import Chart, Layout, layout
from .health import health_charts
from .history import kept_charts, month_stats
from .periods import RANGES, Choice, Period, choose, shown_period
from ..sources import Progress
from .progress import progress_for
from .readings import LATEST, bucket_stats, first_day, latest_of, on_day
from .tables import in_range
from .trends import active_chart, heart_chart, sleep_chart, steps_chart, weight_chart


@dataclass(frozen=True)
class Connected:
    """One of the person's connections as the status panel shows it."""

    connection: Connection
    kind: SourceKind
    progress: Progress

    @property
    def busy(self) -> bool:
        """Tell whether data is still arriving (an import not finished, not broken)."""
        return self.progress.importing and not self.progress.broken


@dataclass(frozen=True)
class Status:
    """The person's connections, what they could still connect, and whether the page should keep updating."""

    connected: list[Connected]
    offers: list[SourceKind]
    profile: Connection | None  # whose name, time zone, units and goals the page uses
    waiting_for_worker: bool = False

    @property
    def busy(self) -> bool:
        """Tell whether anything is still syncing or importing."""
        return any(c.busy for c in self.connected)

    @property
    def stamp(self) -> str:
        """A short text that changes whenever anything the live part of the page shows may have changed."""
        return "|".join(
            f"{c.kind.name}:{p.percent}:{p.last_success and p.last_success.timestamp()}:"
            f"{p.waiting_until and p.waiting_until.timestamp()}:{p.broken}:{p.last_error}"
            for c in self.connected for p in [c.progress])


@dataclass(frozen=True)
class Dashboard:
    """Today's cards, the trend charts for the chosen range, and the connections' status."""

    status: Status
    today: date
    latest_only: bool  # no live source: "today" is the latest day the data holds
    period: Period
    choice: Choice
    ranges: tuple[int, ...]
    cards: list[Card]
    charts: list[Chart]
    plan: Layout

    @property
    def profile(self) -> Connection:
        return self.status.profile

    @property
    def range_days(self) -> int | None:
        """The chosen number of days, None for All or From/To."""
        return self.choice.days

    @property
    def heading(self) -> str:
        """Name the range the trends show, like "last 30 days" or "all, since 3 Jan 2017"."""
        start, end = self.period.start, self.period.end
        if self.choice.all:
            return f"all, since {start.day} {start:%b %Y}"
        if self.choice.custom:
            return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"
        return f"last {self.choice.days} days"


def load_status(user_id: int) -> Status:
    """Read the person's connections and their sync state (two queries)."""
    connections = list(db.session.execute(select(Connection).filter_by(user_id=user_id)).scalars())
    states: dict[int, list[SyncState]] = {c.id: [] for c in connections}
    if connections:
        for state in db.session.execute(select(SyncState).where(SyncState.connection_id.in_(states))).scalars():
            states[state.connection_id].append(state)
    max_days = current_app.config["BACKFILL_MAX_DAYS"]
    connected = []
    for connection in connections:
        kind = sources.get(connection.provider)
        if kind is None:
            continue
        today = local_today(connection.timezone)
        floor = history_floor(connection.member_since, today, max_days)
        progress = (kind.progress(connection) if kind.progress
                    else progress_for(connection, states[connection.id], today, floor))
        connected.append(Connected(connection, kind, progress))
    connected.sort(key=lambda c: c.kind.rank)
    have = {c.kind.name for c in connected}
    offers = [kind for kind in sources.kinds() if kind.name not in have]
    busy = any(c.busy for c in connected)
    return Status(connected, offers, connected[0].connection if connected else None,
                  waiting_for_worker=busy and waiting_for_worker())


def show_day(status: Status) -> tuple[date, bool]:
    """Return the day the cards show: today where a live source is connected, else the latest day with data."""
    today = local_today(status.profile.timezone)
    if any(c.kind.open for c in status.connected):
        return today, False
    newest = db.session.execute(
        select(func.max(DailyMetric.day)).where(DailyMetric.user_id == status.profile.user_id)
    ).scalar()
    return (newest, True) if newest and newest < today else (today, False)


def build_dashboard(status: Status, args) -> Dashboard:
    """Read the person's data for the chosen range and shape it for the page (a fixed number of queries).

    `args` holds ?range= (7, 30, 90, 365 or all) or ?from=&to=; All costs one more query (the first day held).
    """
    profile = status.profile
    today, latest_only = show_day(status)
    choice = choose(args, today)
    period = shown_period(choice, today, first_day(profile.user_id) if choice.all else None)
    plan = layout(period.start, period.end)
    goal = step_goal(profile.goals)
    latest = latest_of(profile.user_id, LATEST, today)
    weight = latest["weight"]
    if plan.unit == "month":
        history, kept = month_stats(profile.user_id, plan.read_from, period.start, period.end, goal, status.stamp)
    else:
        history = bucket_stats(profile.user_id, plan.read_from, period.end, plan.size, goal, drawn_from=period.start)
        kept = None
    stats = {metric: in_range(buckets, plan) for metric, buckets in history.items()}

    def draw() -> list[Chart]:
        return [
            steps_chart(stats, history, plan, goal),
            active_chart(stats, history, plan),
            heart_chart(stats, history, plan),
            sleep_chart(stats, history, plan),
            weight_chart(stats, history, plan, profile.weight_unit, weight),
            *health_charts(stats, history, plan),
        ]

    charts = kept_charts(kept, (period.end, profile.weight_unit, weight), draw) if kept else draw()
    held = {metric for metric, buckets in stats.items() if buckets}
    cards = today_cards(on_day(profile.user_id, today), latest, profile, today, held)
    return Dashboard(status, today, latest_only, period, choice, RANGES, cards, charts, plan)
