"""The sheet titles that ``docProps/app.xml`` lists (HeadingPairs and TitlesOfParts).

The file's extended properties repeat the sheet names, in blocks counted by HeadingPairs
("Worksheets", 3; "Named Ranges", 2; ...). The heading texts are in Excel's UI language,
so the worksheet block is found by the names it lists. A file whose blocks do not add up
is left as it is: app.xml is informational and Excel rewrites it on its next save.
"""

from __future__ import annotations

from crm_xl.xlsx.escapes import escape_text
from crm_xl.xlsx.namespaces import RT_EXTENDED_PROPERTIES, VT_NS
from crm_xl.xlsx.parts import Parts
from crm_xl.xlsx.relationships import related_part
from crm_xl.xlsx.xml_scan import attr_edits


def add_title(parts: Parts, name: str, before: list[str], worksheets: set[str]) -> None:
    """List a new worksheet ``name`` in docProps/app.xml, after the worksheet titles
    ``before`` (the worksheets before it, in tab order); ``worksheets`` are the names of
    the workbook's other worksheets, which tell the worksheet block from the others."""
    app = related_part(parts, "", RT_EXTENDED_PROPERTIES)
    if app is None:
        return
    root = parts.tree(app)
    pairs = root.child(root.ns or "", "HeadingPairs")
    titles = root.child(root.ns or "", "TitlesOfParts")
    if pairs is None or titles is None:
        return
    pv, tv = pairs.child(VT_NS, "vector"), titles.child(VT_NS, "vector")
    if pv is None or tv is None:
        return
    variants = [v.children[0] if v.children else None for v in pv.children]
    lpstrs = list(tv.children)
    if any(v is None for v in variants) or len(variants) % 2:
        return
    blocks = []  # (count node, first title position, count)
    offset = 0
    for count in variants[1::2]:
        if count.local not in ("i4", "i2", "i8", "int") or not count.text().strip().isdigit():
            return
        n = int(count.text())
        blocks.append((count, offset, n))
        offset += n
    if offset != len(lpstrs):
        return
    for count, first, n in blocks:
        block = [t.text() for t in lpstrs[first : first + n]]
        if not worksheets.intersection(block):
            continue
        pos = first
        if before and before[-1] in block:
            pos = first + block.index(before[-1]) + 1
        where = lpstrs[pos - 1].end if pos > first else (lpstrs[first].start if n else None)
        if where is None:
            return
        qname = lpstrs[0].qname
        new = f"<{qname}>{escape_text(name)}</{qname}>".encode()
        edits = [
            (where, where, new),
            (count.open_end, count.close_start, str(n + 1).encode()),
        ]
        edits += attr_edits(tv, {"size": str(len(lpstrs) + 1)})
        parts.store(app, root, edits)
        return
