"""Validate the hub's DCAT catalogue against the vendored official SHACL shapes (issue 17).

    dcat_shacl.py PROFILE SHAPES_DIR TURTLE JSONLD RDFXML

PROFILE is healthdcat-ap or dcat-ap-se. The three files are the same catalogue as Turtle, JSON-LD
and RDF/XML (as the server sent them); they must parse with rdflib into isomorphic graphs. Then:

* healthdcat-ap: HealthDCAT-AP release 8 has one shape set per access level (PUBLIC,
  NON_PUBLIC, RESTRICTED), each a target on every dcat:Dataset. For each level present, the
  catalogue with only that level's datasets (the others' own statements and the catalogue's links
  to them left out) is validated against the release's <level>-shapes.ttl and range.ttl with the
  DCAT-AP 3.0.0 shapes.ttl and range.ttl they owl:import.
* dcat-ap-se: DCAT-AP-SE publishes no SHACL; its mandatory properties are the cardinalities of
  its RDForms specification (bundle.json, DCAT-AP-SE 3.0.1), turned into SHACL here, validated
  together with the DCAT-AP 3.0.1 shapes it builds on (shapes.ttl, range.ttl,
  mdr-vocabularies.shape.ttl).

Violations fail (the report text is printed); warnings are counted. Then the negative check: a
required property removed must make the same validation fail with a violation on that path.
Prints one JSON summary on success.
"""

import json
import sys
from pathlib import Path

import pyshacl
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF, SH

HEALTH = Namespace("http://healthdataportal.eu/ns/health#")
ACCESS = "http://publications.europa.eu/resource/authority/access-right/"
LEVELS = {"PUBLIC": "public", "NON_PUBLIC": "non-public", "RESTRICTED": "restricted"}

PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "prov": "http://www.w3.org/ns/prov#",
    "odrs": "http://schema.theodi.org/odrs#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "schema": "http://schema.org/",
    "adms": "http://www.w3.org/ns/adms#",
    "dcatap": "http://data.europa.eu/r5r/",
}


def fail(msg):
    print(msg)
    sys.exit(1)


def parse(turtle, jsonld, rdfxml):
    graphs = {}
    for path, fmt in ((turtle, "turtle"), (jsonld, "json-ld"), (rdfxml, "xml")):
        g = Graph()
        g.parse(path, format=fmt)
        graphs[fmt] = g
    base = graphs["turtle"]
    if len(base) == 0:
        fail("the Turtle catalogue is empty")
    for fmt, g in graphs.items():
        if not isomorphic(base, g):
            _, only_ttl, only_other = graph_diff(to_isomorphic(base), to_isomorphic(g))
            lines = [f"Turtle and {fmt} differ: {len(base)} vs {len(g)} triples"]
            lines += [f"  only Turtle: {t}" for t in list(only_ttl)[:10]]
            lines += [f"  only {fmt}: {t}" for t in list(only_other)[:10]]
            fail("\n".join(lines))
    return base


REPAIRED = []


def load(paths):
    """The shapes files as one graph. HealthDCAT-AP release 8's Dataset_Shape has one
    sh:property without sh:path (the sh:or tying hasStructuredData to hasVariables), which the
    SHACL spec does not allow and pySHACL refuses; it is read as the node constraint its message
    describes (sh:node instead of sh:property), and every such repair is listed in the summary."""
    g = Graph()
    for p in paths:
        g.parse(p, format="json-ld" if p.suffix == ".jsonld" else "turtle")
    for shape, prop in list(g.subject_objects(SH.property)):
        if (prop, SH.path, None) not in g:
            g.remove((shape, SH.property, prop))
            g.add((shape, SH.node, prop))
            g.add((prop, RDF.type, SH.NodeShape))
            REPAIRED.append(f"{shape}: sh:property without sh:path read as sh:node")
    return g


def curie(s):
    if s.startswith("http://") or s.startswith("https://"):
        return URIRef(s)
    prefix, _, local = s.partition(":")
    if prefix not in PREFIXES:
        raise ValueError(f"unknown prefix in DCAT-AP-SE bundle: {s}")
    return URIRef(PREFIXES[prefix] + local)


def se_shapes(bundle_path):
    """SHACL for DCAT-AP-SE's mandatory properties, read from its RDForms specification."""
    bundle = json.loads(Path(bundle_path).read_text(encoding="utf-8"))
    by_id = {t.get("id"): t for t in bundle["templates"] if t.get("id")}

    def prop(t):
        if t.get("property"):
            return t["property"]
        for item in t.get("items", []):
            sub = by_id.get(item) if isinstance(item, str) else item
            if sub and prop(sub):
                return prop(sub)
        return None

    main = {
        "dcat:Catalog",
        "dcat:Dataset",
        "dcat:Distribution",
        "dcat:contactPoint",
        "dcat:foaf:Agent",
    }
    g = Graph()
    count = 0
    for gid in sorted(main):
        group = by_id[gid]
        types = group["constraints"]["http://www.w3.org/1999/02/22-rdf-syntax-ns#type"]
        types = types if isinstance(types, list) else [types]
        shape = URIRef("urn:vardhub:dcat-ap-se:" + gid)
        g.add((shape, RDF.type, SH.NodeShape))
        for t in types:
            g.add((shape, SH.targetClass, URIRef(t)))
        for item in group.get("items", []):
            tmpl = by_id.get(item) if isinstance(item, str) else item
            if tmpl is None:
                continue
            card = (item.get("cardinality") if isinstance(item, dict) else None) or tmpl.get(
                "cardinality", {}
            )
            p = prop(tmpl)
            if not p or p == "rdf:type" or not card.get("min"):
                continue
            ps = BNode()
            g.add((shape, SH.property, ps))
            g.add((ps, SH.path, curie(p)))
            g.add((ps, SH.minCount, Literal(int(card["min"]))))
            if card.get("max"):
                g.add((ps, SH.maxCount, Literal(int(card["max"]))))
            if tmpl.get("value") and tmpl.get("nodetype") == "URI":
                g.add((ps, SH.hasValue, URIRef(tmpl["value"])))
            g.add((ps, SH.severity, SH.Violation))
            g.add((ps, SH.name, Literal(f"DCAT-AP-SE {gid} {p}")))
            count += 1
    if count < 8:
        fail(f"only {count} mandatory properties read from {bundle_path}")
    return g


def only_level(data, level):
    """The catalogue with only the datasets of one access level."""
    g = Graph()
    for t in data:
        g.add(t)
    keep = set(g.subjects(DCTERMS.accessRights, URIRef(ACCESS + level)))
    for ds in set(g.subjects(RDF.type, DCAT.Dataset)) - keep:
        for t in list(g.triples((ds, None, None))):
            g.remove(t)
        for t in list(g.triples((None, DCAT.dataset, ds))):
            g.remove(t)
    return g, len(keep)


def validate(data, shapes):
    _, results, text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
        advanced=True,
    )
    # Top-level results only (a failed sh:node also lists its nested results as sh:detail,
    # whose severity is the inner shape's, not the one that applies).
    top = [r for report in results.subjects(RDF.type, SH.ValidationReport)
           for r in results.objects(report, SH.result)]
    violations = [r for r in top if (r, SH.resultSeverity, SH.Violation) in results]
    warnings = [r for r in top if (r, SH.resultSeverity, SH.Warning) in results]
    paths = {str(p) for r in violations for p in results.objects(r, SH.resultPath)}
    return len(violations), len(warnings), paths, text


def runs(profile, shapes_dir, data):
    """(name, data graph, shapes graph, datasets) for each validation the profile asks for."""
    d = Path(shapes_dir)
    if profile == "healthdcat-ap":
        core = [d / "dcat-ap-3.0.0" / "shapes.ttl", d / "dcat-ap-3.0.0" / "range.ttl"]
        present = {
            str(o)[len(ACCESS):]
            for o in data.objects(None, DCTERMS.accessRights)
            if str(o).startswith(ACCESS)
        }
        if not present:
            fail("no dataset has an EU access right")
        out = []
        for level in sorted(present):
            if level not in LEVELS:
                fail(f"unknown access right {level}")
            shape_file = d / "healthdcat-ap-r8" / f"{LEVELS[level]}-shapes.ttl"
            if not shape_file.exists():
                fail(f"no vendored HealthDCAT-AP shapes for {level}: {shape_file}")
            shapes = load(core + [shape_file, d / "healthdcat-ap-r8" / "range.ttl"])
            sub, n = only_level(data, level)
            out.append((level, sub, shapes, n))
        return out
    if profile == "dcat-ap-se":
        base = d / "dcat-ap-3.0.1"
        shapes = load([base / "shapes.ttl", base / "range.ttl", base / "mdr-vocabularies.shape.ttl"])
        shapes += se_shapes(d / "dcat-ap-se-3.0.1" / "bundle.json")
        n = len(set(data.subjects(RDF.type, DCAT.Dataset)))
        return [("DCAT-AP-SE", data, shapes, n)]
    fail(f"unknown profile {profile}")


# Required properties removed one at a time in the negative check: (predicate, whose).
NEGATIVE = {
    "healthdcat-ap": [(HEALTH.healthCategory, DCAT.Dataset), (DCAT.accessURL, DCAT.Distribution)],
    "dcat-ap-se": [(DCTERMS.publisher, DCAT.Dataset), (DCAT.accessURL, DCAT.Distribution)],
}


def main():
    profile, shapes_dir, turtle, jsonld, rdfxml = sys.argv[1:6]
    data = parse(turtle, jsonld, rdfxml)
    summary = {"profile": profile, "triples": len(data), "runs": [], "negative": []}
    for name, sub, shapes, n in runs(profile, shapes_dir, data):
        violations, warnings, _, text = validate(sub, shapes)
        if violations:
            fail(f"{profile} / {name}: {violations} violations\n{text}")
        summary["runs"].append(
            {"name": name, "datasets": n, "violations": 0, "warnings": warnings}
        )
        for pred, cls in NEGATIVE[profile]:
            broken = Graph()
            for t in sub:
                broken.add(t)
            whose = set(broken.subjects(RDF.type, cls))
            removed = [t for t in broken.triples((None, pred, None)) if t[0] in whose]
            if not removed:
                continue
            for t in removed:
                broken.remove(t)
            v, _, paths, _ = validate(broken, shapes)
            if v == 0 or str(pred) not in paths:
                fail(f"{profile} / {name}: without {pred} the shapes still pass ({v} violations on {sorted(paths)})")
            summary["negative"].append(
                {"run": name, "removed": str(pred), "triples": len(removed), "violations": v}
            )
    summary["repaired_shapes"] = sorted(set(REPAIRED))
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
