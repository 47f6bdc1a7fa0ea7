"""Policy engine benchmark: the same 15-rule terms in Custos, Cedar, Casbin and plain Python.

Run: `python benchmarks/policy_bench.py` (needs the `bench` extra: cedarpy, casbin). It makes
10,000 single-category requests with a fixed seed, checks that every engine gives the same
effect (permit / deny / ask) for each, and prints median and p99 microseconds per decision and
decisions per second, side by side. A 30-rule person is timed for Custos as well.

'ask' has no native form in Cedar or Casbin; it is encoded faithfully: in Cedar ask rules are
permit policies whose ids say 'ask' (read back from the diagnostics), in Casbin policies are
ordered deny, ask, permit under the `priority` effect and the matched line names the effect.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from policies import compile_terms, evaluate, load_request, load_terms, vocab

N = 10_000
SEED = 7012
NOW = datetime(2025, 3, 4, 10, tzinfo=UTC)
VENDORS = ["acme", "badco", "bank", "uni", "shop"]
PURPOSES = [
    "DirectMarketing",
    "PersonalisedAdvertising",
    "DeliveryOfGoods",
    "PaymentManagement",
    "AcademicResearch",
    "ServicePersonalisation",
    "CustomerCare",
    "SellDataToThirdParties",
    "ProvideProductRecommendations",
    "FraudPreventionAndDetection",
]
CATEGORIES = [
    "contact.email",
    "contact.phone",
    "address.city",
    "address.postal",
    "demographics.age",
    "demographics.gender",
    "financial.income",
    "preferences.likes",
    "preferences.intentions",
    "health.blood_type",
]

# effect, vendor, purposes, categories, max retention days, sharing must be, certification
SPEC = [
    ("deny", "badco", None, None, None, None, None),
    ("deny", None, ["Marketing"], ["contact"], None, None, None),
    ("deny", None, None, None, None, True, None),
    ("deny", None, None, ["health"], None, None, None),
    ("deny", None, ["SellDataToThirdParties"], None, None, None, None),
    ("ask", None, ["Personalisation"], ["preferences"], None, None, None),
    ("ask", None, None, ["financial"], None, None, None),
    ("ask", None, ["ResearchAndDevelopment"], None, None, None, None),
    ("permit", None, ["ServiceProvision"], ["contact", "address"], 30, None, None),
    ("permit", "bank", ["ServiceProvision"], ["financial.income"], 30, None, None),
    ("permit", "uni", ["AcademicResearch"], ["demographics"], None, None, None),
    ("permit", None, ["Marketing"], ["preferences"], None, None, "b-corp"),
    ("permit", None, ["CustomerCare"], ["contact"], 365, None, None),
    (
        "permit",
        "bank",
        ["FraudPreventionAndDetection"],
        ["contact", "address", "financial"],
        None,
        None,
        None,
    ),
    ("permit", None, ["ProvideProductRecommendations"], ["preferences.likes"], 90, None, None),
]
EXTRA = [  # 15 more rules for the 30-rule person (Custos only)
    ("permit", v, [p], [c], 60, False, None)
    for v, p, c in zip(
        VENDORS * 3,
        ["DeliveryOfGoods", "CustomerCare", "PaymentManagement"] * 5,
        [
            "address.city",
            "contact.phone",
            "demographics.age",
            "address.postal",
            "preferences.intentions",
        ]
        * 3,
        strict=True,
    )
]


def custos_terms(spec: list) -> dict:
    rules = []
    for i, (effect, vendor, purposes, cats, ret, share, cert) in enumerate(spec):
        rule: dict = {"id": f"r{i}", "effect": effect, "conditions": []}
        if vendor:
            rule["vendors"] = [vendor]
        if purposes:
            rule["purposes"] = purposes
        if cats:
            rule["categories"] = cats
        if ret is not None:
            rule["conditions"].append({"field": "retention_days", "op": "lte", "value": ret})
        if share is not None:
            rule["conditions"].append({"field": "third_party_sharing", "op": "eq", "value": share})
        if cert:
            rule["conditions"].append(
                {"field": "vendor.certifications", "op": "has", "value": [cert]}
            )
        rules.append(rule)
    return {"version": 1, "default": "ask", "rules": rules}


def make_requests() -> list[dict]:
    rng = random.Random(SEED)
    return [
        {
            "vendor": rng.choice(VENDORS),
            "purpose": rng.choice(PURPOSES),
            "category": rng.choice(CATEGORIES),
            "retention": rng.randint(0, 400),
            "sharing": rng.random() < 0.15,
            "certs": ("b-corp",) if rng.random() < 0.3 else (),
        }
        for _ in range(N)
    ]


def ancestors(name: str, kind: str) -> frozenset[str]:
    """Every broader-or-equal id, for engines that need the hierarchy spelled out."""
    return (vocab.purpose_sets if kind == "purpose" else vocab.category_sets)(name)[0]


# --- hand-written predicates: the floor ---------------------------------------------------


def hand_engine() -> Callable[[dict], str]:
    up_p = {p: ancestors(p, "purpose") for p in PURPOSES}
    up_c = {c: ancestors(c, "category") for c in CATEGORIES}

    def decide(q: dict) -> str:
        p, c = up_p[q["purpose"]], up_c[q["category"]]
        v, ret = q["vendor"], q["retention"]
        if (
            v == "badco"
            or ("Marketing" in p and "contact" in c)
            or q["sharing"]
            or "health" in c
            or "SellDataToThirdParties" in p
        ):
            return "deny"
        if (
            ("Personalisation" in p and "preferences" in c)
            or "financial" in c
            or "ResearchAndDevelopment" in p
        ):
            return "ask"
        if (
            ("ServiceProvision" in p and ("contact" in c or "address" in c) and ret <= 30)
            or (v == "bank" and "ServiceProvision" in p and "financial.income" in c and ret <= 30)
            or (v == "uni" and "AcademicResearch" in p and "demographics" in c)
            or ("Marketing" in p and "preferences" in c and "b-corp" in q["certs"])
            or ("CustomerCare" in p and "contact" in c and ret <= 365)
            or (
                v == "bank"
                and "FraudPreventionAndDetection" in p
                and ("contact" in c or "address" in c or "financial" in c)
            )
            or ("ProvideProductRecommendations" in p and "preferences.likes" in c and ret <= 90)
        ):
            return "permit"
        return "ask"

    return decide


# --- Custos ---------------------------------------------------------------------------------


def custos_engine(spec: list) -> tuple[Callable[[dict], str], Callable]:
    compiled = compile_terms(load_terms(custos_terms(spec)))

    def prepare(q: dict):
        return load_request(
            {
                "vendor": {"id": q["vendor"], "certifications": list(q["certs"])},
                "purpose": q["purpose"],
                "categories": [q["category"]],
                "retention_days": q["retention"],
                "third_party_sharing": q["sharing"],
            }
        )

    def decide(request) -> str:
        return evaluate(compiled, request, NOW).effect.value

    return decide, prepare


# --- Cedar ------------------------------------------------------------------------------------


def cedar_setup():
    import cedarpy

    policies, kinds = [], []
    for effect, vendor, purposes, cats, ret, share, cert in SPEC:
        conds = []
        if vendor:
            conds.append(f'principal == Vendor::"{vendor}"')
        if purposes:
            conds.append(" || ".join(f'context.purpose in Purpose::"{p}"' for p in purposes))
        if cats:
            conds.append(" || ".join(f'resource in Category::"{c}"' for c in cats))
        if ret is not None:
            conds.append(f"context.retention <= {ret}")
        if share is not None:
            conds.append(f"context.sharing == {str(share).lower()}")
        if cert:
            conds.append(f'context.certs.contains("{cert}")')
        when = " && ".join(f"({c})" for c in conds) or "true"
        verb = "forbid" if effect == "deny" else "permit"
        policies.append(f"{verb}(principal, action, resource) when {{ {when} }};")
        kinds.append(effect)
    text = "\n".join(policies)
    entities = [{"uid": {"type": "Vendor", "id": v}, "parents": [], "attrs": {}} for v in VENDORS]
    for p in PURPOSES:
        entities.append(
            {
                "uid": {"type": "Purpose", "id": p},
                "attrs": {},
                "parents": [
                    {"type": "Purpose", "id": a} for a in ancestors(p, "purpose") if a != p
                ],
            }
        )
    for c in CATEGORIES:
        entities.append(
            {
                "uid": {"type": "Category", "id": c},
                "attrs": {},
                "parents": [
                    {"type": "Category", "id": a} for a in ancestors(c, "category") if a != c
                ],
            }
        )
    index = {f"policy{i}": k for i, k in enumerate(kinds)}
    import json

    parsed = cedarpy.Entities.from_json_str(json.dumps(entities))  # parse once, not per call
    policy_set = cedarpy.PolicySet.from_str(text)
    return cedarpy, policy_set, parsed, index


def cedar_request(q: dict, certs_by_vendor: dict) -> dict:
    return {
        "principal": f'Vendor::"{q["vendor"]}"',
        "action": 'Action::"read"',
        "resource": f'Category::"{q["category"]}"',
        "context": {
            "purpose": {"__entity": {"type": "Purpose", "id": q["purpose"]}},
            "retention": q["retention"],
            "sharing": q["sharing"],
            "certs": list(q["certs"]),
        },
    }


def cedar_effect(result, index: dict) -> str:
    reasons = result.diagnostics.reasons
    if not reasons:
        return "ask"
    if not result.allowed:
        return "deny"
    return "ask" if any(index[r] == "ask" for r in reasons) else "permit"


# --- Casbin -------------------------------------------------------------------------------------

MODEL = """
[request_definition]
r = vendor, purpose, cat, ret, share, certs
[policy_definition]
p = eft, vendor, purpose, cat, maxret, share, cert, label
[role_definition]
g = _, _
g2 = _, _
[policy_effect]
e = priority(p.eft) || deny
[matchers]
m = (p.vendor == "*" || r.vendor == p.vendor) && g(r.purpose, p.purpose) && \
g2(r.cat, p.cat) && leq(r.ret, p.maxret) && (p.share == "any" || r.share == p.share) && \
(p.cert == "" || p.cert in r.certs)
"""


def casbin_engine() -> Callable[[dict], str]:
    import casbin

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.conf"
        path.write_text(MODEL)
        enforcer = casbin.Enforcer(str(path))
    enforcer.add_function("leq", lambda a, b: a <= int(b))
    order = {"deny": 0, "ask": 1, "permit": 2}
    for effect, vendor, purposes, cats, ret, share, cert in sorted(SPEC, key=lambda s: order[s[0]]):
        for p in purposes or ["*any*"]:
            for c in cats or ["*all*"]:
                enforcer.add_policy(
                    "deny" if effect != "permit" else "allow",
                    vendor or "*",
                    p,
                    c,
                    str(ret if ret is not None else 10**6),
                    "any" if share is None else ("yes" if share else "no"),
                    cert or "",
                    effect,
                )
    for p in PURPOSES:
        for a in ancestors(p, "purpose") | {"*any*"}:
            enforcer.add_named_grouping_policy("g", p, a)
    for c in CATEGORIES:
        for a in ancestors(c, "category") | {"*all*"}:
            enforcer.add_named_grouping_policy("g2", c, a)

    def decide(q: dict) -> str:
        _, rule = enforcer.enforce_ex(
            q["vendor"],
            q["purpose"],
            q["category"],
            q["retention"],
            "yes" if q["sharing"] else "no",
            q["certs"],
        )
        return rule[-1] if rule else "ask"

    return decide


# --- timing -------------------------------------------------------------------------------------


def timed(fn: Callable, items: list) -> tuple[list, list[float]]:
    """Time each call; the garbage collector is paused so that no engine pays for another's."""
    gc.collect()
    gc.disable()
    try:
        return _timed(fn, items)
    finally:
        gc.enable()


def _timed(fn: Callable, items: list) -> tuple[list, list[float]]:
    out, times = [], []
    clock = time.perf_counter_ns
    for item in items:
        t = clock()
        out.append(fn(item))
        times.append((clock() - t) / 1000)
    return out, times


def row(name: str, times: list[float], note: str = "") -> str:
    times = sorted(times)
    median = statistics.median(times)
    p99 = times[int(len(times) * 0.99) - 1]
    rate = len(times) / (sum(times) / 1e6)
    return f"{name:<34} {median:>10.2f} {p99:>10.2f} {rate:>14,.0f}  {note}"


def main() -> int:
    requests = make_requests()
    results: dict[str, list[str]] = {}
    lines = []

    hand = hand_engine()
    results["hand"], t = timed(hand, requests)
    lines.append(row("hand-written predicates", t))

    custos, prepare = custos_engine(SPEC)
    prepared = [prepare(q) for q in requests]
    for q in prepared[:200]:  # warm the per-(purpose, categories) plans
        custos(q)
    results["custos"], t = timed(custos, prepared)
    lines.append(row("Custos (15 rules, with reasons)", t))

    custos30, prepare30 = custos_engine(SPEC + EXTRA)
    prepared30 = [prepare30(q) for q in requests]
    for q in prepared30[:200]:
        custos30(q)
    _, t = timed(custos30, prepared30)
    lines.append(row("Custos (30 rules, with reasons)", t, "not compared: other terms"))

    try:
        cedarpy, text, entities, index = cedar_setup()
        creqs = [cedar_request(q, {}) for q in requests]
        results["cedar"], t = timed(
            lambda r: cedar_effect(cedarpy.is_authorized(r, text, entities), index), creqs
        )
        lines.append(row("cedarpy is_authorized (per call)", t))
        batch, per = 100, []
        effects = []
        for i in range(0, N, batch):
            chunk = creqs[i : i + batch]
            t0 = time.perf_counter_ns()
            res = cedarpy.is_authorized_batch(chunk, text, entities)
            per.extend([(time.perf_counter_ns() - t0) / 1000 / len(chunk)] * len(chunk))
            effects.extend(cedar_effect(r, index) for r in res)
        results["cedar batch"] = effects
        lines.append(row("cedarpy is_authorized_batch", per, f"batches of {batch}"))
    except ImportError:
        lines.append("cedarpy not installed (pip install -e .[bench])")
    try:
        results["casbin"], t = timed(casbin_engine(), requests)
        lines.append(row("casbin enforce_ex", t))
    except ImportError:
        lines.append("casbin not installed (pip install -e .[bench])")

    reference = results["hand"]
    disagree = {
        name: sum(a != b for a, b in zip(reference, got, strict=True))
        for name, got in results.items()
    }
    counts = {e: reference.count(e) for e in ("permit", "deny", "ask")}
    print(f"{N:,} requests, seed {SEED}; effects {counts}")
    print(f"{'engine':<34} {'median µs':>10} {'p99 µs':>10} {'decisions/s':>14}")
    print("\n".join(lines))
    print("disagreements with the hand-written floor:", disagree)
    compile_terms.cache_clear()  # measure a real compilation, not a cache hit
    terms = load_terms(custos_terms(SPEC + EXTRA))
    tracemalloc.start()
    kept = compile_terms(terms)
    size, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"memory of one compiled 30-rule person (kept per terms version): {size / 1024:.0f} "
          f"KiB on top of its parsed terms ({type(kept).__name__})")
    return 0 if not any(disagree.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
