"""The publishing body's region (province, city, county) from names in the document, via cpca's gazetteer."""
from __future__ import annotations

from functools import lru_cache

import cpca


@lru_cache(maxsize=4096)
def _lookup(text: str) -> tuple[str, str, str]:
    frame = cpca.transform([text])
    row = frame.iloc[0]
    values = [row.get(key) for key in ("省", "市", "区")]
    return tuple(value if isinstance(value, str) else "" for value in values)


def find_region(texts: list[str]) -> dict[str, str]:
    """The first text naming a province gives the region; a later text may add city or county."""
    province = city = county = ""
    for text in texts:
        if not text:
            continue
        found = _lookup(text[:200])
        if not found[0] or (province and found[0] != province):
            continue
        province = province or found[0]
        city = city or found[1]
        county = county or found[2]
        if city and county:
            break
    return {"province": province, "city": city, "county": county}
