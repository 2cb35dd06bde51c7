"""pySigma as the oracle of alertcron's pipeline tests: applies pipelines to rules given as text, many cases per process.

Reads JSON on stdin: [{"rule": "<Sigma YAML>", "pipelines": ["<shipped name>" | {"yaml": "<pipeline YAML>"}, ...]}]
(names resolved by priority first, then the YAML pipelines appended in the order given, as test/sigma/pysigma_oracle.py
does) and writes one JSON list, per case: {"tree": <condition tree in alertcron's SigmaNode shape>, "fields": [...],
"logsource": {...}} or {"error": "..."}.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from pysigma_oracle import tree_json  # noqa: E402

from sigma.collection import SigmaCollection  # noqa: E402
from sigma.plugins import InstalledSigmaPlugins  # noqa: E402
from sigma.processing.pipeline import ProcessingPipeline  # noqa: E402


def pipeline_of(specs, resolver):
    names = [s for s in specs if isinstance(s, str)]
    pipeline = resolver.resolve(names) if names else ProcessingPipeline()
    for s in specs:
        if not isinstance(s, str):
            pipeline = pipeline + ProcessingPipeline.from_yaml(s["yaml"])
    return pipeline


def main():
    resolver = InstalledSigmaPlugins.autodiscover().get_pipeline_resolver()
    out = []
    for case in json.load(sys.stdin):
        try:
            rule = SigmaCollection.from_yaml(case["rule"]).rules[0]
            pipeline_of(case.get("pipelines", []), resolver).apply(rule)
            conditions = [tree_json(c.parsed) for c in rule.detection.parsed_condition]
            ls = rule.logsource
            out.append({
                "tree": conditions[0] if len(conditions) == 1 else {"type": "or", "items": conditions},
                "fields": list(rule.fields),
                "logsource": {k: v for k, v in (("category", ls.category), ("product", ls.product), ("service", ls.service)) if v},
            })
        except Exception as e:  # one case's failure is that case's answer
            out.append({"error": f"{type(e).__name__}: {e}"})
    json.dump(out, sys.stdout, default=str)


if __name__ == "__main__":
    main()
