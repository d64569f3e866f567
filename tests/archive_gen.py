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
    junk_bytes: int = 200_000  # UserActivityProbabilities: never read
    batch_days: int = 30
    export_hour: int = 14  # the export ran at this local hour of the last day
    awake_minutes: tuple[int, int] = (7 * 60, 23 * 60)  # local minutes of the day with steps
    seed: int = 7
    compresslevel: int = 6


@dataclass
class Archive:
    """The parts written and what importing them must give."""

    parts: list[Path]
    expected: dict[str, dict[date, float]]
    sleep_details: dict[date, dict] = field(default_factory=dict)
    last_day: date | None = None
    files: int = 0


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
    minute_families(parts, folder_of, spec, zones, days, rng, expected)
    daily_families(parts, folder_of, spec, days, rng, expected)
    write_sleep(parts, folder_of("sleep"), spec, days, rng, archive)
    write_weight(parts, folder_of("weight"), spec, days, rng, expected)
    write_extras(parts, data_folder.format(folder="Physical Activity"), spec, zones, days, expected)
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


def minute_families(parts, folder_of, spec, zones, days, rng, expected) -> None:
    """Steps and distance per minute in UTC (cm), calories per minute in local time; padding zeros after.

    Files hold batches of local days, named after the first one; a steps or distance file
    begins at that day's local midnight, written in UTC, with a zero minute (midnight_records).
    After a move east the new zone's first day begins before the old zone's last one ends:
    those minutes are written once, on the old zone's day.
    """
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
        for offset in range(end):
            minute = instants[offset]
            kcal = kcal_pool[offset]
            if spec.calories_follow_steps:
                awake = spec.awake_minutes[0] <= offset < spec.awake_minutes[1]
                kcal = round(1.1 + 0.08 * (pool[offset] if awake else 0), 2)
            kcal_total += kcal
            stamp = local_stamp(minute, zone) if dst_day else None
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
        log = {"logId": 26000000000 + index, "dateOfSleep": day.isoformat(),
               "startTime": start.isoformat(timespec="milliseconds"), "endTime": end.isoformat(timespec="milliseconds"),
               "duration": (asleep + awake) * 60_000, "minutesToFallAsleep": 0, "minutesAsleep": asleep,
               "minutesAwake": awake, "minutesAfterWakeup": 0, "timeInBed": asleep + awake,
               "efficiency": round(100 * asleep / (asleep + awake)), "type": kind, "infoCode": 0,
               "levels": {"summary": {name: {"count": 3, "minutes": minutes, "thirtyDayAvgMinutes": 0}
                                      for name, minutes in summary.items()},
                          "data": [{"dateTime": start.isoformat(timespec="milliseconds"), "level": "wake",
                                    "seconds": 60}], "shortData": []},
               "mainSleep": True}
        batch.add(day, json.dumps(log))
        archive.expected["sleep"][day] = asleep
        archive.sleep_details[day] = {"type": kind, "stages": summary, "time_in_bed": asleep + awake}
        if index % 5 == 1:
            nap = dict(log, logId=27000000000 + index, minutesAsleep=asleep // 4, mainSleep=False,
                       startTime=f"{day.isoformat()}T14:00:00.000", endTime=f"{day.isoformat()}T15:00:00.000")
            batch.add(day, json.dumps(nap))
    batch.flush()


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
    for n in range(spec.heart_rate_days):
        day = days[0] + timedelta(days=n)
        # One local day (23 or 25 hours across DST) from its midnight, in UTC.
        minutes = local_minutes(day, zones[day])
        start = minutes[0] * 60
        samples = ",\n".join(
            f'{{"dateTime":"{time.strftime("%m/%d/%y %H:%M:%S", time.gmtime(start + s))}",'
            f'"value":{{"bpm":{60 + s % 40},"confidence":2}}}}' for s in range(0, len(minutes) * 60, 10))
        parts.write(f"{folder}/heart_rate-{day}.json", f"[{samples}]")
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
