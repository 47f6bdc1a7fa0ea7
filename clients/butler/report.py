"""What the butler did, as values and as plain sentences for the person's terminal and log."""

from __future__ import annotations

from dataclasses import dataclass

from policies.codes import BUTLER_CANNOT_JUDGE

VERBS = {
    ("offer", "deliver"): "Delivered the offer from {vendor} to you",
    ("offer", "filter"): "Filtered out the offer from {vendor}",
    ("offer", "leave"): "Left the offer from {vendor} for you",
    ("request", "approve"): "Approved {vendor}'s request for you",
    ("request", "deny"): "Refused {vendor}'s request for you",
    ("request", "leave"): "Left {vendor}'s request for you to decide",
}
WOULD = {
    ("offer", "deliver"): "Would deliver the offer from {vendor} to you",
    ("offer", "filter"): "Would filter out the offer from {vendor}",
    ("request", "approve"): "Would approve {vendor}'s request for you",
    ("request", "deny"): "Would refuse {vendor}'s request for you",
}


@dataclass(frozen=True, kw_only=True)
class Action:
    """One thing the butler decided: about which offer or request, what, and why."""

    kind: str  # "offer" or "request"
    target: str
    verdict: str  # deliver, filter, approve, deny or leave
    vendor: str
    reasons: list[dict]
    done: bool  # False in a dry run and when left for the person

    @classmethod
    def leave(cls, kind: str, item: dict, why: str) -> Action:
        """Leave an item for the person, saying why the butler did not decide it."""
        vendor = item.get("vendor")
        name = (vendor.get("name") or vendor.get("id")) if isinstance(vendor, dict) else None
        return cls(kind=kind, target=item.get("id", "?"), verdict="leave",
                   vendor=name or item.get("client_id") or "a vendor",
                   reasons=[{"code": BUTLER_CANNOT_JUDGE, "text": why}], done=False)

    def sentence(self, dry_run: bool = False) -> str:
        """'Filtered out the offer from FastCars: You only want offers from vendors ...'."""
        table = WOULD if dry_run and (self.kind, self.verdict) in WOULD else VERBS
        head = table[(self.kind, self.verdict)].format(vendor=self.vendor)
        why = "; ".join(_text(r) for r in self.reasons if _text(r))
        return f"{head}: {why}." if why else f"{head}."

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def _text(reason: dict) -> str:
    return str(reason.get("text") or reason.get("code") or "").rstrip(".")


def summary(actions: list[Action], dry_run: bool = False) -> str:
    """One line for the end of a pass."""
    if not actions:
        return "Nothing new: no offers to sort and no requests waiting."
    counts: dict[str, int] = {}
    for a in actions:
        counts[a.verdict] = counts.get(a.verdict, 0) + 1
    parts = [f"{n} {verb}" for verb, n in sorted(counts.items())]
    return ("Dry run, nothing sent: " if dry_run else "Done: ") + ", ".join(parts) + "."
