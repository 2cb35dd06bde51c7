"""pySigma as the oracle of the Sigma compiler's tests: one process converts many rule files.

Reads a JSON request on stdin:
  {"files": [paths], "pipelines": [shipped names or pipeline files, merged as sigma convert -p merges them], "mode": "lucene" | "dsl_lucene" | "tree"}
and writes one JSON object: {"<path>": [{"id": ..., "title": ..., "queries": [...]} | {"id": ..., "error": "..."} ...]}.
"lucene" gives pySigma-backend-elasticsearch's LuceneBackend queries, "dsl_lucene" the same wrapped as query DSL,
"tree" pySigma's own condition tree (after the pipelines, if any, and its postprocessing) as JSON, in the shape of alertcron's SigmaNode.
"""
import json
import sys

from sigma.collection import SigmaCollection
from sigma.backends.elasticsearch import LuceneBackend
from sigma.plugins import InstalledSigmaPlugins


def load_pipeline(specs):
    # As `sigma convert -p ... -p ...`: the resolver takes shipped names and files alike and sorts by (priority, spec).
    if not specs:
        return None
    pipeline = InstalledSigmaPlugins.autodiscover().get_pipeline_resolver().resolve(specs)
    return pipeline


def value_json(v):
    kind = type(v).__name__
    if kind in ("SigmaString", "SigmaCasedString"):
        parts = []
        for p in v.s:
            if isinstance(p, str):
                if parts and isinstance(parts[-1], str):
                    parts[-1] += p
                else:
                    parts.append(p)
            else:
                name = getattr(p, "name", str(p))
                if name == "WILDCARD_MULTI":
                    parts.append({"wildcard": "*"})
                elif name == "WILDCARD_SINGLE":
                    parts.append({"wildcard": "?"})
                else:
                    parts.append({"special": str(p)})
        out = {"type": "string", "parts": parts}
        if kind == "SigmaCasedString":
            out["cased"] = True
        return out
    if kind == "SigmaNumber":
        return {"type": "number", "value": v.number}
    if kind == "SigmaBool":
        return {"type": "bool", "value": v.boolean}
    if kind == "SigmaNull":
        return {"type": "null"}
    if kind == "SigmaRegularExpression":
        flags = sorted({f.name.lower()[0] if f.name.lower() not in ("ignorecase", "multiline", "dotall") else {"ignorecase": "i", "multiline": "m", "dotall": "s"}[f.name.lower()] for f in (v.flags or set())})
        regexp = v.regexp.to_plain_regex() if hasattr(v.regexp, "to_plain_regex") else str(v.regexp)
        return {"type": "re", "pattern": regexp, "flags": flags}
    if kind == "SigmaCIDRExpression":
        return {"type": "cidr", "network": str(getattr(v, "original", v.network))}
    if kind == "SigmaCompareExpression":
        op = {"LT": "lt", "LTE": "lte", "GT": "gt", "GTE": "gte"}[v.op.name]
        return {"type": "compare", "op": op, "value": v.number.number}
    if kind == "SigmaExists":
        return {"type": "exists", "value": v.exists}
    return {"type": "other", "class": kind, "repr": str(v)}


def match_json(field, value):
    # A modifier's expansion (windash, base64offset) is an OR of its values, even of one, marked (the backend never parenthesises it).
    if type(value).__name__ == "SigmaExpansion":
        return {"type": "or", "items": [match_json(field, v) for v in value.values], "expansion": True}
    return {"type": "match", "field": field, "value": value_json(value)}


# The value lists (as tuples of the value objects' ids) of the multi-value detection items of the rule tree_json reads.
ITEM_VALUES = set()


def item_values(rule):
    """The ids of each multi-value detection item's values: pySigma links those very objects into one AND or OR."""
    found = set()

    def walk(detection):
        for d in detection.detection_items:
            if type(d).__name__ == "SigmaDetectionItem":
                if len(d.value) > 1:
                    found.add(tuple(id(v) for v in d.value))
            else:
                walk(d)

    for detection in rule.detection.detections.values():
        walk(detection)
    return found


def is_item_values(node):
    return len(node.args) > 1 and tuple(id(getattr(a, "value", None)) for a in node.args) in ITEM_VALUES


def tree_json(node):
    kind = type(node).__name__
    # An AND or OR of one detection item's values (its very value objects) is marked, as alertcron's parser marks it.
    item = {"item": True} if kind in ("ConditionAND", "ConditionOR") and is_item_values(node) else {}
    if kind == "ConditionAND":
        return {"type": "and", "items": [tree_json(a) for a in node.args], **item}
    if kind == "ConditionOR":
        return {"type": "or", "items": [tree_json(a) for a in node.args], **item}
    if kind == "ConditionNOT":
        return {"type": "not", "item": tree_json(node.args[0])}
    if kind in ("ConditionFieldEqualsValueExpression", "ConditionValueExpression"):
        return match_json(node.field if kind == "ConditionFieldEqualsValueExpression" else None, node.value)
    return {"type": "other", "class": kind, "repr": str(node)}


def main():
    request = json.load(sys.stdin)
    mode = request.get("mode", "lucene")
    backend = None
    pipeline = load_pipeline(request.get("pipelines") or [])
    if mode != "tree":
        backend = LuceneBackend(processing_pipeline=pipeline)
    out = {}
    for path in request["files"]:
        results = []
        try:
            with open(path, encoding="utf-8") as h:
                collection = SigmaCollection.from_yaml(h.read())
            for rule in collection.rules:
                entry = {"id": str(rule.id) if getattr(rule, "id", None) else None, "title": rule.title}
                try:
                    if mode == "tree":
                        if pipeline is not None:
                            pipeline.apply(rule)
                        ITEM_VALUES.clear()
                        ITEM_VALUES.update(item_values(rule))
                        conditions = [tree_json(c.parsed) for c in rule.detection.parsed_condition]
                        entry["tree"] = conditions[0] if len(conditions) == 1 else {"type": "or", "items": conditions}
                    else:
                        fmt = "dsl_lucene" if mode == "dsl_lucene" else None
                        entry["queries"] = backend.convert_rule(rule, fmt) if fmt else backend.convert_rule(rule)
                except Exception as e:  # one rule's failure is that rule's answer
                    entry["error"] = f"{type(e).__name__}: {e}"
                results.append(entry)
        except Exception as e:
            results.append({"id": None, "error": f"{type(e).__name__}: {e}"})
        out[path] = results
    json.dump(out, sys.stdout, default=str)


if __name__ == "__main__":
    main()
