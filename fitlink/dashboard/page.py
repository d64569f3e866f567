"""Everything the dashboard page shows for one linked user, read from the database only."""

from dataclasses import dataclass

from ..dates import local_today
from ..models import OAuth
from ..readings import bucket_stats, latest, on_day
from ..sync import Progress, progress_for
from ..sync.engine import history_floor
from .cards import Card, step_goal, today_cards
from .charts import Chart, bucket_size, buckets
from .periods import RANGES, Period, last_days, range_days
from .trends import active_chart, heart_chart, sleep_chart, steps_chart, weight_chart


@dataclass(frozen=True)
class Dashboard:
    """Today's cards, the trend charts for the chosen range, and the sync progress."""

    link: OAuth
    period: Period
    range_days: int
    ranges: tuple[int, ...]
    cards: list[Card]
    charts: list[Chart]
    progress: Progress


def build_dashboard(link: OAuth, range_arg: str | None) -> Dashboard:
    """Read the user's data for the range and shape it for the page (five queries)."""
    today = local_today(link.timezone)
    days = range_days(range_arg)
    period = last_days(today, days)
    goal = step_goal(link.goals)
    stats = bucket_stats(link.user_id, period.start, period.end, bucket_size(period.start, period.end), goal)
    weight = latest(link.user_id, "weight", today)
    groups = buckets(period.start, period.end)
    charts = [
        steps_chart(stats, groups, goal),
        active_chart(stats, groups),
        heart_chart(stats, groups),
        sleep_chart(stats, groups),
        weight_chart(stats, groups, link.weight_unit, weight),
    ]
    floor = history_floor(link, today)
    return Dashboard(link, period, days, RANGES, today_cards(on_day(link.user_id, today), weight, link, today), charts,
                     progress_for(link, today, floor))
