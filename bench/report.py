#!/usr/bin/env python3
"""Prints bench/run.sh's tables: medians of the samples in $RESULTS, ratios and the targets of issues 12, 14, 15 and 17.

$RESULTS holds "SCENARIO TOOL SECONDS RSS_KB USER_S SYS_S EXIT_CODE" lines, $RETRS "SCENARIO TOOL retr=N/BYTES"
(each POP3 session as Dovecot logged it; "body=N/BYTES" for an IMAP session), $RUN_LOG and $RUN_METRICS the JSON
log and the exported run durations of `mailingest run` over POP3 ($RUN_IMAP_LOG and $RUN_IMAP_METRICS over IMAP),
$HUGE_TSV the checks of the 1 GB message, $LEDGER_TSV (MODE=ledger) the ledger's bytes; the rest comes from run.sh's
environment. MODE=imap prints the IMAP table alone.
"""
import functools
import json
import os
import statistics

env = os.environ
rows = [line.split("\t") for line in open(env["RESULTS"]).read().splitlines() if line]
SECONDS, RSS, USER, SYS, EXIT = 2, 3, 4, 5, 6
TARGETS = []  # (target, met) for the summary at the end


def med(scenario, tool, col=SECONDS):
    values = [float(r[col]) for r in rows if r[0] == scenario and r[1] == tool]
    return statistics.median(values) if values else float("nan")


def verdict(ok):
    return "met" if ok else "NOT met"


def target(name, ok, text):
    TARGETS.append((name, ok))
    return f"{text} {verdict(ok)}"


def row(label, a, b, ratio="", goal=""):
    print(f"| {label} | {a} | {b} | {ratio} | {goal} |")


def mb(kb):
    return kb / 1024


def versus_peer(peer, scenario, label, col=SECONDS, scale=1.0, fmt=".3f", limit=None, name=None):
    """A row MailIngest vs PEER (mpop, mbsync) of one scenario's medians; with LIMIT, the target ratio."""
    a, b = med(scenario, "mailingest", col) * scale, med(scenario, peer, col) * scale
    r = a / b if b else float("nan")
    goal = target(f"{name} ≤ {limit:.1f}× {peer} ({r:.2f}×)", r <= limit, f"≤ {limit:.1f}×") if limit else ""
    row(label, f"{a:{fmt}}", f"{b:{fmt}}", f"{r:.2f}×" if b else "n/a", goal)


def cpu_row(peer, scenario, label):
    a = med(scenario, "mailingest", USER) + med(scenario, "mailingest", SYS)
    b = med(scenario, peer, USER) + med(scenario, peer, SYS)
    row(label, f"{a:.2f}", f"{b:.2f}", f"{a / b:.1f}×" if b else f"n/a ({peer} < 0.01 s)")


def logged(scenario, tool):
    """What Dovecot logged of each session of TOOL in SCENARIO: POP3 retr=N/BYTES, IMAP body=N/BYTES."""
    seen = [r[2] for r in (line.split("\t") for line in open(env["RETRS"]).read().splitlines() if line)
            if r[0] == scenario and r[1] == tool]
    return ", ".join(seen) if seen else "none logged"


def ledger_report():
    ledger = [[int(v) for v in line.split("\t")] for line in open(env["LEDGER_TSV"]).read().splitlines() if line]
    print("Ledger: a first import of N small messages into an empty FileSystem store (one `mailingest once`); bytes "
          "written to state/ as counted by bench/writecount.c (every write into a file under state/: snapshots and "
          "their temporary files, journal appends, the lock holder), against the ledger left at the end\n")
    print("| messages | written to state/ (MB) | per message (B) | ledger at the end (KB) | per message (B) "
          "| written / ledger | compactions | writes | import (s) | peak RSS (MB) |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    per = {}
    for count, written, calls, snapshot, journal, generation in ledger:
        final = snapshot + journal
        per[count] = written / count
        print(f"| {count} | {written / 1e6:.2f} | {written / count:.0f} | {final / 1e3:.0f} | {final / count:.0f} "
              f"| {written / final:.2f} | {generation} | {calls} | {med(f'ledger-{count}', 'mailingest'):.1f} "
              f"| {mb(med(f'ledger-{count}', 'mailingest', RSS)):.1f} |")
    small, large = min(per), max(per)
    growth = per[large] / per[small]
    print(f"\nBytes written per message: {per[small]:.0f} at {small} messages, {per[large]:.0f} at {large} "
          f"({growth:.2f}×, for {large / small:.0f}× the messages). A total that grew with the square of the messages "
          f"would write {large / small:.0f}× as much per message.")
    count, written, _, snapshot, journal, _ = next(r for r in ledger if r[0] == large)
    entry = (snapshot + journal) / count
    rewrites = entry * 25 * (count / 25) * (count / 25 + 1) / 2
    print(f"For scale: a ledger of ~{entry:.0f} bytes per message rewritten whole at every flush of 25 messages (the "
          f"ledger before issue 12) would have written about {rewrites / 1e9:.1f} GB for {count} messages; this one "
          f"wrote {written / 1e6:.1f} MB.")
    ok = growth < 2.0
    TARGETS.append(("ledger bytes linear in the messages (issue 12)", ok))
    print(f"\n**Target** (issue 12, item 12): total ledger bytes written grow linearly with the messages (bytes per "
          f"message at {large} within 2× of those at {small}): **{verdict(ok)}** ({growth:.2f}×).")


def ticks(log, metrics):
    """mailingest.run.duration of each no-new poll tick of `many` in `mailingest run`, from its OTLP exports in METRICS;
    the first tick is dropped. Also notes on anything that makes a tick not count (its summary in the JSON LOG)."""
    notes = []
    for text in open(log):
        if text.startswith("{"):
            line = json.loads(text)
            summary = (line.get("State") or {}).get("Summary", "")
            if line.get("EventId") == 504 and summary.startswith("many:") and (": ok," not in summary or " new 0," not in summary):
                notes.append(f"a tick was not a clean no-new poll: {summary}")
    exports = sorted(tuple(line.split("\t")) for line in open(metrics).read().splitlines() if line)
    durations, last = [], (0, 0.0)
    for _, mailbox, status, temporality, count, total in exports:
        if mailbox != "many" or status != "succeeded":
            notes.append(f"a run of {mailbox} ended {status}")
            continue
        count, total = int(count), float(total)
        # Cumulative (2): the change since the last export is the runs in between; delta (1): the value itself.
        runs, seconds = (count - last[0], total - last[1]) if temporality == "2" else (count, total)
        if temporality == "2":
            last = (count, total)
        if runs == 1:
            durations.append(seconds)
        elif runs > 1:
            notes.append(f"{runs} ticks fell into one export ({seconds:.3f} s together); not counted")
    return durations[1:], notes


def tick_rows(peer, poll, durations, protocol=None):
    """The rows of the `run` tick (median of DURATIONS) against PEER's whole no-new poll of many (scenario POLL), with
    its target, and of `once`'s start-up and shutdown beside it (its no-new poll less the tick)."""
    many = env["MANY"]
    tick = statistics.median(durations) if durations else float("nan")
    whole = med(poll, peer)
    over, prefix = (f" ({protocol})", f"{protocol} ") if protocol else ("", "")
    row(f"`mailingest run`{over}: no-new poll tick of {many}, its run duration, vs {peer}'s whole poll (s)",
        f"{tick:.3f}", f"{whole:.3f}", f"{tick / whole:.2f}×",
        target(f"{prefix}`run` tick of {many} ≤ 1.5× {peer}'s poll ({tick / whole:.2f}×)", tick <= 1.5 * whole, "≤ 1.5×"))
    row(f"`mailingest once`{over}: start-up and shutdown (its no-new poll of {many} less the tick) (s)",
        f"{med(poll, 'mailingest') - tick:.3f}", "", "", "reported, not a target")


def run_rss_row(hwm_kb):
    row(f"peak RSS, `mailingest run` after {env['TICKS']} ticks (MB)", f"{mb(hwm_kb):.1f}", "", "", "")


def tick_notes(peer, durations, notes):
    for note in notes:
        print(f"\nNote: {note}")
    print(f"\nThe tick is the run's own `mailingest.run.duration` (the runner's clock, from taking the lock to the end "
          f"of the run), as `mailingest run` exported it over OTLP; median of {len(durations)} ticks after the first "
          f"({', '.join(f'{d:.3f}' for d in durations)} s). {peer}'s whole poll is its process from start to exit.")


def main_report():
    messages, many, new = int(env["MESSAGES"]), int(env["MANY"]), int(env["NEW"])
    runs, big_mb, mem_n = env["RUNS"], env["BIG_MB"], env["MEM_MESSAGES"]
    versus_mpop = functools.partial(versus_peer, "mpop")
    retr_summary = logged

    print(f"Mailboxes: bench {messages} messages ({int(env['MAILBOX_BYTES']) / 1e6:.1f} MB on disk), "
          f"many {many} messages; medians of {runs} rounds\n")
    print("| scenario | MailIngest | mpop | ratio MailIngest/mpop | target |")
    print("|---|---|---|---|---|")
    versus_mpop("full", f"full ingest, {messages} messages (s)", limit=1.5, name=f"full ingest of {messages}")
    versus_mpop("poll", f"no-new poll, {messages} messages (s)")
    versus_mpop("poll-many", f"no-new poll, {many} messages (s)", limit=2.0, name=f"no-new poll of {many}")

    durations, notes = ticks(env["RUN_LOG"], env["RUN_METRICS"])
    tick_rows("mpop", "poll-many", durations)
    versus_mpop("new-many", f"{new} new among {many} (s)")

    # Cost per new message: the run minus the no-new poll of the same mailbox (start-up, login, UIDL, ledger), over
    # the new messages; against the full ingest's time per message.
    per_full = {t: med("full", t) / messages * 1000 for t in ("mailingest", "mpop")}
    per_new = {t: (med("new-many", t) - med("poll-many", t)) / new * 1000 for t in ("mailingest", "mpop")}
    row(f"per message, full ingest of {messages} (ms)", f"{per_full['mailingest']:.2f}", f"{per_full['mpop']:.2f}",
        f"{per_full['mailingest'] / per_full['mpop']:.2f}×")
    row(f"per new message, {new} new among {many}, less the no-new poll (ms)", f"{per_new['mailingest']:.2f}",
        f"{per_new['mpop']:.2f}", f"{per_new['mailingest'] / per_new['mpop']:.2f}×" if per_new["mpop"] > 0 else "n/a",
        f"MailIngest: {per_new['mailingest'] / per_full['mailingest']:.1f}× its full ingest's per message")

    for scenario, label in (("full", "peak RSS, full ingest (MB)"), ("poll", "peak RSS, no-new poll (MB)"),
                            ("poll-many", f"peak RSS, no-new poll of {many} (MB)"),
                            ("new-many", f"peak RSS, {new} new among {many} (MB)"),
                            ("mem-small", f"peak RSS, {mem_n} small messages (MB)"),
                            ("mem-big", f"peak RSS, same + {big_mb} MB attachment (MB)")):
        versus_mpop(scenario, label, col=RSS, scale=1 / 1024, fmt=".1f")
    run_hwm = int(env.get("RUN_HWM_KB") or 0)
    run_rss_row(run_hwm)
    row("peak RSS, `mailingest once` of bench, many, small and big at once (MB)", f"{mb(med('four', 'mailingest', RSS)):.1f}",
        "", "", "")
    for scenario, label in (("full", "CPU user+sys, full ingest (s)"), ("poll", "CPU user+sys, no-new poll (s)"),
                            ("poll-many", f"CPU user+sys, no-new poll of {many} (s)")):
        cpu_row("mpop", scenario, label)
    grow = mb(med("mem-big", "mailingest", RSS) - med("mem-small", "mailingest", RSS))
    grow_mpop = mb(med("mem-big", "mpop", RSS) - med("mem-small", "mpop", RSS))
    row(f"peak RSS growth from the {big_mb} MB attachment (MB)", f"{grow:.1f}", f"{grow_mpop:.1f}", "",
        target(f"one {big_mb} MB attachment ≤ +64 MB peak RSS (+{grow:.1f} MB)", grow <= 64, "≤ 64 MB (MailIngest)"))
    tick_notes("mpop", durations, notes)

    huge_report()

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
        target(f"into Azurite ≥ 0.9× a plain upload ({plain_s / mi_s:.2f}×)", plain_s / mi_s >= 0.9, "≥ 0.9×"))
    row("throughput (objects/s)", f"{objects / mi_s:.0f}", f"{objects / plain_s:.0f}", f"{plain_s / mi_s:.2f}×")
    versus = "the same" if env["MI_OBJECTS"] == env["PLAIN_OBJECTS"] else "NOT the same"
    print(f"\nObjects: MailIngest's container {env['MI_OBJECTS']} ({int(env['MI_BYTES']) / 1e6:.1f} MB), "
          f"the plain upload's {objects} ({size / 1e6:.1f} MB): {versus} count.")

    # Events (issue 15): the same full ingest with an event per message to a webhook, in the same rounds.
    plain, with_events = med("full", "mailingest"), med("full-events", "mailingest")
    cost = with_events / plain - 1
    print(f"\nEvents: MailIngest's full ingest of {messages} messages without events and with an event per message "
          f"to a webhook (demo/webhook.py, signatures checked), alternately in each round; medians\n")
    print("| scenario | without events | with events | cost | target |")
    print("|---|---|---|---|---|")
    row(f"full ingest, {messages} messages (s)", f"{plain:.3f}", f"{with_events:.3f}", f"{cost * 100:+.1f} %",
        target(f"events cost ≤ 10 % of a full ingest ({cost * 100:+.1f} %)", cost <= 0.10, "≤ +10 %"))
    row("CPU user+sys (s)", f"{med('full', 'mailingest', USER) + med('full', 'mailingest', SYS):.2f}",
        f"{med('full-events', 'mailingest', USER) + med('full-events', 'mailingest', SYS):.2f}")
    row("peak RSS (MB)", f"{mb(med('full', 'mailingest', RSS)):.1f}", f"{mb(med('full-events', 'mailingest', RSS)):.1f}")

    imap_report()

    print(f"\nPOP3 RETR per session (Dovecot's log): MailIngest's no-new polls of many: {retr_summary('poll-many', 'mailingest')}; "
          f"its ticks in `run`: {retr_summary('tick-many', 'mailingest')}; of bench: {retr_summary('poll', 'mailingest')}; "
          f"its {new}-new runs: {retr_summary('new-many', 'mailingest')} (mpop: {retr_summary('new-many', 'mpop')}).")

    print()
    ledger_report()

    mine = [r for r in rows if r[1] == "mailingest" and not r[0].startswith("ledger-")]
    peak = max(mine, key=lambda r: int(r[RSS]))
    counts = sorted(int(r[0].split("-")[1]) for r in rows if r[0].startswith("ledger-"))
    low, high = (med(f"ledger-{c}", "mailingest", RSS) for c in (counts[0], counts[-1]))
    print(f"\nLargest peak RSS of a MailIngest process: {mb(int(peak[RSS])):.1f} MB ({peak[0]}); of `mailingest run`: "
          f"{mb(run_hwm):.1f} MB; of the first import of {counts[-1]} messages: {mb(high):.1f} MB (about "
          f"{(high - low) / (counts[-1] - counts[0]):.2f} KB more per message on the server: the ledger's entries "
          f"and the listing). The chart's memory request and limit are sized from these (charts/mailingest/README.md).")
    print("\n**Targets** (issues 14, 15, 12 and 17): " + "; ".join(f"{name}: **{verdict(ok)}**" for name, ok in TARGETS) + ".")
    print(f"\nRaw samples: {env['RESULTS']}")


def huge_report():
    size, sha, attachment = int(env["HUGE_BYTES"]), env["HUGE_SHA256"], int(env["HUGE_ATTACHMENT_BYTES"])
    print(f"\nOne {size / 1048576:.0f} MiB message ({size} bytes; a {attachment / 1e6:.0f} MB attachment as base64), "
          f"MailIngest with the GC heap capped at {int(env['HEAP_LIMIT'], 16) / 1048576:.0f} MiB "
          f"(DOTNET_GCHeapHardLimit={env['HEAP_LIMIT']}); one run each\n")
    print("| store | exit code | raw stored whole | attachment decoded | peak RSS (MB) | time (s) | spool peak (MB) | target |")
    print("|---|---|---|---|---|---|---|---|")
    labels = {"huge-fs": "FileSystem", "huge-azure": "AzureBlob (Azurite)"}
    for line in open(env["HUGE_TSV"]).read().splitlines():
        scenario, rc, raw_size, raw_sha, largest, raw_object, spool = line.split("\t")
        whole = raw_size == str(size) and raw_sha == sha and raw_object == str(size)
        decoded = largest == str(attachment)
        ok = rc == "0" and whole and decoded
        print(f"| {labels[scenario]} | {rc} | {'yes' if whole else f'NO (manifest {raw_size}, object {raw_object})'} "
              f"| {'yes' if decoded else f'NO ({largest})'} | {mb(med(scenario, 'mailingest', RSS)):.1f} "
              f"| {med(scenario, 'mailingest'):.1f} | {int(spool) / 1048576:.0f} "
              f"| {target(f'{size / 1048576:.0f} MiB message under the capped heap, {labels[scenario]}', ok, 'exits 0, stored whole')} |")
    print(f"| mpop (Maildir), for reference | 0 | | | {mb(med('huge-fs', 'mpop', RSS)):.1f} | {med('huge-fs', 'mpop'):.1f} | | |")
    print("\n\"Stored whole\": the manifest's raw size and SHA-256 equal the Maildir file's, and so does the stored "
          "raw object's size; \"decoded\": the largest attachment has the generated size. The spool's peak is sampled "
          "every 0.2 s (a lower bound).")


def imap_report():
    """MailIngest over IMAP (Protocol Imap) vs mbsync on the same mailboxes, issue 17's targets."""
    messages, many, new = int(env["MESSAGES"]), int(env["MANY"]), int(env["NEW"])
    big_mb, mem_n = env["BIG_MB"], env["MEM_MESSAGES"]
    versus = functools.partial(versus_peer, "mbsync")
    print(f"\nIMAP (Dovecot's IMAP on the same Maildirs): MailIngest (`Protocol: Imap`, INBOX) vs "
          f"{env.get('MBSYNC_VERSION', 'mbsync')} (Sync Pull into a Maildir, FSync on); medians of {env['RUNS']} rounds\n")
    print("| scenario | MailIngest | mbsync | ratio MailIngest/mbsync | target |")
    print("|---|---|---|---|---|")
    versus("imap-full", f"full ingest, {messages} messages (s)", limit=1.5, name=f"IMAP full ingest of {messages}")
    versus("imap-poll", f"no-new poll, {messages} messages (s)")
    versus("imap-poll-many", f"no-new poll, {many} messages (s)", limit=2.0, name=f"IMAP no-new poll of {many}")
    durations, notes = ticks(env["RUN_IMAP_LOG"], env["RUN_IMAP_METRICS"])
    tick_rows("mbsync", "imap-poll-many", durations, "IMAP")
    versus("imap-new-many", f"{new} new among {many} (s)")
    per_full = {t: med("imap-full", t) / messages * 1000 for t in ("mailingest", "mbsync")}
    per_new = {t: (med("imap-new-many", t) - med("imap-poll-many", t)) / new * 1000 for t in ("mailingest", "mbsync")}
    row(f"per message, full ingest of {messages} (ms)", f"{per_full['mailingest']:.2f}", f"{per_full['mbsync']:.2f}",
        f"{per_full['mailingest'] / per_full['mbsync']:.2f}×")
    row(f"per new message, {new} new among {many}, less the no-new poll (ms)", f"{per_new['mailingest']:.2f}",
        f"{per_new['mbsync']:.2f}", f"{per_new['mailingest'] / per_new['mbsync']:.2f}×" if per_new["mbsync"] > 0 else "n/a",
        f"MailIngest: {per_new['mailingest'] / per_full['mailingest']:.1f}× its full ingest's per message")
    for scenario, label in (("imap-full", "peak RSS, full ingest (MB)"),
                            ("imap-poll-many", f"peak RSS, no-new poll of {many} (MB)"),
                            ("imap-new-many", f"peak RSS, {new} new among {many} (MB)"),
                            ("imap-mem-small", f"peak RSS, {mem_n} small messages (MB)"),
                            ("imap-mem-big", f"peak RSS, same + {big_mb} MB attachment (MB)")):
        versus(scenario, label, col=RSS, scale=1 / 1024, fmt=".1f")
    run_rss_row(int(env.get("RUN_IMAP_HWM_KB") or 0))
    cpu_row("mbsync", "imap-full", "CPU user+sys, full ingest (s)")
    cpu_row("mbsync", "imap-poll-many", f"CPU user+sys, no-new poll of {many} (s)")
    grow = mb(med("imap-mem-big", "mailingest", RSS) - med("imap-mem-small", "mailingest", RSS))
    grow_peer = mb(med("imap-mem-big", "mbsync", RSS) - med("imap-mem-small", "mbsync", RSS))
    row(f"peak RSS growth from the {big_mb} MB attachment (MB)", f"{grow:.1f}", f"{grow_peer:.1f}", "",
        target(f"IMAP: one {big_mb} MB attachment ≤ +64 MB peak RSS (+{grow:.1f} MB)", grow <= 64, "≤ 64 MB (MailIngest)"))
    tick_notes("mbsync", durations, notes)
    print(f"\nIMAP BODY[] per session (Dovecot's log): MailIngest's no-new polls of bench: {logged('imap-poll', 'mailingest')}; "
          f"of many: {logged('imap-poll-many', 'mailingest')}; its ticks in `run`: {logged('imap-tick-many', 'mailingest')}; "
          f"its full ingests: {logged('imap-full', 'mailingest')}; its "
          f"{new}-new runs: {logged('imap-new-many', 'mailingest')} (mbsync: {logged('imap-new-many', 'mbsync')}).")


if env.get("MODE") == "ledger":
    ledger_report()
elif env.get("MODE") == "imap":
    imap_report()
    print("\n**Targets** (issue 17): " + "; ".join(f"{name}: **{verdict(ok)}**" for name, ok in TARGETS) + ".")
    print(f"\nRaw samples: {env['RESULTS']}")
else:
    main_report()
