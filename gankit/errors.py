"""The one exception type that reaches users as a sentence, not a traceback."""

import errno


class GankitError(Exception):
    """A user-facing failure: the message names the thing and the fix.

    The command line prints it as one line and exits with code 2.
    """


# What the user can do about an operating-system refusal, by errno.
_FIXES = {
    errno.EACCES: "permission denied; make it writable (readable, for an input) or choose another folder with --out",
    errno.EPERM: "operation not permitted; make it writable or choose another folder with --out",
    errno.EROFS: "the file system is read-only; choose a folder on a writable disk with --out",
    errno.ENOSPC: "the disk is full; free some space or choose a folder on another disk with --out",
    errno.EDQUOT: "the disk quota is used up; free some space or choose a folder on another disk with --out",
    errno.EMFILE: "too many files are open; raise the limit (ulimit -n) and run again",
    errno.ENAMETOOLONG: "the name is too long for this file system; choose a shorter --out path",
}


def os_error_sentence(exc: OSError) -> str:
    """One sentence for a file the operating system refused: the path, why, and what to do."""
    path = exc.filename if exc.filename is not None else "a file"
    fix = _FIXES.get(exc.errno)
    if fix is None:
        reason = exc.strerror or str(exc) or type(exc).__name__
        fix = f"{reason[0].lower() + reason[1:]}; check the path and the disk, then run again"
    return f"cannot use {path}: {fix}."
