"""`common`: the definitions every layer shares, each used by all of them (one owner each)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from common.loopback import is_loopback_host, is_loopback_url
from common.lru import Lru
from common.periods import PERIODS, bucket, buckets, same_period


@pytest.mark.parametrize(("host", "loopback"), [
    ("localhost", True), ("LOCALHOST", True), ("127.0.0.1", True), ("127.8.9.10", True),
    ("::1", True), ("[::1]", True), ("0.0.0.0", False), ("10.0.0.1", False),
    ("example.org", False), ("localhost.example.org", False), ("127.0.0.1.nip.io", False),
    ("", False), (None, False),
])
def test_loopback_hosts_are_decided_without_dns(host, loopback):
    assert is_loopback_host(host) is loopback


def test_a_url_is_loopback_by_its_host():
    assert is_loopback_url("http://[::1]:8080/cb") and is_loopback_url("http://localhost/x")
    assert not is_loopback_url("https://custos.example/")


def test_every_loopback_check_of_the_server_is_the_one_function():
    from api.cli.custos import _is_loopback
    from api.oauth.uris import uri_problem

    assert _is_loopback("::1")  # was refused: the name was resolved for IPv4 only
    for uri in ("http://[::1]:9/cb", "http://localhost:9/cb", "http://127.0.0.1:9/cb"):
        assert uri_problem(uri) is None, uri
    assert uri_problem("http://127.0.0.1.nip.io/cb") is not None


@pytest.mark.parametrize(("period", "at", "expected"), [
    ("hour", datetime(2026, 11, 25, 9, 59, tzinfo=UTC), "2026-11-25T09"),
    ("day", datetime(2026, 11, 25, 23, 30, tzinfo=timezone(timedelta(hours=-2))), "2026-11-26"),
    ("week", datetime(2026, 11, 25, tzinfo=UTC), "2026-W48"),
    ("week", datetime(2027, 1, 1, tzinfo=UTC), "2026-W53"),
    ("month", datetime(2026, 11, 30, 23, 59, tzinfo=UTC), "2026-11"),
    ("year", datetime(2026, 1, 1, tzinfo=UTC), "2026"),
])
def test_a_period_is_a_calendar_period_in_utc(period, at, expected):
    assert bucket(period, at) == expected


NEW_YEAR_IN_RIO = datetime(2026, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-3)))


@pytest.mark.parametrize("at", [datetime(2026, 11, 25, 9, 59, tzinfo=UTC), NEW_YEAR_IN_RIO,
                                datetime(2027, 1, 3, 12), datetime(2024, 2, 29, 0, 0, 1)])
def test_every_bucket_at_once_is_each_bucket(at):
    assert buckets(at) == tuple(bucket(p, at) for p in PERIODS)


def test_every_bucket_at_once_in_utc():
    assert buckets(NEW_YEAR_IN_RIO) == ("2027-01-01T02", "2027-01-01", "2026-W53", "2027-01",
                                        "2027")


def test_the_first_of_the_month_starts_a_new_month():
    last = datetime(2026, 1, 31, 23, 59, tzinfo=UTC)
    assert not same_period("month", last, last + timedelta(minutes=2))
    assert same_period("month", datetime(2026, 1, 1, tzinfo=UTC), last)


def test_an_unknown_period_is_refused():
    with pytest.raises(ValueError, match="fortnight"):
        bucket("fortnight", datetime(2026, 1, 1, tzinfo=UTC))


def test_the_server_the_rules_and_the_butler_share_the_definition():
    from clients.butler import offers as butler
    from policies.schema import FrequencySchema
    from vault import access_counts

    assert access_counts.bucket is bucket and access_counts.PERIODS is PERIODS
    assert butler.same_period is same_period and butler.PERIODS is PERIODS
    assert set(FrequencySchema().fields["per"].validate.choices) == set(PERIODS)


def test_the_cache_forgets_the_least_recently_used_entry_when_full():
    cache: Lru[str, int] = Lru(2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # now "b" is the least recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)
    cache.put("a", 4)  # a new value for a key refreshes it too
    cache.put("d", 5)
    assert (cache.get("a"), cache.get("c"), cache.get("d")) == (4, None, 5)
