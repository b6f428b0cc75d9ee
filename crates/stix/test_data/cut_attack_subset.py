"""Cuts test_data/attack-subset.json from MITRE ATT&CK Enterprise 18.1 (deterministic).

Usage: python3 cut_attack_subset.py /work/shared/data/attack/enterprise-attack-18.1.json.gz
"""
import gzip
import json
import sys

bundle = json.load(gzip.open(sys.argv[1]))
objects = bundle["objects"]
by_id = {o["id"]: o for o in objects}
rels = sorted((o for o in objects if o["type"] == "relationship"), key=lambda o: o["id"])
chosen = {}


def take(obj):
    chosen.setdefault(obj["id"], obj)


def external_id(obj):
    return next((r.get("external_id") for r in obj.get("external_references", [])
                 if r.get("source_name") == "mitre-attack"), None)


def take_rel(rel):
    take(rel)
    for end in (rel["source_ref"], rel["target_ref"]):
        if end in by_id:
            take(by_id[end])


for o in objects:
    if o["type"] in ("identity", "marking-definition", "x-mitre-matrix", "x-mitre-tactic"):
        take(o)

for group in ("G0007", "G0016", "G0032"):
    actor = next(o for o in objects if o["type"] == "intrusion-set" and external_id(o) == group)
    take(actor)
    uses = [r for r in rels if r["source_ref"] == actor["id"] and r["relationship_type"] == "uses"
            and not r.get("revoked")]
    for kind in ("attack-pattern", "malware", "tool"):
        for rel in [r for r in uses if r["target_ref"].startswith(kind + "--")][:4]:
            take_rel(rel)

campaign_rel = next(r for r in rels if r["relationship_type"] == "attributed-to"
                    and r["target_ref"] in chosen)
take_rel(campaign_rel)
revoked_rel = next(r for r in rels if r["relationship_type"] == "revoked-by"
                   and r["source_ref"].startswith("attack-pattern--"))
take_rel(revoked_rel)
take(next(o for o in objects if o["type"] == "attack-pattern" and o.get("x_mitre_deprecated")))
take_rel(next(r for r in rels if r["relationship_type"] == "subtechnique-of"))
take_rel(next(r for r in rels if r["relationship_type"] == "mitigates" and r["target_ref"] in chosen))
detects = next(r for r in rels if r["relationship_type"] == "detects" and r["target_ref"] in chosen)
take_rel(detects)
strategy = by_id[detects["source_ref"]]
for analytic in strategy.get("x_mitre_analytic_refs", [])[:1]:
    take(by_id[analytic])
component = next(o for o in objects if o["type"] == "x-mitre-data-component" and "x_mitre_data_source_ref" in o)
take(component)
if component["x_mitre_data_source_ref"] in by_id:
    take(by_id[component["x_mitre_data_source_ref"]])
else:
    take(next(o for o in objects if o["type"] == "x-mitre-data-source"))

subset = {"type": "bundle", "id": bundle["id"], "objects": sorted(chosen.values(), key=lambda o: o["id"])}
json.dump(subset, sys.stdout, indent=1, ensure_ascii=False)
sys.stdout.write("\n")
