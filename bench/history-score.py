#!/usr/bin/env python3
"""Scores a recovery folder against a history image's NAME.deleted.jsonl: how many of the files the
later mount deleted or overwrote came back with their exact content (anywhere in the folder), and
how many of those under their original path (relative to --base). Usage:
  history-score.py DELETED.jsonl FOLDER [--base SUBFOLDER]"""
import hashlib, json, os, sys

def main():
    args = sys.argv[1:]
    base = ""
    if "--base" in args:
        i = args.index("--base"); base = args[i + 1]; del args[i:i + 2]
    truth = [json.loads(l) for l in open(args[0]) if l.strip()]
    folder = args[1]
    by_sha, at = set(), {}
    for root, _, files in os.walk(folder):
        for f in files:
            p = os.path.join(root, f)
            if os.path.islink(p) or not os.path.isfile(p):
                continue
            h = hashlib.sha256(open(p, "rb").read()).hexdigest()
            by_sha.add(h)
            at[os.path.relpath(p, os.path.join(folder, base))] = h
    files = [t for t in truth if t["type"] == "file" and t["size"] > 0]
    content = sum(1 for t in files if t["sha256"] in by_sha)
    named = 0
    for t in files:
        p = t["path"]
        if t["kind"] == "previous-version":
            named += any(k.startswith(p + ".~") and v == t["sha256"] for k, v in at.items())
        else:
            named += at.get(p) == t["sha256"]
    print(f"{len(files)}\t{content}\t{named}")

main()
