"""The one exception type that reaches users as a sentence, not a traceback."""


class GankitError(Exception):
    """A user-facing failure: the message names the thing and the fix.

    The command line prints it as one line and exits with code 2.
    """
