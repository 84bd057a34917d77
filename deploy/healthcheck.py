"""Exit 0 when the portal's /health/ page answers 200, 1 otherwise (containers, systemd).

Standard library only, so it runs before Django is importable. The request carries a Host
from ALLOWED_HOSTS and X-Forwarded-Proto: https, as the front proxy's would, so that
neither ALLOWED_HOSTS nor the HTTPS redirect turns the check away.

    python deploy/healthcheck.py [URL] [--retries N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import urllib.error
import urllib.request

DEFAULT_URL = "http://127.0.0.1:8000/health/"


def probe(url: str) -> str | None:
    """None when healthy, else what went wrong."""
    host = os.environ.get("HEALTHCHECK_HOST") or os.environ.get("ALLOWED_HOSTS", "localhost")
    request = urllib.request.Request(  # noqa: S310 - the URL is the operator's own
        url,
        headers={"Host": host.split(",")[0].strip(), "X-Forwarded-Proto": "https"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return None if response.status == 200 else f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        return f"HTTP {exc.code}"
    except OSError as exc:
        return str(exc)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url", nargs="?", default=DEFAULT_URL)
    parser.add_argument("--retries", type=int, default=0, help="Retry every 2 s this often.")
    args = parser.parse_args()
    for attempt in range(args.retries + 1):
        problem = probe(args.url)
        if problem is None:
            return 0
        if attempt < args.retries:
            time.sleep(2)
    print(f"{args.url}: {problem}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
