"""``python -m ccms``: the ``ccms`` command (the ``cli`` extra)."""

from __future__ import annotations

try:
    from ccms.cli import main
except ModuleNotFoundError as exc:  # typer or rich missing: say which extra brings them
    if exc.name not in {"typer", "rich"}:
        raise
    from ccms.errors import MissingExtra

    raise MissingExtra("cli", exc.name) from None

if __name__ == "__main__":
    main()
