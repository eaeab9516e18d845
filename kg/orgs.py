"""Organisation names: issuers and responsible units of a region, in one canonical form, so that
市科技局, 厦门市科技局 and 厦门市科学技术局 are one unit of that city."""
from __future__ import annotations

import re

from kg import vocab

TIME_WORDS = re.compile(r"^(?:近日|日前|近期|最近|今天|今年|日|目前)")


def canonical_org(name: str, region_id: str | None) -> str:
    """Expand 市科技局 to 厦门市科学技术局: the unit of that region, official long form."""
    name = TIME_WORDS.sub("", name.strip())
    region = vocab.regions().get(region_id) if region_id else None
    if region is not None:
        if name[:1] in "市省" and not name.startswith(("市场", "省级", "市级")):
            level_name = region.zh
            if name[0] == "省" and region.level != "province" and region.province:
                level_name = vocab.regions()[region.province].zh
            name = level_name + name[1:]
        else:
            short = [x for x in region.strong if x != region.zh]
            for s in short:   # 厦门科技局 -> 厦门市科技局
                if name.startswith(s) and not name.startswith(region.zh):
                    name = region.zh + name[len(s):]
                    break
    name = re.sub(r"科技局$", "科学技术局", name)
    return re.sub(r"科技厅$", "科学技术厅", name)
