"""DPV purposes and personal-data categories: the one source of truth for names and hierarchy.

Read once from the packaged DPV 2.2 files (importlib.resources, no other I/O); the friendly
category ids come from `policies.categories`. Every concept knows its id, IRI, label,
definition and parents; `up` and `down` sets are precomputed so the engine never walks a tree.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from importlib import resources

from .categories import ALSO_BROADER, CUSTOS_PD, DPV, EXTRA_BROADER, FRIENDLY, PD
from .errors import UnknownConcept

PURPOSE_ROOT = "Purpose"
PERSONAL_DATA_ROOT = "dpv:PersonalData"


@dataclass(frozen=True, kw_only=True)
class Concept:
    """A purpose or a personal-data category as people and machines both need to see it."""

    id: str
    iri: str
    label: str
    definition: str
    parents: tuple[str, ...]
    kind: str  # "purpose" or "category"
    phrase: str
    friendly: bool = False

    @property
    def parent(self) -> str | None:
        """The first broader concept, enough for a tree view."""
        return self.parents[0] if self.parents else None

    def to_dict(self) -> dict:
        """A JSON-ready form for the server's forms and API."""
        return {
            "id": self.id,
            "iri": self.iri,
            "label": self.label,
            "definition": self.definition,
            "parent": self.parent,
            "parents": list(self.parents),
        }


@dataclass(frozen=True)
class _Scheme:
    """One closed vocabulary with its lookup tables and hierarchy sets."""

    concepts: dict[str, Concept]
    alias: dict[str, str]
    up: dict[str, frozenset[str]]
    down: dict[str, frozenset[str]]

    def resolve(self, name: str) -> str | None:
        return self.alias.get(name)


def _rows(filename: str) -> list[dict[str, str]]:
    text = resources.files("policies").joinpath("data", filename).read_text(encoding="utf-8")
    return [r for r in csv.DictReader(io.StringIO(text)) if r["type"] == "class"]


def _closure(parents: dict[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    up: dict[str, frozenset[str]] = {}

    def walk(node: str, seen: tuple[str, ...] = ()) -> frozenset[str]:
        if node in up:
            return up[node]
        result = {node}
        for p in parents.get(node, ()):
            if p in parents and p not in seen:
                result |= walk(p, seen + (node,))
        up[node] = frozenset(result)
        return up[node]

    for node in parents:
        walk(node)
    return up


def _invert(up: dict[str, frozenset[str]]) -> dict[str, frozenset[str]]:
    down: dict[str, set[str]] = {k: set() for k in up}
    for node, ancestors in up.items():
        for a in ancestors:
            down[a].add(node)
    return {k: frozenset(v) for k, v in down.items()}


def _scheme(concepts: list[Concept], extra_alias: dict[str, str]) -> _Scheme:
    by_id = {c.id: c for c in concepts}
    up = _closure({c.id: c.parents for c in concepts})
    alias = {c.id: c.id for c in concepts} | {c.iri: c.id for c in concepts} | extra_alias
    return _Scheme(by_id, alias, up, _invert(up))


@cache
def _purposes() -> _Scheme:
    concepts = []
    for r in _rows("purposes.csv"):
        if not r["iri"].startswith(DPV) or r["term"] == "Sector":
            continue
        parents = tuple(
            p.removeprefix(DPV) for p in r["hasbroader"].split(";") if p.startswith(DPV)
        )
        concepts.append(
            Concept(
                id=r["term"],
                iri=r["iri"],
                label=r["label"],
                definition=r["definition"],
                parents=parents,
                kind="purpose",
                phrase=r["label"].lower(),
            )
        )
    known = {c.id for c in concepts}
    concepts = [
        Concept(**{**c.__dict__, "parents": tuple(p for p in c.parents if p in known)})
        for c in concepts
    ]
    return _scheme(concepts, {f"dpv:{c.id}": c.id for c in concepts})


def _short(iri: str) -> str:
    if iri.startswith(PD):
        return "pd:" + iri.removeprefix(PD)
    if iri.startswith(DPV):
        return "dpv:" + iri.removeprefix(DPV)
    return iri


@cache
def _categories() -> _Scheme:
    friendly = {f.iri: f for f in FRIENDLY}
    rows = [r for r in _rows("personal_data.csv")] + _rows("pd.csv")
    raw: dict[str, dict] = {}
    for r in rows:
        parents = [p for p in r["hasbroader"].split(";") if p]
        if r["iri"] in EXTRA_BROADER:
            parents.append(EXTRA_BROADER[r["iri"]])
        raw[r["iri"]] = {"label": r["label"], "definition": r["definition"], "parents": parents}
    for f in FRIENDLY:
        if f.iri.startswith(CUSTOS_PD):
            raw[f.iri] = {
                "label": f.label,
                "definition": f.definition,
                "parents": [EXTRA_BROADER[f.iri], *ALSO_BROADER.get(f.iri, ())],
            }
    ids = {iri: friendly[iri].id if iri in friendly else _short(iri) for iri in raw}
    concepts = []
    for iri, d in raw.items():
        known = friendly.get(iri)
        concepts.append(
            Concept(
                id=ids[iri],
                iri=iri,
                label=known.label if known else d["label"],
                definition=(known.definition if known and known.definition else d["definition"]),
                parents=tuple(ids[p] for p in d["parents"] if p in ids),
                kind="category",
                phrase=known.phrase if known else d["label"].lower(),
                friendly=bool(known),
            )
        )
    extra = {_short(iri): ids[iri] for iri in raw}
    extra |= {_short(iri).split(":", 1)[1]: ids[iri] for iri in raw if iri.startswith(PD)}
    return _scheme(concepts, extra)


def _get(scheme: _Scheme, name: str, kind: str) -> Concept:
    key = scheme.resolve(name)
    if key is None:
        raise UnknownConcept(f"unknown {kind}: {name!r}")
    return scheme.concepts[key]


def purpose(name: str) -> Concept:
    """The DPV purpose named by term (`Marketing`), `dpv:Marketing` or full IRI."""
    return _get(_purposes(), name, "purpose")


def purposes() -> list[Concept]:
    """Every DPV purpose, sorted by label, for pickers."""
    return sorted(_purposes().concepts.values(), key=lambda c: c.label)


def is_purpose(name: str) -> bool:
    """Whether `name` names a known purpose; never raises."""
    return _purposes().resolve(name) is not None


def _strip_wildcard(name: str) -> str:
    return name[:-2] if name.endswith(".*") else name


def category(name: str) -> Concept:
    """A category by friendly id (`contact.email`, `contact.*`), `pd:EmailAddress` or IRI."""
    return _get(_categories(), _strip_wildcard(name), "category")


def categories(include_dpv: bool = False) -> list[Concept]:
    """The friendly categories in table order, or every DPV personal-data concept as well."""
    scheme = _categories()
    friendly = [scheme.concepts[f.id] for f in FRIENDLY]
    if not include_dpv:
        return friendly
    rest = sorted((c for c in scheme.concepts.values() if not c.friendly), key=lambda c: c.id)
    return friendly + rest


def groups() -> list[Concept]:
    """The top-level friendly groups (contact, address, demographics, ...)."""
    return [c for c in categories() if "." not in c.id]


def is_category(name: str) -> bool:
    """Whether `name` names a known category (wildcards allowed); never raises."""
    return _categories().resolve(_strip_wildcard(name)) is not None


def narrower_or_equal(a: str, b: str) -> bool:
    """Whether category or purpose `a` lies within `b` (a rule on `b` covers `a`)."""
    for scheme, strip in ((_categories(), _strip_wildcard), (_purposes(), str)):
        ka, kb = scheme.resolve(strip(a)), scheme.resolve(strip(b))
        if ka is not None and kb is not None:
            return kb in scheme.up[ka]
    raise UnknownConcept(f"not two categories or two purposes: {a!r}, {b!r}")


def category_sets(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """(broader-or-equal ids, narrower-or-equal ids) of a category, for compiling rules."""
    scheme, key = _categories(), category(name).id
    return scheme.up[key], scheme.down[key]


def purpose_sets(name: str) -> tuple[frozenset[str], frozenset[str]]:
    """(broader-or-equal ids, narrower-or-equal ids) of a purpose, for compiling rules."""
    scheme, key = _purposes(), purpose(name).id
    return scheme.up[key], scheme.down[key]
