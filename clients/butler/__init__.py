"""The digital butler: acts for one person, sorting offers and answering routine requests.

It is an OAuth client the person authorises with mandates she ticks one by one (docs/oauth.md);
it judges with the pure `policies` engine on the person's own machine and reports in plain
sentences. docs/butler.md.
"""

from .agent import Butler
from .authorize import CallbackListener, authorize
from .person import PersonClient
from .report import Action, summary
from .runner import Runner
from .tokenfile import Credentials, TokenFile, TokenFileError

__all__ = ["Action", "Butler", "CallbackListener", "Credentials", "PersonClient", "Runner",
           "TokenFile", "TokenFileError", "authorize", "summary"]
