"""WeChat's flat <xml> documents read by a bounded, hardened parse (SPEC §10–11).

defusedxml's parser (no DTD, no entities, nothing external) feeds a target that keeps only
what a WeChat message is: the text of the root's children. No element tree is built, and the
parse stops at the first element past the bounds. (ElementTree's iterparse did the same work
with a tree, an event list and a class defined anew on every call: on every message, twice.)
"""

from __future__ import annotations

from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

# WeChat's deepest message is an event with a list (<xml><SubscribeMsgPopupEvent><List><...>):
# four levels; its largest has a few dozen elements
MAX_XML_DEPTH = 6
MAX_XML_ELEMENTS = 500


class BadXml(Exception):
    """Not a WeChat document; the message says why, for a 400."""


class _FlatFields:
    """A parser target: the text children of the root, by tag (children that hold elements
    are left out; of two children with one tag, the last leaf wins)."""

    def __init__(self) -> None:
        self.depth = self.count = 0
        self.root: str | None = None
        self.fields: dict[str, str] = {}
        self.tag = ""
        self.text: list[str] = []
        self.nested = False

    def start(self, tag: str, attrib: object) -> None:
        self.depth += 1
        self.count += 1
        if self.depth > MAX_XML_DEPTH or self.count > MAX_XML_ELEMENTS:
            raise BadXml("XML nested too deeply or too large")
        if self.depth == 1:
            self.root = self.root or tag
        elif self.depth == 2:
            self.tag, self.text, self.nested = tag, [], False
        else:
            self.nested = True

    def data(self, text: str) -> None:
        if self.depth == 2:
            self.text.append(text)

    def end(self, tag: str) -> None:
        if self.depth == 2 and not self.nested:
            self.fields[self.tag] = "".join(self.text)
        self.depth -= 1

    def close(self) -> dict[str, str]:
        return self.fields


def parse_flat_xml(body: bytes | str) -> dict[str, str]:
    """The text children of a flat <xml> document; raises BadXml for DTDs, entities,
    malformed XML, a root other than <xml>, or more than MAX_XML_DEPTH levels or
    MAX_XML_ELEMENTS elements."""
    data = body.encode() if isinstance(body, str) else body
    target = _FlatFields()
    parser = DefusedXMLParser(
        target=target, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(data)
        fields = parser.close()
    except (ParseError, DefusedXmlException, ValueError, UnicodeError) as error:
        raise BadXml(f"malformed XML: {type(error).__name__}") from None
    if target.root != "xml":
        raise BadXml("the XML root is not <xml>")
    return fields
