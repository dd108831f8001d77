"""A small element tree built with html.parser (python3 stdlib), strict enough for tests: every
end tag must close the innermost open element, so markup smuggled in through a log line (a stray
</pre>, </section>, <!--) shows up as a structure error instead of being repaired silently.
"""
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent, self.children = tag, dict(attrs), parent, []

    def classes(self):
        return (self.attrs.get("class") or "").split()

    def text(self):
        """All text below this node, entities decoded."""
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def iter(self):
        """This node and every element below it, in document order."""
        yield self
        for c in self.children:
            if isinstance(c, Node):
                yield from c.iter()

    def find_all(self, tag=None, cls=None, **attrs):
        return [n for n in self.iter()
                if (tag is None or n.tag == tag) and (cls is None or cls in n.classes())
                and all(n.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def find(self, tag=None, cls=None, **attrs):
        found = self.find_all(tag, cls, **attrs)
        return found[0] if found else None


class TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", [], None)
        self.cur = self.root
        self.errors, self.comments, self.decls = [], [], []

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if self.cur.tag != tag:
            self.errors.append(f"</{tag}> closes <{self.cur.tag}> at line {self.getpos()[0]}")
            return
        self.cur = self.cur.parent

    def handle_data(self, data):
        self.cur.children.append(data)

    def handle_comment(self, data):
        self.comments.append(data)

    def handle_decl(self, decl):
        self.decls.append(decl)

    def unknown_decl(self, data):
        self.errors.append(f"unexpected declaration <![{data}]>")

    def handle_pi(self, data):
        self.errors.append(f"unexpected processing instruction <?{data}>")


def parse(text):
    """Returns (root, builder); builder.errors lists structure errors, unclosed elements too."""
    b = TreeBuilder()
    b.feed(text)
    b.close()
    if b.cur is not b.root:
        b.errors.append(f"<{b.cur.tag}> is never closed")
    return b.root, b
