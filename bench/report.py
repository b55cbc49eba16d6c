#!/usr/bin/env python3
"""Prints bench/run.sh's table: medians of the samples in $RESULTS, ratios and the issue's targets.

$RESULTS holds "SCENARIO TOOL SECONDS RSS_KB USER_S SYS_S" lines, $RETRS "SCENARIO TOOL retr=N/BYTES"
(each POP3 session as Dovecot logged it); the rest comes from run.sh's environment.
"""
import os
import statistics

env = os.environ
messages, many, new = int(env["MESSAGES"]), int(env["MANY"]), int(env["NEW"])
runs, big_mb, mem_n = env["RUNS"], env["BIG_MB"], env["MEM_MESSAGES"]
rows = [line.split("\t") for line in open(env["RESULTS"]).read().splitlines() if line]
retrs = [line.split("\t") for line in open(env["RETRS"]).read().splitlines() if line]
SECONDS, RSS, USER, SYS = 2, 3, 4, 5


def med(scenario, tool, col=SECONDS):
    values = [float(r[col]) for r in rows if r[0] == scenario and r[1] == tool]
    return statistics.median(values) if values else float("nan")


def verdict(ok):
    return "met" if ok else "NOT met"


def row(label, a, b, ratio="", target=""):
    print(f"| {label} | {a} | {b} | {ratio} | {target} |")


def versus_mpop(scenario, label, col=SECONDS, scale=1.0, fmt=".3f", limit=None):
    a, b = med(scenario, "mailingest", col) * scale, med(scenario, "mpop", col) * scale
    r = a / b if b else float("nan")
    target = f"≤ {limit:.1f}× {verdict(r <= limit)}" if limit else ""
    row(label, f"{a:{fmt}}", f"{b:{fmt}}", f"{r:.1f}×" if b else "n/a", target)


def retr_summary(scenario, tool):
    seen = [r[2] for r in retrs if r[0] == scenario and r[1] == tool]
    return ", ".join(seen) if seen else "none logged"


print(f"Mailboxes: bench {messages} messages ({int(env['MAILBOX_BYTES']) / 1e6:.1f} MB on disk), "
      f"many {many} messages; medians of {runs} rounds\n")
print("| scenario | MailIngest | mpop | ratio MailIngest/mpop | target |")
print("|---|---|---|---|---|")
versus_mpop("full", f"full ingest, {messages} messages (s)", limit=2.0)
events = med("full-events", "mailingest") / med("full", "mailingest") - 1
row("full ingest with an event per message to a webhook (s)", f"{med('full-events', 'mailingest'):.3f}", "", "",
    f"≤ 10 % more than without ({events * 100:+.0f} %) {verdict(events <= 0.10)}")
versus_mpop("poll", "no-new poll (s)", limit=3.0)
versus_mpop("poll-many", f"no-new poll, {many} messages (s)", limit=3.0)
versus_mpop("new-many", f"{new} new among {many} (s)")

# Cost per new message: the run minus the no-new poll of the same mailbox (start-up, login, UIDL,
# ledger), over the new messages; against the full ingest's time per message. "Grows with the new
# messages, not the mailbox" holds when the marginal cost stays within 2× the full ingest's.
per_full = {t: med("full", t) / messages * 1000 for t in ("mailingest", "mpop")}
per_new = {t: (med("new-many", t) - med("poll-many", t)) / new * 1000 for t in ("mailingest", "mpop")}
row(f"per message, full ingest of {messages} (ms)", f"{per_full['mailingest']:.2f}", f"{per_full['mpop']:.2f}",
    f"{per_full['mailingest'] / per_full['mpop']:.1f}×")
grows = per_new["mailingest"] <= 2 * per_full["mailingest"]
row(f"per new message, {new} new among {many}, less the no-new poll (ms)", f"{per_new['mailingest']:.2f}",
    f"{per_new['mpop']:.2f}", f"{per_new['mailingest'] / per_new['mpop']:.1f}×" if per_new["mpop"] > 0 else "n/a",
    f"≤ 2× full ingest's per message (MailIngest: {per_new['mailingest'] / per_full['mailingest']:.1f}×) {verdict(grows)}")

for scenario, label in (("full", "peak RSS, full ingest (MB)"), ("poll", "peak RSS, no-new poll (MB)"),
                        ("poll-many", f"peak RSS, no-new poll of {many} (MB)"),
                        ("new-many", f"peak RSS, {new} new among {many} (MB)"),
                        ("mem-small", f"peak RSS, {mem_n} small messages (MB)"),
                        ("mem-big", f"peak RSS, same + {big_mb} MB attachment (MB)")):
    versus_mpop(scenario, label, col=RSS, scale=1 / 1024, fmt=".1f")
for scenario, label in (("full", "CPU user+sys, full ingest (s)"), ("poll", "CPU user+sys, no-new poll (s)"),
                        ("poll-many", f"CPU user+sys, no-new poll of {many} (s)")):
    a = med(scenario, "mailingest", USER) + med(scenario, "mailingest", SYS)
    b = med(scenario, "mpop", USER) + med(scenario, "mpop", SYS)
    row(label, f"{a:.2f}", f"{b:.2f}", f"{a / b:.1f}×" if b else "n/a (mpop < 0.01 s)")
grow = (med("mem-big", "mailingest", RSS) - med("mem-small", "mailingest", RSS)) / 1024
grow_mpop = (med("mem-big", "mpop", RSS) - med("mem-small", "mpop", RSS)) / 1024
row(f"peak RSS growth from the {big_mb} MB attachment (MB)", f"{grow:.1f}", f"{grow_mpop:.1f}", "",
    f"≤ 64 MB (MailIngest) {verdict(grow <= 64)}")

# Azure: the same objects either way, so throughput ratio = time ratio inverted.
objects, size = int(env["PLAIN_OBJECTS"]), int(env["PLAIN_BYTES"])
plain = {c: med("azure", f"plain-{c}") for c in env["CONCURRENCIES"].split()}
best = min(plain, key=plain.get)
mi_s, plain_s = med("azure", "mailingest"), plain[best]
print(f"\nAzure (Azurite): MailIngest's `once` of bench (POP3, decode, store) vs a plain upload of its "
      f"FileSystem store's {objects} files ({size / 1e6:.1f} MB), a block blob per file; plain upload medians: "
      f"{', '.join(f'{c} in flight {s:.3f} s' for c, s in plain.items())}; the fastest is the reference\n")
print(f"| scenario | MailIngest | plain upload ({best} in flight) | ratio MailIngest/plain | target |")
print("|---|---|---|---|---|")
row("into Azurite (s)", f"{mi_s:.3f}", f"{plain_s:.3f}")
row("throughput (MB/s)", f"{size / 1e6 / mi_s:.1f}", f"{size / 1e6 / plain_s:.1f}", f"{plain_s / mi_s:.2f}×",
    f"≥ 0.8× {verdict(plain_s / mi_s >= 0.8)}")
row("throughput (objects/s)", f"{objects / mi_s:.0f}", f"{objects / plain_s:.0f}", f"{plain_s / mi_s:.2f}×")
versus = "the same" if env["MI_OBJECTS"] == env["PLAIN_OBJECTS"] else "NOT the same"
print(f"\nObjects: MailIngest's container {env['MI_OBJECTS']} ({int(env['MI_BYTES']) / 1e6:.1f} MB), "
      f"the plain upload's {objects} ({size / 1e6:.1f} MB): {versus} count.")

print(f"\nPOP3 RETR per session (Dovecot's log): MailIngest's no-new polls of many: {retr_summary('poll-many', 'mailingest')}; "
      f"of bench: {retr_summary('poll', 'mailingest')}; its {new}-new runs: {retr_summary('new-many', 'mailingest')} "
      f"(mpop: {retr_summary('new-many', 'mpop')}).")
print(f"\nRaw samples: {env['RESULTS']}")
