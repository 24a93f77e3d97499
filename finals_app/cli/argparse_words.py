"""argparse's own words (usage, error, options) in the language the rest of the command speaks.

argparse looks its words up with the standard library's gettext, in the process's text domain
(its documented way of being translated): our catalogue is made that domain, in the user's
language. No argparse internals are touched; its words are in our catalogue like any other."""
from __future__ import annotations

import gettext
import os

from finals_app.core.i18n import DOMAIN, LOCALE_DIR, N_

# The words of argparse a user of this command line meets, for the catalogue (argparse itself
# asks for them by these English texts).
ARGPARSE_WORDS = (
    N_("usage: "), N_("options"), N_("positional arguments"), N_("show this help message and exit"),
    N_("show program's version number and exit"), N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"), N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"), N_("argument %(argument_name)s: %(message)s"),
    N_("expected one argument"), N_("invalid %(type)s value: %(value)r"), N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"), N_("ambiguous option: %(option)s could match %(matches)s"),
)


def argparse_speaks(language: str) -> None:
    """argparse says its words in `language` from now on."""
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = language  # gettext's own choice of language (before LC_ALL and LANG)
