"""The person's web pages: accounts, data, intents, terms, inbox, connections, log, offers,
settings, import, and the public page of an agreement's terms. `pages.init_app` registers them.
"""
