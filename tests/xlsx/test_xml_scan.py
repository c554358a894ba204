"""The element tree of a part: skipping the content of elements not kept (a big
``sheetData``) straight to their end tag gives the tree that reading every token gives."""

from __future__ import annotations

import pytest

from crm_xl.xlsx import Package, xml_scan
from tests.xlsx.harness import FIXTURES, fixture


def _shape(node):
    return [
        (n.qname, n.start, n.open_end, n.end, n.close_start, len(n.children)) for n in node.iter()
    ]


@pytest.mark.parametrize("name", FIXTURES)
def test_skipping_to_end_tags_gives_the_tree_of_every_token(name, monkeypatch):
    pkg = Package.open(fixture(name))
    for part in pkg.part_names():
        if not part.endswith(".xml"):
            continue
        data = pkg.part(part)
        got = [
            _shape(xml_scan.parse(data, depth, shallow))
            for depth, shallow in ((0, ()), (1, ()), (4, ("sheetData",)), (64, ()))
        ]
        with monkeypatch.context() as m:
            m.setattr(xml_scan, "_end_tag", lambda *a: None)
            want = [
                _shape(xml_scan.parse(data, depth, shallow))
                for depth, shallow in ((0, ()), (1, ()), (4, ("sheetData",)), (64, ()))
            ]
        assert got == want, part


def test_content_that_could_hide_an_end_tag_is_read_token_by_token():
    """A comment or CDATA holding ``</a>``, and an element of the same name inside: the
    end tag found is the real one."""
    for data in (
        b"<r><a><!-- </a> --><b/></a><c/></r>",
        b"<r><a><![CDATA[</a>]]></a><c/></r>",
        b"<r><a><a>x</a><b/></a><c/></r>",
        b"<r><a><ab/></a ><c/></r>",
    ):
        root = xml_scan.parse(data, 1)
        assert [c.qname for c in root.children] == ["a", "c"], data
        assert root.children[0].end == data.index(b"<c/>"), data
