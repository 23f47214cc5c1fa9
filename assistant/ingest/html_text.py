"""HTML documents: their visible text as headings and paragraphs, and their title.

Scripts, styles and markup never reach the index: only what a reader of the page sees.
"""
from __future__ import annotations

from html.parser import HTMLParser

# (kind, text, offset in the text, heading level): the fields of a documents.Block
Part = tuple[str, str, int, int]


class _VisibleText(HTMLParser):
    """Collects visible text of an HTML page, one block per heading or paragraph."""

    INVISIBLE = {"script", "style", "noscript", "template", "head", "svg", "iframe"}
    BLOCK_TAGS = {"p", "div", "li", "section", "article", "br", "tr", "td", "th",
                  "blockquote", "pre", "dd", "dt", "header", "footer", "main", "ul", "ol", "table"}
    HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, int]] = []
        self.title = ""
        self._parts: list[str] = []
        self._hidden = 0
        self._in_title = False
        self._heading_level = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        if tag in self.INVISIBLE:
            self._hidden += 1
        elif tag in self.HEADINGS or tag in self.BLOCK_TAGS:
            self._flush()
            self._heading_level = self.HEADINGS.get(tag, 0)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in self.INVISIBLE:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self.HEADINGS or tag in self.BLOCK_TAGS:
            self._flush()
            self._heading_level = 0

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._hidden:
            self._parts.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    def _flush(self) -> None:
        text = " ".join("".join(self._parts).split())
        self._parts = []
        if text:
            kind = "heading" if self._heading_level else "paragraph"
            self.blocks.append((kind, text, self._heading_level))


def html_text(raw: str) -> tuple[str, list[Part], str]:
    """Visible text only: scripts, styles and markup never reach the index."""
    parser = _VisibleText()
    parser.feed(raw)
    parser.close()
    text_parts, blocks, offset = [], [], 0
    for kind, text, level in parser.blocks:
        blocks.append((kind, text, offset, level))
        text_parts.append(text)
        offset += len(text) + 1
    return "\n".join(text_parts), blocks, " ".join(parser.title.split())
