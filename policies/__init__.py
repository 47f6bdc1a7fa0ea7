"""Custos policy engine: the person's terms, decisions with reasons, offers, ODRL interop.

Pure: no I/O beyond its own packaged vocabulary files, no Flask, no database. ODRL import and
export (which need rdflib) live in `policies.odrl_import` / `policies.odrl_export`, imported on use.
"""

from .compile import CompiledTerms, compile_terms
from .decision import Decision, Reason
from .errors import OdrlError, PolicyError, TermsError, UnknownConcept
from .evaluate import decide, evaluate
from .model import Effect, Request, Rule, Terms, Vendor
from .request_schema import load_request
from .schema import load_terms

__all__ = [
    "CompiledTerms",
    "Decision",
    "Effect",
    "OdrlError",
    "PolicyError",
    "Reason",
    "Request",
    "Rule",
    "Terms",
    "TermsError",
    "UnknownConcept",
    "Vendor",
    "compile_terms",
    "decide",
    "evaluate",
    "load_request",
    "load_terms",
]
