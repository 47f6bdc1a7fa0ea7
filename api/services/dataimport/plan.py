"""What an import would do to the vault (add, update, skip), and doing exactly that.

Merge rule (docs/import.md): a field with the same category and the same name (ignoring case)
as one in the vault updates it if the kind or value differs, and is skipped if equal; an
intent matches on category and text. Several same-named fields pair off in order, equal ones
first, so importing one export twice changes nothing. Terms become the next version, unless
vendors hold live agreements: then the Terms page, which shows what a change does to them,
is the place. The plan's digest travels with the preview; `apply_previewed` recomputes the
plan in the write transaction and refuses if it differs, so "Import" does what was shown.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from policies import vocab
from vault import Vault
from vault.events import DataImported

from ...web.forms import INTENT_CATEGORIES
from .. import intentcast, mandates
from .records import Parsed, Skipped


@dataclass(frozen=True, kw_only=True)
class Step:
    """One record's fate: `target` is the id it updates, `data` what it writes."""

    action: str  # "add", "update" or "skip"
    kind: str  # "field", "intent" or "terms"
    what: str
    shown: str  # the value as the person reads it
    reason: str
    where: str
    target: str | None = None
    data: Any = None


@dataclass(frozen=True, kw_only=True)
class Plan:
    """Every step, what the file left out, and a digest of the decisions."""

    steps: list[Step]
    skipped: list[Skipped]
    digest: str

    def count(self, action: str) -> int:
        """How many steps add, update or skip (file-level skips count as skips)."""
        extra = len(self.skipped) if action == "skip" else 0
        return extra + sum(1 for s in self.steps if s.action == action)


class PlanChanged(Exception):
    """The vault changed since the preview; carries the new plan to show instead."""

    def __init__(self, plan: Plan) -> None:
        super().__init__("the vault changed since the preview")
        self.plan = plan


def make_plan(vault: Vault, person_id: str, parsed: Parsed, now: datetime) -> Plan:
    """Read the vault and decide each record; writes nothing."""
    fields = _match(
        parsed.fields, vault.list_fields(person_id),
        key=lambda f: (f["category"], f["name"].casefold()),
        old_key=lambda f: (f.category, f.name.casefold()),
        same=lambda f, old: (f["kind"], f["value"]) == (old.kind, old.value),
    )
    steps = [_field_step(new, old, same) for new, old, same in fields]
    intents = _match(
        parsed.intents, vault.list_intents(person_id),
        key=lambda i: (i["data"]["category"], i["data"]["text"].casefold()),
        old_key=lambda i: (i.data.get("category"), str(i.data.get("text", "")).casefold()),
        same=lambda i, old: _plain(i["data"]) == _plain(old.data),
    )
    steps += [_intent_step(new, old, same) for new, old, same in intents]
    if parsed.terms is not None:
        steps.append(_terms_step(vault, person_id, parsed.terms, now))
    decided = [[s.action, s.kind, s.target, s.data] for s in steps]
    digest = hashlib.sha256(json.dumps(decided, sort_keys=True).encode()).hexdigest()
    return Plan(steps=steps, skipped=list(parsed.skipped), digest=digest)


def apply_previewed(
    vault: Vault, person_id: str, parsed: Parsed, digest: str, now: datetime, *,
    issuer: str | None = None,
) -> Plan:
    """Write the plan in one transaction if it is still the previewed one; else PlanChanged.
    With `issuer`, an imported intent vendors may now see is announced to subscribers like one
    typed on the Intents page (`intentcast.changed`)."""
    with vault.transaction("write"):  # one transaction: all of the import or none of it
        plan = make_plan(vault, person_id, parsed, now)
        if not hmac.compare_digest(plan.digest.encode(), digest.encode("utf-8", "replace")):
            raise PlanChanged(plan)
        for i, step in enumerate(plan.steps):
            before = (vault.get_intent(person_id, step.target)
                      if (step.action, step.kind) == ("update", "intent") else None)
            # a microsecond apart: the vault lists by time, so My data keeps the file's order
            written = _WRITE[(step.action, step.kind)](vault, person_id, step, now + timedelta(
                microseconds=i))
            if step.kind == "intent" and written is not None and issuer is not None:
                intentcast.changed(vault, now, before, written, issuer=issuer)
        vault.record(person_id, DataImported(
            source=parsed.source, added=plan.count("add"), updated=plan.count("update"),
            skipped=plan.count("skip")), now + timedelta(microseconds=len(plan.steps)))
    return plan


def _match(
    new: list[dict[str, Any]],
    old: Iterable[Any],
    *,
    key: Callable[[dict[str, Any]], tuple],
    old_key: Callable[[Any], tuple],
    same: Callable[[dict[str, Any], Any], bool],
) -> list[tuple[dict[str, Any], Any, bool]]:
    """Pair each new record with an unused old one of its key: equal ones first, then in order."""
    free: dict[tuple, list[Any]] = {}
    for item in old:
        free.setdefault(old_key(item), []).append(item)
    paired: dict[int, tuple[Any, bool]] = {}
    for i, record in enumerate(new):
        pool = free.get(key(record), [])
        equal = next((o for o in pool if same(record, o)), None)
        if equal is not None:
            pool.remove(equal)
            paired[i] = (equal, True)
    for i, record in enumerate(new):
        pool = free.get(key(record), [])
        if i not in paired and pool:
            paired[i] = (pool.pop(0), False)
    return [(r, *paired.get(i, (None, False))) for i, r in enumerate(new)]


def _field_step(new: dict[str, Any], old: Any, same: bool) -> Step:
    data = {k: new[k] for k in ("category", "name", "kind", "value")}
    label = vocab.category(new["category"]).label
    base = {"kind": "field", "what": f"{new['name']} ({label})", "shown": str(new["value"]),
            "where": new["where"]}
    if old is None:
        return Step(action="add", reason="new", data=data, **base)
    if same:
        return Step(action="skip", reason="already in your vault", target=old.id, **base)
    return Step(action="update", reason=f"replaces “{old.value}”", target=old.id,
                data={**data, "name": old.name}, **base)  # the name as the person wrote it


def _intent_step(new: dict[str, Any], old: Any, same: bool) -> Step:
    data = new["data"]
    base = {"kind": "intent", "what": data["text"], "where": new["where"],
            "shown": _intent_words(data)}
    if old is None:
        return Step(action="add", reason="new", data=data, **base)
    if same:
        return Step(action="skip", reason="already in your vault", target=old.id, **base)
    return Step(action="update", reason="replaces the intent with the same words",
                target=old.id, data=data, **base)


def _terms_step(vault: Vault, person_id: str, terms: dict[str, Any], now: datetime) -> Step:
    body = terms["body"]
    rules = len(body.get("rules", []))
    base = {"kind": "terms", "what": "Your terms", "where": terms["where"],
            "shown": f"{rules} rule{'s' if rules != 1 else ''}, otherwise "
                     f"{body.get('default', 'ask')}"}
    current = vault.agreements.terms.get(person_id)
    if current and {k: v for k, v in current.body.items() if k != "version"} == body:
        return Step(action="skip", reason="the same as your current terms", **base)
    live = [g for g in vault.agreements.grants.for_person(person_id)
            if g.live(now) and not mandates.is_agent(g)]
    if live:
        return Step(action="skip", reason=f"{len(live)} vendor agreement(s) are live: change "
                    "your terms on the Terms page, which shows what a change does to them",
                    **base)
    return Step(action="update" if current else "add", data=body,
                reason="becomes the next version of your terms" if current else "new", **base)


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v not in (None, "", [])}


def _intent_words(data: dict[str, Any]) -> str:
    budget = f", up to {data['budget']} {data['currency']}" if data.get("budget") else ""
    what = INTENT_CATEGORIES.get(data["category"], data["category"])
    return f"{what}{budget} ({data.get('status', 'active')})"


_WRITE: dict[tuple[str, str], Callable[[Vault, str, Step, datetime], Any]] = {
    ("add", "field"): lambda v, p, s, now: v.add_field(p, now=now, **s.data),
    ("update", "field"): lambda v, p, s, now: v.update_field(p, s.target, now=now, **s.data),
    ("add", "intent"): lambda v, p, s, now: v.add_intent(p, s.data, now),
    ("update", "intent"): lambda v, p, s, now: v.update_intent(p, s.target, s.data, now),
    ("add", "terms"): lambda v, p, s, now: v.agreements.terms.save(p, s.data, now),
    ("update", "terms"): lambda v, p, s, now: v.agreements.terms.save(p, s.data, now),
    ("skip", "field"): lambda *_: None,
    ("skip", "intent"): lambda *_: None,
    ("skip", "terms"): lambda *_: None,
}
