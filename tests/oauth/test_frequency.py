"""Frequency rules see the real number of reads of this vendor, per calendar period."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.conftest import save_terms

TWICE_A_DAY = {"default": "ask", "rules": [
    {"id": "twice-a-day", "effect": "permit", "purposes": ["ServiceProvision"],
     "categories": ["contact", "address"], "frequency": {"max": 2, "per": "day"}}]}


def test_third_read_in_a_day_is_refused_with_frequency_exceeded(app, person, vendor, vendors,
                                                               flow, client, clock):
    save_terms(client, TWICE_A_DAY)
    tokens = flow.tokens(vendor)
    access = tokens["access_token"]
    assert [flow.read(access).status_code for _ in range(2)] == [200, 200]
    third = flow.read(access)
    assert third.status_code == 403 and third.get_json()["error"] == "access_refused"
    assert {r["code"] for r in third.get_json()["reasons"]} == {"frequency.exceeded"}
    assert flow.read(access).status_code == 403  # refused reads do not count, nor unlock
    log = app.extensions["custos.vault"].list_events(person, kinds=["access_attempted"])
    assert [e.payload["outcome"] for e in log] == ["allowed", "allowed", "refused", "refused"]
    clock.advance(hours=15)  # 09:00 -> 00:00 the next day
    fresh = flow.token(vendor, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert flow.read(fresh.get_json()["access_token"]).status_code == 200  # a new calendar day


def test_counts_are_per_vendor(person, vendor, vendors, flow, client):
    save_terms(client, TWICE_A_DAY)
    first = flow.tokens(vendor)["access_token"]
    other = flow.tokens(vendors.register(client_name="Other"))["access_token"]
    assert [flow.read(first).status_code for _ in range(3)] == [200, 200, 403]
    assert flow.read(other).status_code == 200


def test_without_frequency_rules_nothing_is_read_but_reads_are_counted(app, person, vendor,
                                                                     flow, clock):
    access = flow.tokens(vendor)["access_token"]
    for _ in range(3):
        assert flow.read(access).status_code == 200
    counter = app.extensions["custos.vault"].agreements.access_counts
    with app.extensions["custos.vault"].transaction("read") as tx:
        counts = counter.counts(tx, person, vendor["client_id"], {"hour", "day", "year"},
                                clock())
    assert counts == {"day": 3, "hour": 3, "year": 3}


def test_buckets_are_calendar_periods_in_utc():
    from common.periods import bucket

    at = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert [bucket(p, at) for p in ("hour", "day", "week", "month", "year")] == [
        "2026-12-31T23", "2026-12-31", "2026-W53", "2026-12", "2026"]


def test_old_hour_and_day_buckets_are_pruned(app, person, vendor, flow, clock):
    access = flow.tokens(vendor)["access_token"]
    flow.read(access)
    counter = app.extensions["custos.vault"].agreements.access_counts
    clock.advance(days=70)
    assert counter.prune(clock()) == 2  # the hour and the day bucket; week, month, year stay
