"""Small hand-made inputs shared by the import and export tests."""

from __future__ import annotations

import pandas as pd
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, box

from geo.models import Community, Park

# valid USCCs (GB 32100 check characters verified by geo.uscc)
ENTERPRISES = [
    {
        "uscc": "91350100M000100Y43",
        "name": "苏州星海精密机械有限公司",
        "lon": 120.7123456,
        "lat": 31.3012345,
        "industry": "制造业",
        "employees": 120,
    },
    {
        "uscc": "91320571MA4L2GB169",
        "name": "苏州金鸡湖软件科技有限公司",
        "lon": 120.7234567,
        "lat": 31.3123456,
        "industry": "I",
        "employees": 45,
    },
    {
        "uscc": "91320571MA9R5JKB4C",
        "name": '测试<b>粗体</b>"引号",逗号有限公司',
        "lon": 120.7345678,
        "lat": 31.3234567,
        "industry": "C3670",
        "employees": 8,
    },
]


def enterprise_frame() -> pd.DataFrame:
    """The enterprises as an Excel-style list with Chinese headers."""
    return pd.DataFrame(
        {
            "企业名称": [e["name"] for e in ENTERPRISES],
            "统一社会信用代码": [e["uscc"] for e in ENTERPRISES],
            "经度": [e["lon"] for e in ENTERPRISES],
            "纬度": [e["lat"] for e in ENTERPRISES],
            "行业": [e["industry"] for e in ENTERPRISES],
            "从业人数": [e["employees"] for e in ENTERPRISES],
        }
    )


def add_community(db, bounds=(120.70, 31.30, 120.74, 31.32)) -> Community:
    """A park and one community (by default around the test enterprises)."""
    area = MultiPolygon([box(*bounds)])
    park = Park(code="320571", name="示范园", geom=from_shape(area, 4326))
    db.add(park)
    db.flush()
    community = Community(
        park_id=park.id, code="320571001001", name="星海社区", geom=from_shape(area, 4326)
    )
    db.add(community)
    db.flush()
    return community
