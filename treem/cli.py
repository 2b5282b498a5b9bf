"""The `treem` console script: Django's management commands, with dashed names accepted."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    """Run a TreEm management command (`treem import-plan FILE` = `import_plan`)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "treem.settings")
    args = list(sys.argv if argv is None else argv)
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)


if __name__ == "__main__":
    main()
