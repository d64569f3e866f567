"""Every source's rows and the one value shown per person, metric and day: precedence, removal, isolation."""

from datetime import date

from sqlalchemy import select

from fitlink.extensions import db
from fitlink.models import DailyMetric, SourceMetric, User
from fitlink.sources import DayValue, rank
from fitlink.sync.store import remove_source_rows, save_days

D1, D2, D3 = date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 3)


def people(app, count=2) -> list[int]:
    with app.app_context():
        users = [User(email=f"p{n}@example.org", password_hash="x") for n in range(count)]
        db.session.add_all(users)
        db.session.commit()
        return [user.id for user in users]


def shown(user_id) -> dict:
    rows = db.session.execute(select(DailyMetric.day, DailyMetric.value, DailyMetric.source)
                              .where(DailyMetric.user_id == user_id, DailyMetric.metric == "steps"))
    return {day: (value, source) for day, value, source in rows}


def test_live_sources_outrank_archives_and_google_health_outranks_fitbit(app):
    (uid,) = people(app, 1)
    with app.app_context():
        assert rank("google_health") < rank("fitbit") < rank("fitbit_archive") < rank("something-unknown")
        save_days(uid, "fitbit_archive", "steps", [DayValue(D1, 100), DayValue(D2, 200), DayValue(D3, 300)])
        save_days(uid, "fitbit", "steps", [DayValue(D1, 150), DayValue(D2, 250)])
        # A later archive import never overrides a live source's day.
        save_days(uid, "fitbit_archive", "steps", [DayValue(D1, 999)])
        save_days(uid, "google_health", "steps", [DayValue(D2, 222)])
        db.session.commit()
        assert shown(uid) == {D1: (150, "fitbit"), D2: (222, "google_health"), D3: (300, "fitbit_archive")}
        # Each source keeps its own rows: nothing summed, nothing lost.
        kept = db.session.execute(select(SourceMetric.source, SourceMetric.day, SourceMetric.value)
                                  .where(SourceMetric.user_id == uid)).all()
        assert sorted(kept) == sorted([("fitbit_archive", D1, 999), ("fitbit_archive", D2, 200),
                                       ("fitbit_archive", D3, 300), ("fitbit", D1, 150),
                                       ("fitbit", D2, 250), ("google_health", D2, 222)])


def test_removing_a_source_shows_the_next_best_value(app):
    (uid,) = people(app, 1)
    with app.app_context():
        save_days(uid, "fitbit_archive", "steps", [DayValue(D1, 100), DayValue(D2, 200)])
        save_days(uid, "fitbit", "steps", [DayValue(D1, 150), DayValue(D3, 350)])
        save_days(uid, "google_health", "steps", [DayValue(D1, 111)])
        db.session.commit()
        remove_source_rows(uid, "google_health")
        db.session.commit()
        assert shown(uid) == {D1: (150, "fitbit"), D2: (200, "fitbit_archive"), D3: (350, "fitbit")}
        remove_source_rows(uid, "fitbit")
        db.session.commit()
        assert shown(uid) == {D1: (100, "fitbit_archive"), D2: (200, "fitbit_archive")}
        remove_source_rows(uid, "fitbit_archive")
        db.session.commit()
        assert shown(uid) == {}
        assert db.session.execute(select(SourceMetric).where(SourceMetric.user_id == uid)).all() == []


def test_the_same_source_updates_its_own_days_and_people_stay_apart(app):
    first, second = people(app)
    with app.app_context():
        save_days(first, "fitbit", "steps", [DayValue(D1, 10, {"note": "old"})])
        save_days(second, "fitbit_archive", "steps", [DayValue(D1, 20)])
        save_days(first, "fitbit", "steps", [DayValue(D1, 11)])
        db.session.commit()
        assert shown(first) == {D1: (11, "fitbit")}
        assert shown(second) == {D1: (20, "fitbit_archive")}
        remove_source_rows(first, "fitbit_archive")  # the other person's source: nothing of first's changes
        db.session.commit()
        assert shown(second) == {D1: (20, "fitbit_archive")}
        details = db.session.execute(select(SourceMetric.details).where(SourceMetric.user_id == first)).scalar()
        assert details is None
