"""The DOM that headless Chromium serialises (`--dump-dom`), read back into elements and texts."""

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attributes: dict[str, str]
    nodes: list["Element | str"] = field(default_factory=list)

    def walk(self):
        yield self
        for node in self.nodes:
            if isinstance(node, Element):
                yield from node.walk()

    @property
    def text(self) -> str:
        return "".join(node if isinstance(node, str) else node.text for node in self.nodes)

    def by_id(self, identifier: str) -> "Element | None":
        return next((e for e in self.walk() if e.attributes.get("id") == identifier), None)

    def find_all(self, tag: str = "", css_class: str = "") -> list["Element"]:
        return [e for e in self.walk() if (not tag or e.tag == tag)
                and (not css_class or css_class in e.attributes.get("class", "").split())]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, {name: value or "" for name, value in attrs})
        self.stack[-1].nodes.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].nodes.append(data)


def parse(html: str) -> Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root
