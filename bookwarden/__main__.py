"""The ``bookwarden`` console command: the same subcommands as ``manage.py``.

A setting that is missing or wrong (production mode without ``SECRET_KEY``, a ``*_FILE``
that cannot be read, ...) stops every subcommand with one line naming it, not a traceback.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookwarden.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 - reads the settings module, which checks itself
    except ImproperlyConfigured as exc:
        sys.exit(f"bookwarden: {exc}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
