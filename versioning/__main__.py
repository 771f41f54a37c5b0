"""``python -m connver``: the same command line as ``connver``."""

from connver.cli.main import main

if __name__ == "__main__":  # pragma: no branch
    main()
