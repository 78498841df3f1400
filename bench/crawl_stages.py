#!/usr/bin/env python3
"""Attributes the samples of `perf script -F comm,tid,ip,sym` (call graphs) of a pharmwatch
crawl to pipeline stages, and writes the stacks folded for a flamegraph.

Usage: crawl_stages.py PERF_SCRIPT_TXT PAGES FREQ_HZ FOLDED_OUT

A sample belongs to the extraction threads (`pw-extract-N`) or tantivy's own threads by its
thread name; else to start-up or run end when either is anywhere on its stack (compiling rules,
profiles and regexes; the report and trend counts); else to the deepest pipeline crate on its
stack (the store inside the sink, hyper inside the fetch task, ...), else to tokio's scheduler,
else to "other".
Prints a Markdown table: stage, samples, share, CPU µs per page.
"""
import collections
import sys

# (stage, substrings of a frame): the stage of a stack with such a frame anywhere on it.
ANYWHERE = [
    (
        "start-up (compiling rules, profiles, regexes)",
        ("load_rules", "RuleSet::load", "SiteProfile::load", "regex_syntax::", "thompson::compiler",
         "determinize", "aho_corasick::dfa::Builder", "meta::regex::Builder"),
    ),
    ("run end (report, trend counts)", ("report::build", "record_run_counts", "pipeline::finish")),
]
# (stage, substrings of a frame that mark it); the deepest marked frame of a stack wins.
MARKERS = [
    ("state store (SQLite)", ("pharmwatch_store", "sqlite3")),
    ("WARC (gzip, digests)", ("pharmwatch_evidence",)),
    ("rules", ("pharmwatch_rules",)),
    ("index (sink side)", ("pharmwatch_indexer", "tantivy")),
    ("fetch (HTTP, decompression, body digest)", ("hyper", "reqwest", "h2::", "fetch")),
    ("crawl loop (frontier, politeness, robots)", ("pharmwatch_crawler",)),
    ("sink (other)", ("pipeline",)),
    ("tokio scheduling", ("tokio",)),
]
THREADS = [
    ("extraction threads", lambda comm: comm.startswith("pw-extract")),
    ("tantivy's threads", lambda comm: "tantivy" in comm or comm.startswith("merge")),
]


def samples(path):
    """Yields (comm, frames leaf first) per sample."""
    comm, frames = None, []
    with open(path, errors="replace") as f:
        for line in f:
            if not line.strip():
                if comm is not None:
                    yield comm, frames
                comm, frames = None, []
            elif line[0] in " \t":
                parts = line.split(None, 1)
                frames.append(parts[1].strip() if len(parts) > 1 else "?")
            else:
                comm = line.split()[0] if line.split() else "?"
    if comm is not None:
        yield comm, frames


def stage_of(comm, frames):
    for stage, is_thread in THREADS:
        if is_thread(comm):
            return stage
    for stage, marks in ANYWHERE:
        if any(m in frame for frame in frames for m in marks):
            return stage
    for frame in frames:  # leaf first: the first marked frame is the deepest
        for stage, marks in MARKERS:
            if any(m in frame for m in marks):
                return stage
    return "other"


def main():
    path, pages, freq, folded_out = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    stages = collections.Counter()
    folded = collections.Counter()
    for comm, frames in samples(path):
        stages[stage_of(comm, frames)] += 1
        folded[";".join([comm] + [f.split("+0x")[0] for f in reversed(frames)])] += 1
    with open(folded_out, "w") as out:
        for stack, n in folded.most_common():
            out.write(f"{stack} {n}\n")
    total = sum(stages.values())
    us = lambda n: n / freq / max(pages, 1) * 1e6
    print("| stage | samples | share | CPU µs per page |")
    print("|---|---|---|---|")
    for stage, n in stages.most_common():
        print(f"| {stage} | {n} | {100 * n / total:.1f} % | {us(n):.0f} |")
    print(f"| **all** | {total} | 100 % | **{us(total):.0f}** |")


if __name__ == "__main__":
    main()
