"""Write realistic Fitbit archives from the shapes in fitbit-archive.md, with the values they should import to.

The expected daily values come from the generator's own inputs: it decides
each local day's minutes (as instants), sleeps, weigh-ins and daily totals,
sums them per local day, and only then formats them the way Fitbit does (UTC
stamps for steps and distance, local ones for calories, pounds for en_US,
centimetres, 30-day batches, parts). Nothing here parses what it wrote.
"""

import csv
import io
import json
import random
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

KG_PER_LB = 0.45359237
LAYOUTS = {
    "takeout": ("Takeout/Fitbit/Global Export Data", "Takeout/Fitbit/Your Profile"),
    "takeout2026": ("Takeout/Google Health/Global Export Data", "Takeout/Google Health/Your Profile"),
    "fitbit.com": ("MyFitbitData/AdaLovelace/{folder}", "MyFitbitData/AdaLovelace/Personal & Account"),
    # fitbit.com about 2019: every JSON file flat in one folder (fitbit-archive.md, "What real exports show").
    "user-site-export": ("MyFitbitData/AdaLovelace/user-site-export", "MyFitbitData/AdaLovelace/user-site-export"),
    # A re-zipped export in a folder of the person's own naming.
    "loose": ("my fitbit files/2024", "my fitbit files/2024"),
}
FITBIT_COM_FOLDERS = {"sleep": "Sleep", "weight": "Personal & Account"}


@dataclass
class Spec:
    """What archive to write."""

    start: date = date(2024, 3, 31)
    days: int = 14
    zone: str = "Pacific/Auckland"
    profile_zone: str | None = None  # what Profile.csv says, when not the zone's IANA name
    profile: bool = True  # write Profile.csv at all
    first_zone: str | None = None  # where the person was for the first half of the days (then `zone`)
    midnight_records: bool = True  # minute files begin at local midnight (a zero-step minute), as real ones do
    calories_follow_steps: bool = False  # a minute's calories rise with its steps (else they are random)
    json_weight_unit: str | None = None  # "lb" or "kg" in weight-*.json; None: the profile's unit
    bmi: bool = True
    height_cm: float | None = 170.0  # Profile.csv's height; None leaves it empty
    height_files: bool = False  # height-*.json (millimetres)
    layout: str = "takeout"
    weight_unit: str = "en_US"
    parts: int = 1
    padding_days: int = 28
    rhr_padding_days: int = 365
    placeholders: bool = True
    csv_copies: bool = False
    heart_rate_days: int = 2
    heart_rate_csv_days: int = 0  # days after the JSON ones with a Google-era heart_rate_*.csv instead
    workouts: bool = True  # exercise-*.json: a walk on most days, start stamped in UTC
    workout_clock: str = "utc"  # "local": startTime written in local time, as some exports are read
    health_csvs: bool = True  # HRV, SpO2, breathing rate, skin temperature, Active Zone Minutes, VO2 max, zones
    google_daily: bool = False  # HRV, SpO2 and breathing rate as Takeout 2026's daily_*.csv instead
    junk_bytes: int = 200_000  # UserActivityProbabilities: never read
    batch_days: int = 30
    export_hour: int = 14  # the export ran at this local hour of the last day
    awake_minutes: tuple[int, int] = (7 * 60, 23 * 60)  # local minutes of the day with steps
    seed: int = 7
    compresslevel: int = 6


@dataclass
class Archive:
    """The parts written and what importing them must give.

    heart_rate: per local day, {minute: (sum of bpm, samples)}; steps_minutes / calories_minutes:
    per local day {minute: value}; sessions: the sleep logs written (with their summary minutes);
    workouts: (local start, seconds, type, steps, distance_km) of each exercise written.
    """

    parts: list[Path]
    expected: dict[str, dict[date, float]]
    sleep_details: dict[date, dict] = field(default_factory=dict)
    last_day: date | None = None
    files: int = 0
    heart_rate: dict[date, dict[int, list]] = field(default_factory=dict)
    steps_minutes: dict[date, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))
    calories_minutes: dict[date, dict[int, float]] = field(default_factory=lambda: defaultdict(dict))
    sessions: list[dict] = field(default_factory=list)
    workouts: list[tuple] = field(default_factory=list)
    walk_steps: dict[date, int] = field(default_factory=lambda: defaultdict(int))  # steps 17:05-17:35 local


class Parts:
    """Spread members over numbered zip parts, round robin, as Takeout splits large exports."""

    def __init__(self, folder: Path, count: int, compresslevel: int):
        self.zips = [zipfile.ZipFile(folder / f"takeout-20240415T000000Z-{n:03d}.zip", "w",
                                     zipfile.ZIP_DEFLATED, compresslevel=compresslevel) for n in range(1, count + 1)]
        self.next = 0
        self.files = 0

    def write(self, name: str, text: str | bytes) -> None:
        self.zips[self.next % len(self.zips)].writestr(name, text)
        self.next += 1
        self.files += 1

    def close(self) -> list[Path]:
        for archive in self.zips:
            archive.close()
        return [Path(archive.filename) for archive in self.zips]


_hours: dict[int, str] = {}


def utc_stamp(epoch_minute: int) -> str:
    """Format an instant (minutes since 1970) the way Global Export Data does: "MM/DD/YY HH:MM:SS"."""
    hour, minute = divmod(epoch_minute, 60)
    prefix = _hours.get(hour)
    if prefix is None:
        prefix = _hours[hour] = time.strftime("%m/%d/%y %H", time.gmtime(hour * 3600))
    return f"{prefix}:{minute:02d}:00"


def day_stamp(day: date) -> str:
    return f"{day:%m/%d/%y} 00:00:00"


class Batches:
    """Group one family's records into files of batch_days days, named after the batch's first date."""

    def __init__(self, parts: Parts, folder: str, family: str, batch_days: int, origin: date):
        self.parts, self.folder, self.family = parts, folder, family
        self.batch_days, self.origin = batch_days, origin
        self.current, self.records = None, []

    def add(self, day: date, record: str) -> None:
        batch = (day - self.origin).days // self.batch_days
        if batch != self.current:
            self.flush()
            self.current = batch
        self.records.append(record)

    def flush(self) -> None:
        if self.records:
            first = self.origin + timedelta(days=self.current * self.batch_days)
            body = "[" + ",\n".join(self.records) + "]"
            self.parts.write(f"{self.folder}/{self.family}-{first.isoformat()}.json", body)
        self.records = []


def local_minutes(day: date, zone: ZoneInfo) -> range:
    """Return the instants (epoch minutes) of one local day: 1,380 to 1,500 of them across DST."""
    start = datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(timezone.utc)
    following = day + timedelta(days=1)
    end = datetime(following.year, following.month, following.day, tzinfo=zone).astimezone(timezone.utc)
    return range(int(start.timestamp()) // 60, int(end.timestamp()) // 60)


def local_stamp(epoch_minute: int, zone: ZoneInfo) -> str:
    moment = datetime.fromtimestamp(epoch_minute * 60, timezone.utc).astimezone(zone)
    return f"{moment:%m/%d/%y %H:%M}:00"


def generate(folder: Path, spec: Spec = Spec()) -> Archive:
    """Write the archive's parts into folder and return them with the expected values per metric and day."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(spec.seed)
    parts = Parts(folder, spec.parts, spec.compresslevel)
    data_folder, profile_folder = LAYOUTS[spec.layout]
    expected: dict[str, dict[date, float]] = defaultdict(dict)
    archive = Archive([], expected)

    def folder_of(family: str) -> str:
        return data_folder.format(folder=FITBIT_COM_FOLDERS.get(family, "Physical Activity"))

    days = [spec.start + timedelta(days=n) for n in range(spec.days)]
    last = days[-1]
    archive.last_day = last
    if spec.profile:
        write_profile(parts, profile_folder, spec)
    zones = zones_of(spec, days)
    minute_families(parts, folder_of, spec, zones, days, rng, archive)
    daily_families(parts, folder_of, spec, days, rng, expected)
    write_sleep(parts, folder_of("sleep"), spec, days, rng, archive)
    write_weight(parts, folder_of("weight"), spec, days, rng, expected)
    write_extras(parts, data_folder.format(folder="Physical Activity"), spec, zones, days, expected)
    write_heart_rate(parts, data_folder.format(folder="Physical Activity"), spec, zones, days, archive)
    if spec.workouts:
        write_workouts(parts, folder_of("exercise"), spec, zones, days, archive)
    if spec.health_csvs:
        write_health(parts, data_folder.format(folder="Physical Activity"), folder_of("sleep"), spec, days, rng,
                     expected)
    archive.files = parts.files
    archive.parts = parts.close()
    return archive


def zones_of(spec: Spec, days: list[date]) -> dict[date, ZoneInfo]:
    """Return where the person was each day (and the day after the last, for padding)."""
    later = ZoneInfo(spec.zone)
    first = ZoneInfo(spec.first_zone) if spec.first_zone else later
    zones = {day: first if index < len(days) // 2 else later for index, day in enumerate(days)}
    return defaultdict(lambda: later, zones)


def write_profile(parts: Parts, folder: str, spec: Spec) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["id", "full_name", "first_name", "last_name", "display_name", "username", "email_address",
                     "date_of_birth", "gender", "height", "weight", "weight_unit", "distance_unit",
                     "height_unit", "timezone", "member_since", "about_me"])
    writer.writerow(["ABC123", "Ada Lovelace", "Ada", "Lovelace", "Ada L.", "", "ada@example.org", "1990-12-10",
                     "FEMALE", "" if spec.height_cm is None else f"{spec.height_cm:.1f}", "150.0", spec.weight_unit,
                     spec.weight_unit, spec.weight_unit,
                     spec.profile_zone or spec.zone, "2015-06-01", "Counting, with commas"])
    parts.write(f"{folder}/Profile.csv", out.getvalue())


def minute_families(parts, folder_of, spec, zones, days, rng, archive) -> None:
    """Steps and distance per minute in UTC (cm), calories per minute in local time; padding zeros after.

    Files hold batches of local days, named after the first one; a steps or distance file
    begins at that day's local midnight, written in UTC, with a zero minute (midnight_records).
    After a move east the new zone's first day begins before the old zone's last one ends:
    those minutes are written once, on the old zone's day.
    """
    expected = archive.expected
    origin = days[0]
    steps = Batches(parts, folder_of("steps"), "steps", spec.batch_days, origin)
    distance = Batches(parts, folder_of("distance"), "distance", spec.batch_days, origin)
    calories = Batches(parts, folder_of("calories"), "calories", spec.batch_days, origin)
    pools = [[rng.choice((0, 0, 0, rng.randint(1, 130))) for _ in range(1500)] for _ in range(7)]
    kcal_pools = [[round(rng.uniform(0.9, 9.0), 2) for _ in range(1500)] for _ in range(7)]
    written_until = 0
    for index, day in enumerate(days):
        zone = zones[day]
        instants = local_minutes(day, zone)
        end = len(instants) if day != days[-1] else spec.export_hour * 60
        pool, kcal_pool = pools[index % 7], kcal_pools[(index * 3) % 7]
        step_total = centimetres = kcal_total = 0
        dst_day = len(instants) != 1440
        if spec.midnight_records and (day - origin).days % spec.batch_days == 0:
            for batches in (steps, distance):
                batches.add(day, f'{{"dateTime":"{utc_stamp(instants[0])}","value":"0"}}')
            if len(days) <= 400 and instants[0] >= written_until:
                archive.steps_minutes[day][0] = 0
        for offset in range(end):
            minute = instants[offset]
            kcal = kcal_pool[offset]
            if spec.calories_follow_steps:
                awake = spec.awake_minutes[0] <= offset < spec.awake_minutes[1]
                kcal = round(1.1 + 0.08 * (pool[offset] if awake else 0), 2)
            kcal_total += kcal
            stamp = local_stamp(minute, zone) if dst_day else None
            wall = wall_minute(minute, zone, day) if dst_day else offset
            if len(days) <= 400:  # the minute series tests look at; the benchmark's ten years need none
                kept = archive.calories_minutes[day]
                kept[wall] = kept.get(wall, 0) + kcal
            if stamp is None:
                # Outside DST changes the local wall clock is the UTC one plus a fixed offset.
                stamp = utc_stamp(minute + int(zone.utcoffset(datetime(day.year, day.month, day.day, 12))
                                               .total_seconds()) // 60)
            calories.add(day, f'{{"dateTime":"{stamp}","value":"{kcal}"}}')
            if not spec.awake_minutes[0] <= offset < spec.awake_minutes[1] or minute < written_until:
                continue
            value = pool[offset]
            cm = value * 74
            step_total += value
            if 1025 <= wall < 1055:
                archive.walk_steps[day] += value
            if len(days) <= 400:
                kept = archive.steps_minutes[day]
                kept[wall] = kept.get(wall, 0) + value
            centimetres += cm
            steps.add(day, f'{{"dateTime":"{utc_stamp(minute)}","value":"{value}"}}')
            distance.add(day, f'{{"dateTime":"{utc_stamp(minute)}","value":"{cm}"}}')
        written_until = instants[-1] + 1
        expected["steps"][day] = step_total
        expected["distance"][day] = centimetres / 100_000
        expected["calories"][day] = kcal_total
    # Padding: a few zero-step minutes on the days after the export (not data).
    for n in range(1, min(spec.padding_days, 3) + 1):
        day = days[-1] + timedelta(days=n)
        minute = local_minutes(day, zones[day])[600]
        steps.add(day, f'{{"dateTime":"{utc_stamp(minute)}","value":"0"}}')
    for batches in (steps, distance, calories):
        batches.flush()


def daily_families(parts, folder_of, spec, days, rng, expected) -> None:
    """Active minutes per local day (padded with sedentary 1440 after the export) and resting heart rate."""
    origin = days[0]
    names = ("very_active_minutes", "moderately_active_minutes", "lightly_active_minutes", "sedentary_minutes")
    batches = {name: Batches(parts, folder_of(name), name, spec.batch_days, origin) for name in names}
    padding = [days[-1] + timedelta(days=n) for n in range(1, spec.padding_days + 1)]
    for day in days + padding:
        real = day <= days[-1]
        very, moderate, light = (rng.randint(0, 90), rng.randint(0, 60), rng.randint(60, 300)) if real else (0, 0, 0)
        values = (very, moderate, light, 1440 - very - moderate - light if real else 1440)
        for name, value in zip(names, values):
            batches[name].add(day, f'{{"dateTime":"{day_stamp(day)}","value":"{value}"}}')
        if real:
            expected["very_active_minutes"][day] = very
            expected["fairly_active_minutes"][day] = moderate
            expected["lightly_active_minutes"][day] = light
            expected["sedentary_minutes"][day] = values[3]
    for batch in batches.values():
        batch.flush()
    rhr = Batches(parts, folder_of("resting_heart_rate"), "resting_heart_rate", 400, origin)
    for day in days + [days[-1] + timedelta(days=n) for n in range(1, spec.rhr_padding_days + 1)]:
        if day <= days[-1] and day.toordinal() % 5:
            value = round(rng.uniform(48, 66), 6)
            expected["resting_heart_rate"][day] = value
            body = {"date": f"{day:%m/%d/%y}", "value": value, "error": 6.787087440490723}
        else:
            body = {"date": None, "value": 0.0, "error": 0.0}
        rhr.add(day, json.dumps({"dateTime": day_stamp(day), "value": body}))
    rhr.flush()


def write_sleep(parts, folder, spec, days, rng, archive) -> None:
    """One sleep log per night, stages or classic, and some naps; dateOfSleep is the local wake date."""
    batch = Batches(parts, folder, "sleep", spec.batch_days, days[0])
    for index, day in enumerate(days):
        if index % 4 == 3:
            continue
        asleep, awake = rng.randint(300, 520), rng.randint(10, 70)
        start = datetime(day.year, day.month, day.day, 7) - timedelta(minutes=asleep + awake)
        end = datetime(day.year, day.month, day.day, 7)
        if index % 3:
            deep, rem = asleep // 5, asleep // 4
            summary = {"deep": deep, "light": asleep - deep - rem, "rem": rem, "wake": awake}
            kind = "stages"
        else:
            summary = {"asleep": asleep, "restless": awake // 2, "awake": awake - awake // 2}
            kind = "classic"
        data, short = sleep_levels(start, summary, kind, rng)
        log = {"logId": 26000000000 + index, "dateOfSleep": day.isoformat(),
               "startTime": start.isoformat(timespec="milliseconds"), "endTime": end.isoformat(timespec="milliseconds"),
               "duration": (asleep + awake) * 60_000, "minutesToFallAsleep": 0, "minutesAsleep": asleep,
               "minutesAwake": awake, "minutesAfterWakeup": 0, "timeInBed": asleep + awake,
               "efficiency": round(100 * asleep / (asleep + awake)), "type": kind, "infoCode": 0,
               "levels": {"summary": {name: {"count": 3, "minutes": minutes, "thirtyDayAvgMinutes": 0}
                                      for name, minutes in summary.items()},
                          "data": data, "shortData": short},
               "mainSleep": True}
        batch.add(day, json.dumps(log))
        archive.expected["sleep"][day] = asleep
        archive.sleep_details[day] = {"type": kind, "stages": summary, "time_in_bed": asleep + awake}
        archive.sessions.append({"start": start, "end": end, "main": True, "type": kind, "minutes_asleep": asleep,
                                 "summary": summary})
        if index % 5 == 1:
            nap_start = datetime(day.year, day.month, day.day, 14)
            nap_summary = {"asleep": 52, "restless": 5, "awake": 3}
            nap_data, _ = sleep_levels(nap_start, nap_summary, "classic", rng)
            nap = dict(log, logId=27000000000 + index, minutesAsleep=52, mainSleep=False, type="classic",
                       startTime=f"{day.isoformat()}T14:00:00.000", endTime=f"{day.isoformat()}T15:00:00.000",
                       duration=3_600_000, timeInBed=60, minutesAwake=8,
                       levels={"summary": {name: {"count": 1, "minutes": minutes}
                                           for name, minutes in nap_summary.items()},
                               "data": nap_data})
            batch.add(day, json.dumps(nap))
            archive.sessions.append({"start": nap_start, "end": nap_start + timedelta(hours=1), "main": False,
                                     "type": "classic", "minutes_asleep": 52, "summary": nap_summary})
    batch.flush()


def sleep_levels(start: datetime, summary: dict[str, int], kind: str, rng) -> tuple[list[dict], list[dict]]:
    """Return levels.data and levels.shortData whose minutes per level, short wakes laid over, are the summary's.

    Stages nights with more than 30 light minutes hold two short wakes (shortData, 30 and 90 s) in
    their longest light stretch: levels.data has that much more light and less wake than the
    summary, as Fitbit's logs do."""
    short_seconds = (30, 90) if kind == "stages" and summary.get("light", 0) > 30 else ()
    seconds = {level: minutes * 60 for level, minutes in summary.items()}
    if short_seconds:
        seconds["light"] += sum(short_seconds)
        seconds["wake"] -= sum(short_seconds)
    pieces = []
    for level, total in seconds.items():  # each level in three stretches, whole minutes but the last
        first = (total // 3) // 60 * 60
        pieces += [(level, first), (level, first), (level, total - 2 * first)]
    rng.shuffle(pieces)
    longest_light = max((length for level, length in pieces if level == "light"), default=0)
    data, short, moment = [], [], start
    for level, length in pieces:
        if length <= 0:
            continue
        data.append({"dateTime": moment.isoformat(timespec="milliseconds"), "level": level, "seconds": length})
        if short_seconds and not short and level == "light" and length == longest_light:
            for n, wake in enumerate(short_seconds):
                short.append({"dateTime": (moment + timedelta(seconds=60 + 240 * n)).isoformat(timespec="milliseconds"),
                              "level": "wake", "seconds": wake})
        moment += timedelta(seconds=length)
    return data, short


def write_weight(parts, folder, spec, days, rng, expected) -> None:
    """Weigh-ins in json_weight_unit (by default the profile's: pounds for en_US), two on some days:
    the later one counts. With bmi, the BMI the scale computed from the kilograms and 1.70 m."""
    unit = spec.json_weight_unit or ("lb" if spec.weight_unit == "en_US" else "kg")
    per_kg = 1 / KG_PER_LB if unit == "lb" else 1.0
    batch = Batches(parts, folder, "weight", spec.batch_days, days[0])
    for index, day in enumerate(days):
        if index % 3:
            continue
        for number, clock in enumerate(("07:12:00", "21:40:00")[: 1 + (index % 2)]):
            shown = round(rng.uniform(60, 90) * per_kg, 1)
            log = {"logId": int(datetime(day.year, day.month, day.day).timestamp() * 1000) + number,
                   "weight": shown, "date": f"{day:%m/%d/%y}", "time": clock, "source": "Aria"}
            if spec.bmi:
                log["bmi"] = round(shown / per_kg / 1.7 ** 2, 2)
            if spec.health_csvs and index % 2 == 0:  # a scale that measures body fat
                log["fat"] = round(rng.uniform(15, 32), 1)
                expected["body_fat"][day] = log["fat"]
            batch.add(day, json.dumps(log))
            expected["weight"][day] = shown / per_kg
    batch.flush()
    if spec.height_files:
        record = {"dateTime": f"{days[0]:%m/%d/%y} 00:00:00", "value": "1700.0"}
        parts.write(f"{folder}/height-{days[0]}.json", json.dumps([record]))


def write_extras(parts, folder, spec, zones, days, expected) -> None:
    """What real archives also hold: placeholders, empty CSVs, heart-rate files, huge app state, CSV copies."""
    root = folder.rsplit("/", 1)[0]
    if spec.placeholders:
        for month in range(1, 4):
            parts.write(f"{root}/Biometrics/Glucose 2024-0{month}-01.csv", "no data")
        parts.write(f"{folder}/swim_lengths_data-{days[0]}.json", "no data")
        parts.write(f"{folder}/steps-2010-01-01.json", "no data")
        parts.write(f"{root}/Sleep Score/sleep_score.csv", "sleep_log_entry_id,timestamp,overall_score\n")
        parts.write(f"{root}/Physical Activity_GoogleData/Steps/steps_2010-01-01.csv", "timestamp,steps,data source\n")
    if spec.junk_bytes:
        parts.write(f"{root}/Health Fitness Data_GoogleData/UserActivityProbabilities_2024-01-01.csv",
                    "timestamp,probabilities\n" + "2024-01-01T00:00:00Z,0.1;0.2;0.7\n" * (spec.junk_bytes // 32))
    if spec.csv_copies:
        write_csv_copies(parts, root, zones[days[0]], days, expected)


def write_csv_copies(parts, root, zone, days, expected) -> None:
    """The 2026 per-device CSVs: the same steps as the phone, the band and Health Connect (never added),
    and a weigh-in (grams) a month before the JSON starts, which only the CSV holds."""
    out = io.StringIO()
    out.write("timestamp,steps,data source\n")
    for day in days[:3]:
        minute = local_minutes(day, zone)[9 * 60]
        stamp = datetime.fromtimestamp(minute * 60, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        for source in ("MobileTrack", "Google Fitbit Air", "Fit Health Connect"):
            out.write(f"{stamp},500,{source}\n")
    parts.write(f"{root}/Physical Activity_GoogleData/Steps/steps_{days[0]}.csv", out.getvalue())
    day = days[0] - timedelta(days=30)
    weighed = datetime(day.year, day.month, day.day, 9, 30, tzinfo=zone).astimezone(timezone.utc)
    weight = f"timestamp,weight grams,data source\n{weighed:%Y-%m-%dT%H:%M:%S}.000000Z,71250,Google Health App\n"
    parts.write(f"{root}/Physical Activity_GoogleData/Weight/weight.csv", weight)
    expected["weight"][day] = 71.25


def wall_minute(epoch_minute: int, zone: ZoneInfo, day: date) -> int:
    """Return the local wall-clock minute of the day (hour * 60 + minute) of an instant on a local day."""
    moment = datetime.fromtimestamp(epoch_minute * 60, timezone.utc).astimezone(zone)
    return moment.hour * 60 + moment.minute


_DATE_A, _DATE_B = "\x00A", "\x00B"


@dataclass
class HeartDay:
    """One day's heart-rate samples as a file body with the UTC dates left open, and its minute sums."""

    body: str
    minutes: dict[int, list]


def heart_day(seconds: int, start_second: int, seed: int) -> HeartDay:
    """Samples every 5 to 10 s from local midnight (seconds long), off the wrist 10:00-11:00, any confidence.

    start_second is local midnight's UTC second of the day: stamps before the next UTC midnight
    carry date A, the others date B. For days of 1,440 minutes the wall-clock minute is the
    sample's second // 60."""
    rng = random.Random(seed)
    pieces, minutes = [], {}
    pulse, second = 62.0, rng.randint(0, 9)
    while second < seconds:
        pulse = min(max(pulse + rng.gauss(0, 2.0), 45), 170)
        if not 600 * 60 <= second < 660 * 60:
            bpm = round(pulse)
            utc = start_second + second
            stamp = f"{_DATE_A if utc < 86400 else _DATE_B} {utc // 3600 % 24:02d}:{utc // 60 % 60:02d}:{utc % 60:02d}"
            pieces.append(f'{{"dateTime":"{stamp}","value":{{"bpm":{bpm},"confidence":{rng.randint(0, 3)}}}}}')
            kept = minutes.setdefault(second // 60, [0, 0])
            kept[0] += bpm
            kept[1] += 1
        second += rng.randint(5, 10)
    return HeartDay("[" + ",\n".join(pieces) + "]", minutes)


def write_heart_rate(parts, folder, spec, zones, days, archive) -> None:
    """One heart_rate-<local date>.json per day for the first heart_rate_days days: the local day from its
    midnight, stamped in UTC (fitbit-archive.md); then heart_rate_csv_days days as Google-era CSVs.

    Days of 1,440 minutes reuse one of a few sample sets per offset with their dates filled in
    (fast enough for ten years); DST days are written sample by sample."""
    made: dict[tuple, HeartDay] = {}
    for n in range(min(spec.heart_rate_days, len(days))):
        day = days[n]
        instants = local_minutes(day, zones[day])
        start = instants[0] * 60
        if len(instants) == 1440:
            key = (start % 86400, day.toordinal() % 5)
            if key not in made:
                made[key] = heart_day(86400, start % 86400, spec.seed + len(made))
            sample = made[key]
            first = time.strftime("%m/%d/%y", time.gmtime(start - start % 86400))
            second = time.strftime("%m/%d/%y", time.gmtime(start - start % 86400 + 86400))
            body = sample.body.replace(_DATE_A, first).replace(_DATE_B, second)
            if len(days) <= 400:
                archive.heart_rate[day] = sample.minutes
        else:
            body, archive.heart_rate[day] = dst_heart_day(instants, zones[day], day, spec.seed)
        parts.write(f"{folder}/heart_rate-{day}.json", body)
    csv_days = days[spec.heart_rate_days:spec.heart_rate_days + spec.heart_rate_csv_days]
    if csv_days:
        write_heart_rate_csv(parts, folder.rsplit("/", 1)[0], zones, csv_days, archive)


def dst_heart_day(instants: range, zone: ZoneInfo, day: date, seed: int) -> tuple[str, dict[int, list]]:
    """A day of 23 or 25 hours: a sample every 10 s, kept per wall-clock minute (the repeated hour merged)."""
    rng = random.Random(seed)
    pieces, minutes = [], {}
    for second in range(instants[0] * 60, instants[-1] * 60 + 60, 10):
        bpm = rng.randint(55, 95)
        pieces.append(f'{{"dateTime":"{time.strftime("%m/%d/%y %H:%M:%S", time.gmtime(second))}",'
                      f'"value":{{"bpm":{bpm},"confidence":{rng.randint(0, 3)}}}}}')
        kept = minutes.setdefault(wall_minute(second // 60, zone, day), [0, 0])
        kept[0] += bpm
        kept[1] += 1
    return "[" + ",\n".join(pieces) + "]", minutes


def write_heart_rate_csv(parts, root, zones, days, archive) -> None:
    """Physical Activity_GoogleData/Heart Rate/heart_rate_<first date>.csv: `timestamp,beats per minute,
    data source`, UTC with "Z", bpm as a float (kev-m/FitOut; blakster/air-health)."""
    rng = random.Random(len(days))
    out = io.StringIO()
    out.write("timestamp,beats per minute,data source\n")
    for day in days:
        instants = local_minutes(day, zones[day])
        minutes = archive.heart_rate.setdefault(day, {})
        for index in range(0, len(instants), 7):  # a few minutes an hour, two samples each
            for second in (4, 39):
                bpm = rng.randint(50, 120)
                moment = datetime.fromtimestamp(instants[index] * 60 + second, timezone.utc)
                out.write(f"{moment:%Y-%m-%dT%H:%M:%S}Z,{bpm}.0,Google Pixel Watch 3\n")
                kept = minutes.setdefault(wall_minute(instants[index], zones[day], day), [0, 0])
                kept[0] += bpm
                kept[1] += 1
    parts.write(f"{root}/Physical Activity_GoogleData/Heart Rate/heart_rate_{days[0]}.csv", out.getvalue())


def write_workouts(parts, folder, spec, zones, days, archive) -> None:
    """A walk at 17:05 local on two days of three, in exercise-<n>.json pages of 100 (newest first).

    `startTime` in UTC (fitbit-archive.md, measured), or local with workout_clock="local"; `steps`
    are the minute steps written inside [start, start + duration); distance in miles on odd days."""
    records = []
    for index, day in enumerate(days):
        if index % 3 == 2:
            continue
        local = datetime(day.year, day.month, day.day, 17, 5)
        seconds = 1800
        steps = archive.walk_steps.get(day)
        if not steps:
            continue
        utc = local.replace(tzinfo=zones[day]).astimezone(timezone.utc)
        written = local if spec.workout_clock == "local" else utc
        km = round(steps * 0.00074, 3)
        mile = index % 2 == 1
        record = {"logId": 40000000000 + index, "activityName": "Walk", "activityTypeId": 90013,
                  "activityLevel": [{"minutes": 30, "name": "lightly"}], "averageHeartRate": 104 + index % 20,
                  "calories": 150 + index % 40, "duration": seconds * 1000, "activeDuration": seconds * 1000,
                  "steps": steps, "logType": "auto_detected", "startTime": f"{written:%m/%d/%y %H:%M:%S}",
                  "distance": round(km / 1.609344, 4) if mile else km, "distanceUnit": "Mile" if mile else "Kilometer",
                  "heartRateZones": [{"name": "Out of Range", "min": 30, "max": 98, "minutes": 6},
                                     {"name": "Fat Burn", "min": 98, "max": 137, "minutes": 24},
                                     {"name": "Cardio", "min": 137, "max": 166, "minutes": 0},
                                     {"name": "Peak", "min": 166, "max": 220, "minutes": 0}],
                  "hasGps": False, "shouldFetchDetails": False}
        records.append(record)
        archive.workouts.append((local, seconds, "Walk", steps, km, record["averageHeartRate"]))
    records.reverse()
    for page in range(0, len(records), 100):
        parts.write(f"{folder}/exercise-{page}.json", json.dumps(records[page:page + 100]))


def write_health(parts, folder, sleep_folder, spec, days, rng, expected) -> None:
    """The daily health families: time_in_heart_rate_zones and demographic_vo2_max JSON (local dates), and
    the CSVs of HRV, SpO2, breathing rate, computed temperature and Active Zone Minutes, in the folders
    of the layout (MyFitbitData: Sleep/ and Physical Activity/; Takeout: a folder per family)."""
    takeout = "Global Export Data" in folder
    root = folder.rsplit("/", 1)[0]
    where = {name: f"{root}/{name}" if takeout else (sleep_folder if name != "azm" else folder)
             for name in ("Heart Rate Variability", "Oxygen Saturation (SpO2)", "Temperature", "azm")}
    if takeout:
        where["azm"] = f"{root}/Active Zone Minutes (AZM)"
    zones = Batches(parts, folder, "time_in_heart_rate_zones", spec.batch_days, days[0])
    vo2 = Batches(parts, folder, "demographic_vo2_max", spec.batch_days, days[0])
    hrv = ["timestamp,rmssd,nremhr,entropy"]
    spo2 = ["timestamp,average_value,lower_bound,upper_bound"]
    breathing = ["timestamp,daily_respiratory_rate"]
    temperature = ["type,sleep_start,sleep_end,temperature_samples,nightly_temperature,baseline_relative_sample_sum,"
                   "baseline_relative_sample_sum_of_squares,baseline_relative_nightly_standard_deviation,"
                   "baseline_relative_sample_standard_deviation"]
    azm = ["date_time,heart_zone_id,total_minutes"]
    for index, day in enumerate(days):
        fat_burn, cardio, peak = rng.randint(5, 60), rng.randint(0, 20), rng.randint(0, 5)
        zones.add(day, json.dumps({"dateTime": day_stamp(day), "value": {"valuesInZones": {
            "IN_DEFAULT_ZONE_3": float(peak), "IN_DEFAULT_ZONE_1": float(fat_burn), "IN_DEFAULT_ZONE_2": float(cardio),
            "BELOW_DEFAULT_ZONE_1": float(1440 - fat_burn - cardio - peak)}}}))
        if index % 7 == 0:
            value = round(rng.uniform(38, 48), 5)
            vo2.add(day, json.dumps({"dateTime": day_stamp(day), "value": {
                "demographicVO2Max": value + 0.5, "demographicVO2MaxError": 3.0,
                "filteredDemographicVO2Max": value, "filteredDemographicVO2MaxError": 3.0}}))
            expected["vo2max"][day] = value
        if index % 4 == 3:
            continue  # no sleep, no nightly figures
        rmssd, rate = round(rng.uniform(20, 60), 3), round(rng.uniform(12, 18), 1)
        hrv.append(f"{day}T00:00:00,{rmssd},{round(rng.uniform(50, 60), 3)},2.4")
        spo2.append(f"{day}T00:00:00Z,{round(rng.uniform(94, 98), 1)},{93.0},{99.9}")
        breathing.append(f"{day}T00:00:00,{rate}")
        expected["hrv"][day] = rmssd
        expected["spo2"][day] = float(spo2[-1].split(",")[1])
        expected["breathing_rate"][day] = rate
        samples, total = rng.randint(300, 600), round(rng.uniform(-80, 120), 3)
        before = day - timedelta(days=1)
        temperature.append(f"IDT,{before}T23:14:30,{day}T06:11:30,{samples},33.9,{total},419.6,0.279,0.956")
        expected["skin_temperature"][day] = round(total / samples, 3)
        minutes = 0
        for minute in range(17 * 60 + 10, 17 * 60 + 10 + 20):
            zone_id, counted = ("CARDIO", 2) if minute % 3 == 0 else ("FAT_BURN", 1)
            azm.append(f"{day}T{minute // 60:02d}:{minute % 60:02d},{zone_id},{counted}")
            minutes += counted
        expected["active_zone_minutes"][day] = minutes
    zones.flush()
    vo2.flush()
    first = days[0]
    # One file per day for the daily summaries in real exports; one per batch here is the same to a reader.
    if spec.google_daily:
        write_google_daily(parts, root, hrv, spo2, breathing)
    else:
        parts.write(f"{where['Heart Rate Variability']}/Daily Heart Rate Variability Summary - "
                    f"{first:%Y-%m-(%d)}.csv", "\n".join(hrv))  # real files often lack the trailing newline
        parts.write(f"{where['Oxygen Saturation (SpO2)']}/Daily SpO2 - {first}-{days[-1]}.csv",
                    "\n".join(spo2) + "\n")
        parts.write(f"{where['Heart Rate Variability']}/Daily Respiratory Rate Summary - {first}.csv",
                    "\n".join(breathing) + "\n")
    parts.write(f"{where['Temperature']}/Computed Temperature - {first}.csv", "\n".join(temperature) + "\n")
    parts.write(f"{where['azm']}/Active Zone Minutes - {first}.csv", "\r\n".join(azm) + "\r\n")


def write_google_daily(parts, root, hrv, spo2, breathing) -> None:
    """The same nights as Takeout 2026's Google-era daily CSVs, one row per night and device."""
    folder = f"{root}/Health Fitness Data_GoogleData"
    rows = [line.split(",") for line in hrv[1:]]
    parts.write(f"{folder}/daily_heart_rate_variability_{rows[0][0][:10]}.csv",
                "timestamp,average heart rate variability milliseconds,non rem heart rate beats per minute,entropy,"
                "deep sleep root mean square of successive differences milliseconds,data source\n"
                + "".join(f"{row[0]},{row[1]},{row[2]},2.9,45.0,Google Pixel Watch 3\n" for row in rows))
    rows = [line.split(",") for line in spo2[1:]]
    parts.write(f"{folder}/daily_oxygen_saturation_{rows[0][0][:10]}.csv",
                "timestamp,average percentage,lower bound percentage,upper bound percentage,baseline percentage,"
                "standard deviation percentage,data source\n"
                + "".join(f"{row[0][:19]},{row[1]},93.8,98.9,96.0,0.8,Google Pixel Watch 3\n" for row in rows))
    rows = [line.split(",") for line in breathing[1:]]
    parts.write(f"{folder}/daily_respiratory_rate_{rows[0][0][:10]}.csv", "timestamp,breaths per minute,data source\n"
                + "".join(f"{row[0]},{row[1]},Google Pixel Watch 3\n" for row in rows))
