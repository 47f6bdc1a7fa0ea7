"""The butler's judgement: offers by the person's offer rules, requests by their standing rules.

One pass reads the person's current terms, then
- decides each new offer locally with `policies.offers.filter_offer` and posts deliver or filter
  with the reasons (an expired offer, or one for an intent past its end date, is filtered);
  an offer from a vendor whose published list of accepted standard agreements leaves out one
  the person adopted is filtered too (`accepts.py`; each vendor's document read once a pass);
- re-judges each pending vendor request against the current terms with `policies.evaluate`:
  a clear permit or deny is answered for the person, anything to ask is left for them.
Nothing is guessed: a request or offer whose vendor attributes the server did not send is left
for the person, because a rule on certifications could not be judged fairly without them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from clients.sdk import CustosError, ServerUnavailable
from policies import Effect, PolicyError, compile_terms, evaluate, load_request, load_terms
from policies.agreements import canonical
from policies.offers import filter_offer, load_offer

from .accepts import Published, missing, reason
from .offers import counts_before, intent_of, vendor_json, vendor_name
from .person import PersonClient
from .report import Action


class Butler:
    """Acts for one person through their API token; `say` receives plain sentences."""

    def __init__(self, person: PersonClient, *, say: Callable[[str], None] = print,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.person, self.say, self.clock = person, say, clock

    def run_once(self, *, dry_run: bool = False) -> list[Action]:
        """One pass over new offers and pending requests; what was done (or would be)."""
        body = self.person.terms()
        terms = load_terms(body["terms"], version=int(body.get("version", 0)))
        adopted = canonical(body["terms"].get("agreements") or [])
        actions = (self._offers(terms, adopted, dry_run)
                   + self._requests(terms, dry_run))
        for action in actions:
            self.say(action.sentence(dry_run))
        return actions

    def _offers(self, terms, adopted: list[str], dry_run: bool) -> list[Action]:
        new = self.person.offers("received")
        if not new:
            return []
        every = self.person.offers("all") or new
        intents = {i["id"]: i for i in self.person.intents()}
        published = Published(self.person.vendor_accepts)
        done = []
        for offer in new:
            vendor = vendor_json(offer)
            if vendor is None:
                done.append(Action.leave("offer", offer, "the server did not say who sent it"))
                continue
            try:
                value = load_offer({"vendor": vendor, "intent": _intent_id(offer),
                                    "category": offer.get("category", ""),
                                    "price": offer.get("price"), "currency": offer.get("currency"),
                                    "text": offer.get("text", ""),
                                    "valid_until": offer.get("valid_until"),
                                    "counts": counts_before(offer, every)})
            except PolicyError as exc:
                done.append(Action.leave("offer", offer, f"it is malformed ({exc})"))
                continue
            left_out: list[str] = []
            if adopted:
                try:
                    left_out = missing(adopted, published.document(vendor["id"]))
                except ServerUnavailable:
                    raise
                except CustosError as exc:
                    done.append(Action.leave("offer", offer, "what the vendor accepts could "
                                             f"not be read ({exc})"))
                    continue
            decision = filter_offer(terms.offers, value, intent_of(offer, intents), self.clock())
            reasons = [r.to_dict() for r in decision.reasons]
            action = decision.action
            if left_out:
                reasons = [reason(vendor_name(offer), left_out)] + (
                    reasons if action == "filter" else [])
                action = "filter"
            if not dry_run:
                self.person.decide_offer(offer["id"], action, reasons)
            done.append(Action(kind="offer", target=offer["id"], verdict=action,
                               vendor=vendor_name(offer), reasons=reasons,
                               done=not dry_run))
        return done

    def _requests(self, terms, dry_run: bool) -> list[Action]:
        compiled = compile_terms(terms)
        done = []
        pending = self.person.requests("pending")
        names = {g["client_id"]: g.get("vendor") for g in self.person.grants()} if pending else {}
        for req in pending:
            vendor = vendor_json(req)
            if vendor is None:
                named = {**req, "vendor": {"name": names.get(req.get("client_id"))}}
                done.append(Action.leave("request", named, "the server did not send the "
                                         "vendor's attributes, so your rules cannot be applied"))
                continue
            access = req.get("request", {})
            try:
                request = load_request({"vendor": vendor, "purpose": access.get("purpose"),
                                        "categories": access.get("categories"),
                                        "retention_days": access.get("retention_days"),
                                        "third_party_sharing": bool(
                                            access.get("third_party_sharing")),
                                        "recipients": access.get("recipients") or []})
            except PolicyError as exc:
                done.append(Action.leave("request", req, f"it cannot be judged ({exc})"))
                continue
            decision = evaluate(compiled, request, self.clock())
            reasons = [r.to_dict() for r in decision.reasons]
            if decision.effect is Effect.ASK:
                done.append(Action(kind="request", target=req["id"], verdict="leave",
                                   vendor=vendor_name(req), reasons=reasons,
                                   done=False))
                continue
            verdict = "approve" if decision.effect is Effect.PERMIT else "deny"
            if not dry_run:
                self.person.decide_request(req["id"], verdict)
            done.append(Action(kind="request", target=req["id"], verdict=verdict,
                               vendor=vendor_name(req), reasons=reasons,
                               done=not dry_run))
        return done


def _intent_id(offer: dict) -> str | None:
    intent = offer.get("intent")
    return intent.get("id") if isinstance(intent, dict) else intent
