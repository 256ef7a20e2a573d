"""Known vulnerabilities of every distribution installed in this Python (run it with
.venv/bin/python): the check pip-audit's default service makes, on PyPI's own
vulnerability data (fed by the PyPA advisory database / OSV).

For each distribution it asks https://pypi.org/pypi/NAME/VERSION/json, as pip-audit
does. Where that endpoint does not answer (some mirrors serve only the project
endpoint), it asks https://pypi.org/pypi/NAME/json, whose "vulnerabilities" are those
of the latest release: exact when the installed version is the latest, otherwise the
distribution is listed as not audited.

Exit 1 when a known vulnerability is found, or when nothing could be audited; with
--strict also when any distribution could not be audited.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from importlib import metadata

PYPI = "https://pypi.org/pypi"


def _get(url: str) -> dict | None:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise


def main(argv: list[str]) -> int:
    dists = sorted({(d.metadata["Name"], d.version) for d in metadata.distributions() if d.metadata["Name"]},
                   key=lambda t: t[0].lower())
    found, unaudited, audited = [], [], 0
    for name, version in dists:
        try:
            data = _get(f"{PYPI}/{name}/{version}/json")
            if data is None:
                project = _get(f"{PYPI}/{name}/json")
                if project is None:
                    unaudited.append(f"{name} {version}: not on PyPI")
                    continue
                latest = project["info"]["version"]
                if latest != version:
                    unaudited.append(f"{name} {version}: only the latest release's data ({latest}) answered")
                    continue
                data = project
        except (OSError, ValueError) as exc:
            unaudited.append(f"{name} {version}: PyPI did not answer ({exc})")
            continue
        audited += 1
        for v in data.get("vulnerabilities") or []:
            if not v.get("withdrawn"):
                aliases, fixed = ", ".join(v.get("aliases") or []), ", ".join(v.get("fixed_in") or []) or "?"
                found.append(f"{name} {version}: {v['id']} ({aliases}); fixed in {fixed}")
    print(f"{audited} of {len(dists)} installed distributions audited: {len(found)} known vulnerabilities")
    for line in found:
        print(f"  VULNERABLE {line}")
    for line in unaudited:
        print(f"  not audited: {line}")
    return 1 if found or not audited or ("--strict" in argv and unaudited) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
