#!/bin/sh
# Makes the import fixtures in tests/bulk/fixtures/ anew (see its README.md): first the readable
# sources from source/members.csv (pass --members to regenerate that from the sample firms too),
# then LibreOffice Calc opens each source and saves it as a fixture. Needs libreoffice-calc-nogui
# and python3-uno (Debian packages).
set -eu
cd "$(dirname "$0")/.."
.venv/bin/python scripts/import_fixture_sources.py "$@"
/usr/bin/python3 scripts/import_fixture_convert.py
