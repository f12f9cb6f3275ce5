"""Parse one graph written as Turtle, JSON-LD and RDF/XML by the hub's own writers (issue 17).

    dcat_roundtrip.py TURTLE JSONLD RDFXML

The three must parse with rdflib into isomorphic graphs; prints every literal object as JSON
(`[subject, predicate, lexical form, language or datatype]`, sorted) so the caller can compare
them with the strings it wrote: quotes, backslashes, newlines, carriage returns, tabs and
non-ASCII letters must come back unchanged.
"""

import json
import sys

from rdflib import Graph, Literal
from rdflib.compare import isomorphic


def main():
    graphs = []
    for path, fmt in zip(sys.argv[1:4], ("turtle", "json-ld", "xml")):
        g = Graph()
        g.parse(path, format=fmt)
        graphs.append((fmt, g))
    base = graphs[0][1]
    for fmt, g in graphs[1:]:
        if not isomorphic(base, g):
            print(f"turtle and {fmt} differ: {len(base)} vs {len(g)} triples")
            print(base.serialize(format="nt"))
            print(g.serialize(format="nt"))
            sys.exit(1)
    out = sorted(
        [str(s), str(p), str(o), o.language or (str(o.datatype) if o.datatype else "")]
        for s, p, o in base
        if isinstance(o, Literal)
    )
    print(json.dumps({"triples": len(base), "literals": out}, ensure_ascii=False))


if __name__ == "__main__":
    main()
