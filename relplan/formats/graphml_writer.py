"""The dependency graph as GraphML: the text networkx's writer gives, streamed.

networkx builds an ElementTree of the whole document (a minute and 1.6 GB for a large plan with
its items); :func:`write_graph_records` writes the same text line by line from
:class:`~relplan.formats.graph_export.GraphRecords`, so :func:`networkx.read_graphml` reads it
back, and the tests hold it to ``networkx.generate_graphml``'s text byte for byte.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Final, TextIO

from relplan.formats.graph_export import Edge, GraphRecords

if TYPE_CHECKING:  # networkx takes ~0.15 s to import: GraphML from records does without it
    import networkx as nx

__all__ = ["to_graphml", "write_graph_records", "write_graphml"]


#: An edge's attributes as GraphML keys: (name, GraphML type).
_EDGE_KEYS: Final = (
    ("type", "string"),
    ("lag_days", "long"),
    ("implied", "boolean"),
    ("implied_by", "string"),
)


def to_graphml(graph: nx.DiGraph[str]) -> str:
    """The graph as GraphML (what :func:`networkx.read_graphml` reads back).

    Args:
        graph: A graph from :func:`export_graph`.

    Returns:
        The XML text: the bytes :func:`networkx.generate_graphml` writes (pretty-printed).
    """
    out = io.StringIO()
    write_graphml(graph, out)
    return out.getvalue()


_XML_TYPES: Final = {bool: "boolean", int: "long", float: "double", str: "string"}
_GRAPHML_ROOT: Final = (
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">'
)
# networkx splits its text into lines (str.splitlines) and joins them with newlines again.
_LINE_BREAKS: Final = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e]")


#: Text that ElementTree writes as it is: printable ASCII without ``& < > "``.
_PLAIN: Final = re.compile("[ !#-%'-;=?-~]*")


def _xml(text: str, *, attribute: bool = False) -> str:
    """Text escaped as ElementTree writes it in ASCII (character references beyond)."""
    if _PLAIN.fullmatch(text):
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\r", "&#13;")
        text = text.replace("\n", "&#10;").replace("\t", "&#09;")
    if not text.isascii():
        text = text.encode("ascii", "xmlcharrefreplace").decode("ascii")
    if not text.isprintable():
        text = _LINE_BREAKS.sub("\n", text)
    return text


def write_graphml(graph: nx.DiGraph[str], out: TextIO) -> None:
    """Stream the graph as GraphML to ``out``: the text of :func:`to_graphml`.

    networkx builds an ElementTree of the whole document (1.6 GB for a large plan with its
    items); this writes the same text line by line: keys first (numbered in the order
    networkx finds them, listed last first), then nodes and edges with their data.

    Args:
        graph: A graph from :func:`export_graph`.
        out: Where the text goes.
    """

    def nodes() -> Iterator[tuple[str, Attrs]]:
        yield from graph.nodes(data=True)

    _write(nodes, lambda: graph.edges(data=True), out)


def write_graph_records(graph: GraphRecords, out: TextIO) -> None:
    """Stream :class:`GraphRecords` as GraphML to ``out``: the text :func:`write_graphml`
    writes of the same graph as networkx holds it (:meth:`GraphRecords.to_networkx`).

    Args:
        graph: A graph from :func:`graph_records`.
        out: Where the text goes.
    """

    def first_edge() -> Iterator[tuple[str, str, Attrs]]:
        # Every edge has an Edge's four fields, so one names all the edges' keys.
        yield from itertools.islice(graph.edges(), 1)

    _write(graph.nodes.items, first_edge, out, graph.successors)


Attrs = Mapping[str, object]


def _write(
    nodes: Callable[[], Iterable[tuple[str, Attrs]]],
    edges: Callable[[], Iterable[tuple[str, str, Attrs]]],
    out: TextIO,
    successors: Mapping[str, Mapping[str, Edge]] | None = None,
) -> None:
    """GraphML of the nodes and edges (each callable gives them anew: they are read twice).

    With ``successors`` (of :class:`GraphRecords`), the edges are written from them, and
    ``edges`` serves only to find the edges' keys.
    """
    keys: dict[tuple[str, str, str], str] = {}
    seen: set[tuple[str, tuple[str, ...], tuple[type, ...]]] = set()
    count = 0
    for scope, records in (
        ("node", (data for _, data in nodes())),
        ("edge", (data for *_, data in edges())),
    ):
        for data in records:
            count += scope == "node"
            signature = (scope, tuple(data), tuple(map(type, data.values())))
            if signature in seen:  # most elements repeat an earlier one's names and types
                continue
            seen.add(signature)
            for name, value in data.items():
                key = (str(name), _XML_TYPES[type(value)], scope)
                if key not in keys:
                    keys[key] = f"d{len(keys)}"
    out.write(_GRAPHML_ROOT + "\n")
    for (name, kind, scope), key_id in reversed(keys.items()):
        name_text = _xml(name, attribute=True)
        out.write(
            f'  <key id="{key_id}" for="{scope}" attr.name="{name_text}" attr.type="{kind}" />\n'
        )
    if not count:
        out.write('  <graph edgedefault="directed" />\n</graphml>\n')
        return
    out.write('  <graph edgedefault="directed">\n')
    writer = _Elements(keys)
    plain = _PLAIN.fullmatch
    ids: dict[str, str] = {}  # each node's escaped id, for its edges too
    chunk = writer.chunk
    for node, data in nodes():
        ref = ids[node] = node if plain(node) else _xml(str(node), attribute=True)
        chunk.append(writer.element(f'<node id="{ref}"', "node", data))
        if len(chunk) > 1000:
            out.write(writer.flush())
    if successors is not None:
        out.write(writer.flush())
        _write_edges(successors, ids, keys, out)
        out.write("  </graph>\n</graphml>\n")
        return
    for u, v, data in edges():
        chunk.append(writer.element(f'<edge source="{ids[u]}" target="{ids[v]}"', "edge", data))
        if len(chunk) > 1000:
            out.write(writer.flush())
    out.write(writer.flush())
    out.write("  </graph>\n</graphml>\n")


def _write_edges(
    successors: Mapping[str, Mapping[str, Edge]],
    ids: Mapping[str, str],
    keys: Mapping[tuple[str, str, str], str],
    out: TextIO,
) -> None:
    """The edges of :class:`GraphRecords`: the text :class:`_Elements` writes of their data, one
    f-string an edge (an export's edges are most of its text; ``str.format`` took half again)."""
    if not any(successors.values()):
        return
    k_type, k_lag, k_implied, k_pairs = (keys[name, kind, "edge"] for name, kind in _EDGE_KEYS)
    # From after the target's id to the lag's text, by type (an empty text is an empty element).
    after_target: dict[str, str] = {}
    chunk: list[str] = []
    for u, targets in successors.items():
        opening = f'    <edge source="{ids[u]}" target="'
        for v, (type_, lag, implied, pairs) in targets.items():
            middle = after_target.get(type_)
            if middle is None:
                type_data = f'">{_text(type_)}</data>' if type_ else '" />'
                middle = after_target[type_] = (
                    f'">\n      <data key="{k_type}{type_data}\n      <data key="{k_lag}">'
                )
            if pairs:
                if pairs.isascii() and pairs.isprintable():  # "->" always needs escaping
                    pairs = pairs.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                else:
                    pairs = _xml(pairs)
                chunk.append(
                    f'{opening}{ids[v]}{middle}{lag}</data>\n      <data key="{k_implied}">'
                    f'{implied}</data>\n      <data key="{k_pairs}">{pairs}</data>\n    </edge>\n'
                )
            else:
                chunk.append(
                    f'{opening}{ids[v]}{middle}{lag}</data>\n      <data key="{k_implied}">'
                    f'{implied}</data>\n      <data key="{k_pairs}" />\n    </edge>\n'
                )
        if len(chunk) > 2000:
            out.write("".join(chunk))
            chunk.clear()
    out.write("".join(chunk))


def _text(value: str) -> str:
    """An element's text as :class:`_Elements` writes it."""
    return value if _PLAIN.fullmatch(value) else _xml(value)


class _Elements:
    """Writes node and edge elements; elements with the same attribute names and types (most
    of them) share one prepared template, so each costs one ``str.format``."""

    def __init__(self, keys: Mapping[tuple[str, str, str], str]) -> None:
        self.keys = keys
        self.chunk: list[str] = []
        self._templates: dict[tuple[object, ...], str] = {}

    def flush(self) -> str:
        text = "".join(self.chunk)
        self.chunk.clear()
        return text

    def element(self, opening: str, scope: str, data: Attrs) -> str:
        """The element's text: ``opening`` (``<node id=...``), its data and its end."""
        if not data:
            return f"    {opening} />\n"
        values = data.values()
        texts = list(map(str, values))
        joined = " ".join(texts)
        if joined.isascii() and joined.isprintable():  # _xml's checks, once for all texts
            if "&" in joined or "<" in joined or ">" in joined:
                # No text holds a line break: escape them all in one go.
                joined = "\n".join(texts).replace("&", "&amp;")
                texts = joined.replace("<", "&lt;").replace(">", "&gt;").split("\n")
        else:
            texts = [t if _PLAIN.fullmatch(t) else _xml(t) for t in texts]
        empty = tuple(i for i, t in enumerate(texts) if not t) if "" in texts else ()
        signature = (scope, tuple(data), tuple(map(type, values)), empty)
        template = self._templates.get(signature)
        if template is None:
            template = self._templates[signature] = self._template(scope, data, empty)
        return template.format(opening, *texts)

    def _template(self, scope: str, data: Attrs, empty: tuple[int, ...]) -> str:
        """The element, ``{}`` for its opening and for each value (``<data ... />`` if empty)."""
        lines = ["    {}>\n"]
        for n, (name, value) in enumerate(data.items()):
            key_id = self.keys[name, _XML_TYPES[type(value)], scope]
            if n in empty:
                lines.append(f'      <data key="{key_id}" />{{}}\n')
            else:
                lines.append(f'      <data key="{key_id}">{{}}</data>\n')
        return "".join(lines) + f"    </{scope}>\n"
