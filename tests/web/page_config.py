"""Reading a map page's configuration (what the page hands to gridmap.init) from its HTML."""

from __future__ import annotations

import json
import re

INIT = re.compile(r"gridmap\.init\([^,]+, (\{.*\})\);")


def config_of(html: str) -> dict:
    """The configuration object of the page's map."""
    found = INIT.search(html)
    assert found, "the page hands no configuration to gridmap.js"
    return json.loads(found.group(1))
