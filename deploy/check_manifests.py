"""Checks the deployment example (run by .ci/run): every Kubernetes manifest under deploy/kubernetes parses,
each document names its kind, name and the armscan namespace, and every flag the worker Deployment passes is
one `armscan worker` knows (asked of the binary built by the tests: target/release/armscan).

Usage: python3 deploy/check_manifests.py [ARMSCAN_BINARY]
"""
import os
import subprocess
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    armscan = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "armscan")
    folder = os.path.join(ROOT, "deploy", "kubernetes")
    help_text = subprocess.run([armscan, "worker", "--help"], capture_output=True, text=True, check=True).stdout
    faults, kinds = [], []
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".yaml"):
            continue
        path = os.path.join(folder, name)
        try:
            docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
        except yaml.YAMLError as e:
            faults.append(f"{name}: not YAML: {e}")
            continue
        for d in docs:
            what = f"{name}: {d.get('kind', '?')} {d.get('metadata', {}).get('name', '?')}"
            kinds.append(what)
            if not d.get("apiVersion") or not d.get("kind") or not d.get("metadata", {}).get("name"):
                faults.append(f"{what}: needs apiVersion, kind and metadata.name")
            if d.get("metadata", {}).get("namespace") != "armscan":
                faults.append(f"{what}: not in the namespace armscan")
            if d.get("kind") == "Deployment":
                for c in d["spec"]["template"]["spec"]["containers"]:
                    args = c.get("args", [])
                    if not args or args[0] != "worker":
                        faults.append(f"{what}: the container does not run `armscan worker`")
                    for a in args[1:]:
                        flag = a.split("=", 1)[0]
                        if not flag.startswith("--") or f"{flag} " not in help_text and f"{flag}\n" not in help_text:
                            faults.append(f"{what}: `armscan worker` has no flag {flag}")
    for k in kinds:
        print("  " + k)
    if faults:
        sys.exit("deploy/kubernetes:\n" + "\n".join("  " + f for f in faults))
    print(f"deploy/kubernetes: {len(kinds)} manifests checked")


if __name__ == "__main__":
    main()
