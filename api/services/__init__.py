"""The business rules shared by the web pages, the OAuth server, the resource API, the jobs and
the command line: agreements and their receipts and notices, the decision at the door, what a
person decides, offers, and the import of a person's files.

Every function takes what it needs explicitly (the vault, the time `now`, the issuer); none
imports Flask or reads a request (tests/test_layering.py). Only the views call `get_vault()`,
`now()` and `issuer()`.
"""
