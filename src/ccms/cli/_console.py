"""The consoles the ``ccms`` command prints through.

On a terminal rich fits output to its width. Piped into a file or another program there is no
width to fit, and rich's default of 80 columns would wrap complaint ids and paths over lines, so
output is never wrapped there.
"""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console

__all__ = ["make_console"]

#: The width when not writing to a terminal: wide enough that no line of ours wraps.
UNWRAPPED = 4096


def make_console(file: TextIO | None = None, *, stderr: bool = False) -> Console:
    """A console on ``file`` (stdout, or stderr): the terminal's width, or unwrapped if piped."""
    stream = file if file is not None else (sys.stderr if stderr else sys.stdout)
    terminal = hasattr(stream, "isatty") and stream.isatty()
    if terminal:
        return Console(file=file, stderr=stderr)
    return Console(file=file, stderr=stderr, width=UNWRAPPED, soft_wrap=True)
