"""Open the uploaded zip parts safely: check names and sizes, then read one member at a time."""

import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .layout import Entry, classify

MiB = 1024 * 1024
# Deflate cannot shrink data more than ~1032 times; Fitbit JSON shrinks 10-40 times.
MAX_RATIO = 200
# The largest member read into memory at once (a 31-day minute file is about 3 MB).
MAX_MEMBER_BYTES = 256 * MiB
# Members above this size are parsed as a stream instead of loaded whole.
STREAM_ABOVE = 16 * MiB
# File names quoted when an upload holds no health data.
LISTED_NAMES = 5
# Members in all parts together: a dense 15-year export holds a few tens of thousands. Counted from
# each part's end record before its central directory is parsed (300,000 members cost 168 MB there).
MAX_MEMBERS = 200_000
# Files of one family (a file a day for 50 years is 18,263).
MAX_PER_FAMILY = 20_000


class ArchiveError(Exception):
    """The upload cannot be imported at all; the message is said to the person as is."""


@dataclass(frozen=True)
class Member:
    """One archive member to read: which part it is in, its zip entry and what it holds."""

    part: int
    info: zipfile.ZipInfo
    entry: Entry


@dataclass
class Inventory:
    """What the parts hold: the members to read, in order, how many were skipped unread,
    and (for the message when nothing is health data) how many files there were and a few names."""

    members: list[Member]
    skipped: int
    files: int = 0
    names: list[str] = field(default_factory=list)


def unsafe_name(name: str) -> bool:
    """Tell whether a member name is absolute or climbs out of the archive ("..")."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":") or ".." in parts


@contextmanager
def open_parts(paths: Iterable[Path], labels: Iterable[str] | None = None) -> Iterator[list[zipfile.ZipFile]]:
    """Open every part as a zip (central directories only); raise ArchiveError for one that is not."""
    paths = [Path(path) for path in paths]
    labels = list(labels) if labels is not None else [path.name for path in paths]
    opened: list[zipfile.ZipFile] = []
    members = 0
    try:
        for path, label in zip(paths, labels):
            members += declared_members(path)
            if members > MAX_MEMBERS:
                raise ArchiveError(f"This upload holds more than {MAX_MEMBERS:,} files; no Fitbit export has that "
                                   "many, so fitlink did not import it.")
            try:
                opened.append(zipfile.ZipFile(path))
            except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
                raise ArchiveError(
                    f"{label} is not a complete zip file ({error}). Download it again and upload every part."
                ) from error
        yield opened
    finally:
        for archive in opened:
            archive.close()


def declared_members(path: Path) -> int:
    """Return the number of members a zip's end record declares (0 when it has none: not a zip)."""
    try:
        with open(path, "rb") as handle:
            # The standard library's own reader of the end record (zip64 included), which
            # ZipFile calls first too; it reads a few kilobytes at the end of the file.
            record = zipfile._EndRecData(handle)
    except OSError:
        return 0
    return int(record[zipfile._ECD_ENTRIES_TOTAL]) if record else 0


def inventory(parts: list[zipfile.ZipFile], labels: list[str], max_total: int) -> Inventory:
    """List the members worth reading across all parts; raise ArchiveError on unsafe names or bombs.

    Files in the known layouts' folders are read; dated family files elsewhere
    (a re-zipped or renamed export) only when no known folder holds any data.
    """
    pools: dict[bool, dict[tuple, Member]] = {True: {}, False: {}}
    skipped = files = 0
    names: list[str] = []
    per_family: dict[str, int] = {}
    for index, archive in enumerate(parts):
        for info in archive.infolist():
            if unsafe_name(info.filename):
                raise ArchiveError(f"{labels[index]} contains an unsafe file name ({info.filename!r}); "
                                   "fitlink does not import archives like that.")
            if info.is_dir():
                continue
            files += 1
            if len(names) < LISTED_NAMES:
                names.append(info.filename)
            entry = classify(info.filename)
            if entry is None:
                skipped += 1
                continue
            check_size(info, labels[index])
            per_family[entry.family] = per_family.get(entry.family, 0) + 1
            if per_family[entry.family] > MAX_PER_FAMILY:
                raise ArchiveError(f"This upload holds more than {MAX_PER_FAMILY:,} {entry.family} files; no Fitbit "
                                   "export has that many, so fitlink did not import it.")
            # The same file in two parts or two exports: read one copy, the larger (the later export's).
            pool, key = pools[entry.known], entry.dedupe_key
            if key in pool:
                skipped += 1
                if pool[key].info.file_size >= info.file_size:
                    continue
            pool[key] = Member(index, info, entry)
    chosen = pools[True]
    if any(member.entry.kind in ("json", "evidence") for member in chosen.values()):
        skipped += len(pools[False])
    else:
        chosen = {**pools[False], **chosen}
    if sum(member.info.file_size for member in chosen.values()) > max_total:
        raise ArchiveError(
            f"The health files in this archive would expand to more than {max_total // MiB:,} MB; "
            "that is far more than any Fitbit export holds, so fitlink did not import it.")
    # Newest file of a family first (names carry the batch's first date), so that of two
    # overlapping exports the later one's minutes count; then the profile, JSON, CSV order.
    members = sorted(chosen.values(), key=lambda member: member.entry.filename, reverse=True)
    members.sort(key=lambda member: member.entry.order)
    return Inventory(members, skipped, files, names)


def check_size(info: zipfile.ZipInfo, label: str) -> None:
    """Refuse a member that claims to expand far more than data compresses (a zip bomb)."""
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > MAX_MEMBER_BYTES or (info.file_size > MiB and ratio > MAX_RATIO):
        raise ArchiveError(
            f"{label} looks like a zip bomb: {info.filename} would expand from "
            f"{info.compress_size:,} to {info.file_size:,} bytes. fitlink did not import it.")


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read one member whole, never more than its declared size (zipfile checks its CRC)."""
    with archive.open(info) as stream:
        data = stream.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise ValueError("the file is larger than the archive says")
    return data


def member_label(info: zipfile.ZipInfo) -> str:
    """Return a short name for messages: the file's folder and name."""
    path = PurePosixPath(info.filename.replace("\\", "/"))
    return "/".join(path.parts[-2:])
