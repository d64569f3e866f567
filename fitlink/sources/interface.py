"""What a data source is: the metrics fitlink keeps, the shapes a source returns, its errors."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Protocol

# The metrics fitlink stores, one value per person, metric and local date. New metrics go at
# the end: queued syncs name metrics by their place in SYNCED (sync/pending.py).
METRICS = (
    "steps",
    "distance",
    "calories",
    "floors",
    "very_active_minutes",
    "fairly_active_minutes",
    "resting_heart_rate",
    "sleep",
    "weight",
    "hrv",  # ms: the nightly RMSSD
    "spo2",  # %: the night's average oxygen saturation
    "breathing_rate",  # breaths per minute, asleep
    "skin_temperature",  # deg C relative to the person's baseline
    "vo2max",  # mL/kg/min: cardio fitness
    "active_zone_minutes",
    "lightly_active_minutes",
    "sedentary_minutes",
    "body_fat",  # %
)

# Each metric's unit, as the day's JSON and the exports name it.
UNITS = {
    "steps": "steps", "distance": "km", "calories": "kcal", "floors": "floors",
    "very_active_minutes": "min", "fairly_active_minutes": "min", "resting_heart_rate": "bpm",
    "sleep": "min", "weight": "kg", "hrv": "ms", "spo2": "%", "breathing_rate": "breaths/min",
    "skin_temperature": "degC", "vo2max": "mL/kg/min", "active_zone_minutes": "min",
    "lightly_active_minutes": "min", "sedentary_minutes": "min", "body_fat": "%",
    "heart_rate": "bpm",
}

# Minute series kept per person, source and local day (fitlink/minutes.py packs them).
SERIES = ("steps", "heart_rate", "calories")

# What the engine syncs beyond daily values: the minute series (the fetch of "heart_rate_minutes"
# returns MinuteSeries of "heart_rate"), only FITLINK_INTRADAY_BACKFILL_DAYS back, and the workouts.
# Sleep stages come with the "sleep" metric's fetch: they cost no call of their own.
MINUTE_DETAILS = {"steps_minutes": "steps", "heart_rate_minutes": "heart_rate", "calories_minutes": "calories"}
DETAILS = (*MINUTE_DETAILS, "exercises")
SYNCED = METRICS + DETAILS


@dataclass(frozen=True)
class Profile:
    """Who the account belongs to and how to read its dates and units."""

    user_id: str
    display_name: str | None
    timezone: str
    member_since: date | None
    distance_unit: str = "METRIC"
    weight_unit: str = "METRIC"


@dataclass(frozen=True)
class DayValue:
    """One metric's value on one local date, with optional detail (sleep stages, BMI, the device).

    Units are always metric (UNITS); sleep is minutes asleep. `metric` names another metric
    than the one fetched, when one call brings several (None: the fetched one).
    """

    day: date
    value: float
    details: dict | None = field(default=None)
    metric: str | None = None


@dataclass(frozen=True)
class MinuteSeries:
    """One metric's values through one local day, by wall-clock minute.

    `values` maps the minute of the local day, hour * 60 + minute (0..1439), to the value:
    steps or kcal in that minute, or the mean heart rate of every sample in it. On the day
    clocks go forward the skipped hour's minutes are absent; on the day they go back, the
    repeated hour's two readings of a minute are merged into one. Minutes without data are
    left out.
    """

    metric: str  # one of SERIES
    day: date
    values: dict[int, float]


@dataclass(frozen=True)
class SleepStage:
    """One stretch of one sleep stage: its local start, length and level ("deep", "wake", ...)."""

    start: datetime
    seconds: int
    level: str


@dataclass(frozen=True)
class SleepSession:
    """One sleep: local wall-clock start and end (no zone, as Fitbit's logs write them), its stages.

    `type` is "stages" (deep/light/rem/wake) or "classic" (asleep/restless/awake);
    `minutes_asleep` is the log's own figure; `short_wakes` are the brief wakes Fitbit lists
    apart (levels.shortData), laid over the stages when drawn. The session belongs to the
    date it ends on.
    """

    start: datetime
    end: datetime
    main: bool
    type: str
    minutes_asleep: int
    stages: tuple[SleepStage, ...] = ()
    short_wakes: tuple[SleepStage, ...] = ()

    @property
    def day(self) -> date:
        return self.end.date()


@dataclass(frozen=True)
class Workout:
    """One exercise: local wall-clock start, length, type, and what the source measured of it.

    Distance in kilometres whatever unit the source used; `heart_rate_zones` maps a zone's
    name to its minutes, when the source gives them. The workout belongs to the date it starts on.
    """

    start: datetime
    seconds: int
    type: str
    calories: float | None = None
    distance_km: float | None = None
    average_heart_rate: float | None = None
    steps: int | None = None
    heart_rate_zones: dict | None = None

    @property
    def day(self) -> date:
        return self.start.date()

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.seconds)


# What a fetch returns: daily values, and for the details the records above.
Record = DayValue | MinuteSeries | SleepSession | Workout


@dataclass
class Budget:
    """What the provider said last about its rate limit for this user."""

    limit: int | None = None
    remaining: int | None = None
    reset_at: datetime | None = None

    def reserve(self) -> int:
        """Return the calls background syncs leave for the person's own: a tenth of the limit, rounded down."""
        return (self.limit or 0) // 10


@dataclass(frozen=True)
class Progress:
    """How far a connection's import is, and whether it waits or failed, as the dashboard shows it."""

    percent: int
    importing: bool
    waiting_until: datetime | None
    last_success: datetime | None
    last_error: str | None
    broken: bool
    detail: str | None = None  # e.g. "12 of 40 files read, 1,234 days found"


class SourceError(Exception):
    """Something went wrong talking to a source."""


class TokenRejected(SourceError):
    """The provider no longer accepts the stored grant: the person must connect again."""


class RateLimited(SourceError):
    """The provider said to slow down; retry after `retry_at`."""

    def __init__(self, message: str, retry_at: datetime):
        super().__init__(message)
        self.retry_at = retry_at


class ProviderError(SourceError):
    """The provider failed: a 5xx answer, a time-out or a broken connection."""


class BadPayload(SourceError):
    """The provider answered with something that is not what its API documents."""


class NotSetUp(SourceError):
    """The account exists but has no data to give until the person sets it up (said to them as is)."""


def describe(err: SourceError, label: str) -> str:
    """Say in plain words what a source's error means, e.g. "Fitbit did not answer"."""
    if isinstance(err, NotSetUp):
        return str(err)
    if isinstance(err, RateLimited):
        return f"{label}'s rate limit is reached for now"
    if isinstance(err, TokenRejected):
        return f"{label} refused fitlink's access"
    if isinstance(err, BadPayload):
        return f"{label} sent data fitlink could not read"
    return f"{label} did not answer"


class DataSource(Protocol):
    """One connection's data: the profile, goals, and each metric over a date range."""

    budget: Budget | None

    def profile(self) -> Profile:
        """Return the account's profile."""

    def goals(self, today: date) -> dict:
        """Return the account's daily goals, such as {"steps": 10000}; {} when it has none."""

    def metrics(self) -> tuple[str, ...]:
        """Return what this source can fetch: names from METRICS and DETAILS."""

    def max_days(self, metric: str) -> int:
        """Return the longest date range one fetch of metric may cover."""

    def fetch(self, metric: str, start: date, end: date) -> list[Record]:
        """Return the metric's values from start to end (inclusive), days without data left out.

        A daily metric's fetch returns DayValues ("sleep" also the nights' SleepSessions); a
        minute detail's, MinuteSeries; "exercises", Workouts.
        """

    def close(self) -> None:
        """Release the HTTP session."""
