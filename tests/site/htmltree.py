"""A small HTML tree from the standard library's parser, enough to assert on built pages
(elements, attributes, text) without adding a parsing dependency."""
from __future__ import annotations

import posixpath
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterator
from urllib.parse import unquote, urlsplit

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Node:
    def __init__(self, tag: str, attrs: dict[str, str | None], parent: "Node | None" = None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list["Node | str"] = []

    def iter(self, tag: str | None = None) -> Iterator["Node"]:
        for child in self.children:
            if isinstance(child, Node):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def find(self, tag: str, **attrs: str) -> "Node | None":
        return next(self.find_all(tag, **attrs), None)

    def find_all(self, tag: str, **attrs: str) -> Iterator["Node"]:
        """Elements by tag and attributes; class_="a b" matches elements having both classes."""
        for node in self.iter(tag):
            if all(self._matches(node, k.rstrip("_").replace("_", "-"), v) for k, v in attrs.items()):
                yield node

    @staticmethod
    def _matches(node: "Node", name: str, value: str) -> bool:
        if name == "class":
            return all(node.has_class(c) for c in value.split())
        return node.attrs.get(name) == value

    def by_id(self, ident: str) -> "Node | None":
        return next((n for n in self.iter() if n.attrs.get("id") == ident), None)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def has_class(self, name: str) -> bool:
        return name in (self.attrs.get("class") or "").split()

    def ancestors(self) -> Iterator["Node"]:
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs), self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, dict(attrs), self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        if node is not None and node.parent is not None:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


def _resolve(site: Path, page: str, target: str) -> tuple[str, str] | None:
    """The file and fragment a link points to, or None for links off the site."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    path = unquote(parts.path)
    if not path:
        return page, parts.fragment
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(page), path))
    if path.endswith("/") or (site / joined).is_dir():
        joined = posixpath.normpath(posixpath.join(joined, "index.html"))
    return joined, parts.fragment


def broken_links(site: Path, trees: dict[str, Node] | None = None) -> tuple[int, list[str]]:
    """Crawl every built page: (links checked, links whose file or anchor is missing)."""
    if trees is None:
        trees = {p.relative_to(site).as_posix(): parse(p.read_text(encoding="utf-8")) for p in site.rglob("*.html")}
    # 404.html is served at any address, so generators give it root-absolute links.
    trees = {rel: tree for rel, tree in trees.items() if rel != "404.html"}
    ids = {rel: {n.attrs["id"] for n in tree.iter() if n.attrs.get("id")} for rel, tree in trees.items()}
    broken, checked = [], 0
    for rel, tree in trees.items():
        for node in tree.iter():
            for attr in ("href", "src"):
                target = node.attrs.get(attr)
                resolved = _resolve(site, rel, target) if target else None
                if resolved is None:
                    continue
                checked += 1
                file, fragment = resolved
                if file.startswith("..") or not (site / file).is_file():
                    broken.append(f"{rel}: {attr}={target}")
                elif fragment and file.endswith(".html") and fragment not in ids[file]:
                    broken.append(f"{rel}: {target} (no element with id {fragment!r})")
    return checked, broken
