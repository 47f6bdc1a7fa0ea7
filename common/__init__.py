"""Small, pure definitions that more than one layer needs: standard library only, no I/O.

`vault`, `policies`, `api` and `clients` may all import this package, and it imports none of
them (tests/test_layering.py). A module belongs here only when two layers that may not import
each other need the same definition; everything else has a home of its own.
"""
