#!/usr/bin/env python
"""Django's command-line utility (same as the `treem` console script)."""

from treem.cli import main

if __name__ == "__main__":
    main()
