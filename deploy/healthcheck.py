"""The container's health check: asks ``/healthz`` and passes when its part is up.

    python healthcheck.py web    the database answers (the web server is up)
    python healthcheck.py jobs   the job loop has run within ten minutes

``BOOKWARDEN_HEALTH_URL`` is where to ask (default ``http://127.0.0.1:8000/healthz``); the
request names the first of ``ALLOWED_HOSTS``.  Standard library only.
"""

import json
import os
import sys
import urllib.error
import urllib.request

PART = {"web": "database", "jobs": "job_loop"}


def main() -> int:
    part = PART[sys.argv[1] if len(sys.argv) > 1 else "web"]
    url = os.environ.get("BOOKWARDEN_HEALTH_URL", "http://127.0.0.1:8000/healthz")
    host = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip().lstrip(".")
    request = urllib.request.Request(url, headers={"Host": host})  # noqa: S310 - http only
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as error:  # 503 still carries the answer
        body = error.read()
    except OSError as error:
        print(f"{url}: {error}", file=sys.stderr)
        return 1
    answer = json.loads(body)
    print(json.dumps({"status": answer.get("status"), part: answer.get(part)}))
    return 0 if (answer.get(part) or {}).get("ok") else 1


if __name__ == "__main__":
    sys.exit(main())
