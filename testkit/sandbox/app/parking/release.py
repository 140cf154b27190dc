"""Which release this image is. The image build writes release.json next to this file."""
import json
import os
from pathlib import Path

_FILE = Path(__file__).with_name("release.json")
_DATA = json.loads(_FILE.read_text()) if _FILE.exists() else {}

#: image tag: v1, v2, v3, bad-health, bad-migrate, slow, flaky, laggy
VERSION: str = os.environ.get("PARKING_VERSION") or _DATA.get("version", "dev")
#: what the release does wrong, or "ok"
FLAVOR: str = _DATA.get("flavor", "ok")
#: schema level of the code: 1 = initial schema, 2 = adds ParkingSession.zone (with a backfill), 3 = adds an index
LEVEL: int = int(_DATA.get("level", 3))
