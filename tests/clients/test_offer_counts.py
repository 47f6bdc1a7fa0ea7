"""The butler counts a vendor's offers per calendar period, as the server counts reads."""

from __future__ import annotations

from clients.butler.offers import counts_before


def _offer(oid: str, at: str, vendor: str = "fastcars") -> dict:
    return {"id": oid, "vendor": {"id": vendor}, "created_at": at}


def test_offers_count_in_the_calendar_period_of_the_new_offer():
    earlier = [_offer(str(i), "2026-01-31T10:00:00+00:00") for i in range(3)]
    new = _offer("new", "2026-02-01T00:30:00+00:00")  # a Sunday: the same ISO week
    counts = counts_before(new, [*earlier, new, _offer("other", "2026-02-01T00:00:00+00:00",
                                                       vendor="slowcars")])
    # "at most 3 a month" starts again on the 1st; a sliding 30 days counted 3 here
    assert counts == {"hour": 0, "day": 0, "week": 3, "month": 0, "year": 3}


def test_later_offers_and_the_offer_itself_do_not_count():
    new = _offer("new", "2026-03-10T12:00:00+00:00")
    later = _offer("later", "2026-03-10T12:30:00+00:00")
    assert counts_before(new, [new, later])["hour"] == 0
