"""OPML 2.0: one outline per keyword feed, for importing a set of subscriptions at once."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass


@dataclass(frozen=True)
class Outline:
    text: str
    xml_url: str
    html_url: str


def render_opml(title: str, outlines: list[Outline]) -> bytes:
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    body = ET.SubElement(root, "body")
    for outline in outlines:
        ET.SubElement(body, "outline", type="rss", text=outline.text, title=outline.text,
                      xmlUrl=outline.xml_url, htmlUrl=outline.html_url)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
