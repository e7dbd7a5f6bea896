"""Readable text from HTML: tags dropped, scripts and styles skipped, blocks on their own lines."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Their content is code or markup, not text a reader sees.
SKIPPED = {"script", "style", "noscript", "template", "svg", "head"}
BLOCKS = {
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header",
    "footer", "h1", "h2", "h3", "h4", "h5", "h6", "pre", "blockquote", "title", "hr",
}  # fmt: skip
SPACES = re.compile(r"[ \t\f\v\r]+")
BLANK_LINES = re.compile(r"\n\s*\n+")


class TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] = []
        self.skipping: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        elif tag in SKIPPED:
            self.skipping.append(tag)
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        elif self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        elif not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    collector = TextCollector()
    collector.feed(markup)
    collector.close()
    title = " ".join("".join(collector.title).split())
    body = SPACES.sub(" ", "".join(collector.parts))
    body = BLANK_LINES.sub("\n\n", "\n".join(line.strip() for line in body.split("\n")))
    return "\n\n".join(part for part in (title, body.strip()) if part)
