#!/usr/bin/env bash
# Benchmarks `mailingest once` against mpop (a C POP3 fetcher with pipelining) on the same private
# Dovecot mailbox and prints medians, MailIngest/mpop ratios and peak RSS. See bench/README.md.
#
#   bench/run.sh            full run (~2,100 messages, ~88 MB, 3 rounds; a few minutes)
#   bench/run.sh --quick    smoke run (300 messages, ~12 MB, 1 round, 20 MB attachment)
#
# Environment (defaults in brackets): BENCH_MESSAGES [2100], BENCH_MB [88], BENCH_RUNS [3],
# BENCH_SEED [42], BENCH_BIG_MB [200] (the large attachment of the memory scenario),
# BENCH_MEM_MESSAGES [100] (small messages in the memory scenario), BENCH_MEM_RUNS [= BENCH_RUNS],
# BENCH_SKIP_PUBLISH [0] (1: reuse .work/bench/app).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
WORK=$REPO/.work/bench

if [ "${1:-}" = "--quick" ]; then
    : "${BENCH_MESSAGES:=300}" "${BENCH_MB:=12}" "${BENCH_RUNS:=1}" "${BENCH_BIG_MB:=20}" "${BENCH_MEM_MESSAGES:=30}"
elif [ $# -gt 0 ]; then
    printf 'run.sh: unknown argument %s (only --quick is understood)\n' "$1" >&2
    exit 2
fi
MESSAGES=${BENCH_MESSAGES:-2100}
MB=${BENCH_MB:-88}
RUNS=${BENCH_RUNS:-3}
SEED=${BENCH_SEED:-42}
BIG_MB=${BENCH_BIG_MB:-200}
MEM_MESSAGES=${BENCH_MEM_MESSAGES:-100}
MEM_RUNS=${BENCH_MEM_RUNS:-$RUNS}
PASSWORD=bench

log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

source scripts/lib/packages.sh
command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH"
command -v python3 >/dev/null 2>&1 || die "python3 is needed to generate the mailbox"
install_package dovecot-pop3d /usr/sbin/dovecot
install_package mpop /usr/bin/mpop
install_package time /usr/bin/time

mkdir -p "$WORK"
APP=$WORK/app
if [ "${BENCH_SKIP_PUBLISH:-0}" != 1 ] || [ ! -x "$APP/mailingest" ]; then
    log "dotnet publish src/MailIngest/MailIngest.csproj -c Release -o .work/bench/app"
    DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
        dotnet publish src/MailIngest/MailIngest.csproj -c Release -o "$APP" -v quiet -nologo >"$WORK/publish.log" 2>&1 \
        || { tail -n 30 "$WORK/publish.log" >&2; die "publish failed"; }
fi

# ---------------------------------------------------------------- mailboxes (generated once per parameter set)
MAIL_ROOT=$WORK/mail
mkdir -p "$MAIL_ROOT"
if ! runuser -u nobody -- test -x "$MAIL_ROOT" 2>/dev/null; then
    MAIL_ROOT=/var/tmp/mailingest-bench-mail
    echo "note: user nobody cannot enter $WORK, so the bench Maildirs live in $MAIL_ROOT" >&2
fi
STAMP="messages=$MESSAGES mb=$MB seed=$SEED big=$BIG_MB mem=$MEM_MESSAGES v1"
if [ "$(cat "$MAIL_ROOT/.params" 2>/dev/null || true)" != "$STAMP" ]; then
    log "Generating the mailboxes ($STAMP)"
    rm -rf "${MAIL_ROOT:?}"/*
    python3 bench/genmail.py "$MAIL_ROOT/bench/Maildir" "$MESSAGES" "$MB" "$SEED"
    python3 bench/genmail.py "$MAIL_ROOT/small/Maildir" "$MEM_MESSAGES" $((MEM_MESSAGES / 25 + 1)) $((SEED + 1))
    mkdir -p "$MAIL_ROOT/big/Maildir"
    cp -r "$MAIL_ROOT/small/Maildir/." "$MAIL_ROOT/big/Maildir/"
    python3 bench/genmail.py --big "$MAIL_ROOT/big/Maildir/tmp/big" "$BIG_MB" $((SEED + 2))
    mv "$MAIL_ROOT/big/Maildir/tmp/big" "$MAIL_ROOT/big/Maildir/new/1799999999.M1P1Q1.bench"
    printf '%s\n' "$STAMP" >"$MAIL_ROOT/.params"
fi
chown -R nobody:nogroup "$MAIL_ROOT"/bench "$MAIL_ROOT"/small "$MAIL_ROOT"/big

# ---------------------------------------------------------------- private Dovecot
source scripts/lib/dovecot.sh
trap dovecot_stop EXIT
PORT=$(free_port) || die "no free loopback port found"
log "Starting Dovecot on 127.0.0.1:$PORT"
: >"$WORK/dovecot.log"
dovecot_start mailingest-bench "$WORK" "$MAIL_ROOT" "$PORT" "$(for user in bench small big; do printf '%s:{PLAIN}%s\n' "$user" "$PASSWORD"; done)" \
    || die "Dovecot did not start"

# ---------------------------------------------------------------- the two clients
MI_CONF=$WORK/mailingest.json
{
    printf '{ "Logging": { "LogLevel": { "Default": "Information" } },\n  "MailIngest": {\n'
    printf '    "TempPath": "%s",\n' "$WORK/mi-tmp"
    printf '    "Storage": { "Provider": "FileSystem", "Path": "%s" },\n    "Mailboxes": {\n' "$WORK/mi-data"
    sep=
    for user in bench small big; do
        printf '%s      "%s": { "Host": "127.0.0.1", "Port": %s, "Security": "None", "Username": "%s", "Password": "%s", "DeleteAfterIngest": false, "MaxMessagesPerRun": 0 }' \
            "$sep" "$user" "$PORT" "$user" "$PASSWORD"
        sep=$',\n'
    done
    printf '\n    } } }\n'
} >"$MI_CONF"
mkdir -p "$WORK/mi-tmp"

# Every measured command: wall time from fork to exit (date +%s%N around it) and peak RSS from
# /usr/bin/time -v. Appends "SCENARIO TOOL SECONDS RSS_KB USER_S SYS_S" to $RESULTS.
RESULTS=$WORK/results.tsv
: >"$RESULTS"
measure() {
    local scenario=$1 tool=$2 start end rc=0 rss cpu
    shift 2
    start=$(date +%s%N)
    /usr/bin/time -v -o "$WORK/time.txt" "$@" >>"$WORK/$tool.out" 2>>"$WORK/$tool.err" || rc=$?
    end=$(date +%s%N)
    if [ "$rc" -ne 0 ]; then
        tail -n 20 "$WORK/$tool.err" >&2
        die "$tool ($scenario) exited with $rc; see .work/bench/$tool.err"
    fi
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
    cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%s\t%s", u, s}' "$WORK/time.txt")
    printf '%s\t%s\t%s\t%s\t%s\n' "$scenario" "$tool" "$(awk -v s="$start" -v e="$end" 'BEGIN{printf "%.4f", (e-s)/1e9}')" "$rss" "$cpu" >>"$RESULTS"
    printf '  %-10s %-10s %8.3f s  %8s KB\n' "$scenario" "$tool" "$(awk -v s="$start" -v e="$end" 'BEGIN{print (e-s)/1e9}')" "$rss" >&2
}

# Plain commands (not shell functions), so /usr/bin/time runs the tool itself. The configuration
# holds absolute paths; the working folder is .work/bench.
cd "$WORK"
MI=("$APP/mailingest" once --config "$MI_CONF" --log-format json --mailbox)
MPOP=(mpop --host=127.0.0.1 --port="$PORT" --auth=user --tls=off --passwordeval="printf $PASSWORD"
      --pipelining=on --keep=on --only-new=on --received-header=off -q
      --uidls-file="$WORK/mpop.uidls" --delivery=maildir,"$WORK/mpop-out" --user)
reset_mailingest() { rm -rf "$WORK/mi-data" "$WORK/mi-tmp"; mkdir -p "$WORK/mi-tmp"; }
reset_mpop() {
    rm -rf "$WORK/mpop-out" "$WORK/mpop.uidls"
    mkdir -p "$WORK/mpop-out/new" "$WORK/mpop-out/cur" "$WORK/mpop-out/tmp"
}
count_stored() { find "$WORK/mi-data/messages/$1" -name manifest.json 2>/dev/null | wc -l; }

# Dovecot builds its index and caches the message sizes on the first session; the page cache fills
# on the first read. One untimed round of each tool first, so neither pays that alone.
log "Warm-up (untimed)"
reset_mailingest
"${MI[@]}" bench >/dev/null 2>>"$WORK/mailingest.err"
reset_mpop
"${MPOP[@]}" bench >/dev/null 2>>"$WORK/mpop.err"
for user in small big; do "${MI[@]}" "$user" >/dev/null 2>>"$WORK/mailingest.err"; done
[ "$(count_stored bench)" -eq "$MESSAGES" ] || die "warm-up: MailIngest stored $(count_stored bench) of $MESSAGES messages"
delivered=$(find "$WORK/mpop-out/new" "$WORK/mpop-out/cur" -type f | wc -l)
[ "$delivered" -eq "$MESSAGES" ] || die "warm-up: mpop delivered $delivered of $MESSAGES messages"

log "Full ingest and no-new poll of $MESSAGES messages, $RUNS rounds (MailIngest and mpop alternately)"
for round in $(seq "$RUNS"); do
    # Alternate which tool goes first, so neither always runs on a cache the other just warmed.
    if [ $((round % 2)) -eq 1 ]; then order="mailingest mpop"; else order="mpop mailingest"; fi
    for tool in $order; do
        if [ "$tool" = mailingest ]; then
            reset_mailingest
            sync
            measure full mailingest "${MI[@]}" bench
            [ "$(count_stored bench)" -eq "$MESSAGES" ] || die "MailIngest stored $(count_stored bench) of $MESSAGES"
            measure poll mailingest "${MI[@]}" bench
        else
            reset_mpop
            sync
            measure full mpop "${MPOP[@]}" bench
            measure poll mpop "${MPOP[@]}" bench
        fi
    done
done

log "Memory: $MEM_MESSAGES small messages, without and with one ${BIG_MB} MB attachment, $MEM_RUNS rounds"
for round in $(seq "$MEM_RUNS"); do
    for user in small big; do
        reset_mailingest
        sync
        measure "mem-$user" mailingest "${MI[@]}" "$user"
        reset_mpop
        measure "mem-$user" mpop "${MPOP[@]}" "$user"
    done
done
reset_mailingest
reset_mpop

# ---------------------------------------------------------------- report
log "Results"
python3 - "$RESULTS" "$MESSAGES" "$(du -sb "$MAIL_ROOT/bench/Maildir" | cut -f1)" "$RUNS" "$BIG_MB" "$MEM_MESSAGES" <<'PY'
import statistics, sys
path, messages, size, runs, big_mb, mem_n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
rows = [l.split("\t") for l in open(path).read().splitlines() if l]
def med(scenario, tool, col):
    v = [float(r[col]) for r in rows if r[0] == scenario and r[1] == tool]
    return statistics.median(v) if v else float("nan")
print(f"Mailbox: {messages} messages, {size / 1e6:.1f} MB on disk; medians of {runs} rounds\n")
print("| scenario | MailIngest | mpop | ratio MailIngest/mpop | target |")
print("|---|---|---|---|---|")
targets = {"full": 2.0, "poll": 3.0}
for sc, label in (("full", f"full ingest, {messages} messages (s)"), ("poll", "no-new poll (s)")):
    a, b = med(sc, "mailingest", 2), med(sc, "mpop", 2)
    r = a / b
    print(f"| {label} | {a:.3f} | {b:.3f} | {r:.1f}× | ≤ {targets[sc]:.1f}× {'met' if r <= targets[sc] else 'NOT met'} |")
for sc, label in (("full", "peak RSS, full ingest (MB)"), ("poll", "peak RSS, no-new poll (MB)"),
                  ("mem-small", f"peak RSS, {mem_n} small messages (MB)"),
                  ("mem-big", f"peak RSS, same + {big_mb} MB attachment (MB)")):
    a, b = med(sc, "mailingest", 3) / 1024, med(sc, "mpop", 3) / 1024
    print(f"| {label} | {a:.1f} | {b:.1f} | {a / b:.1f}× | |")
for sc, label in (("full", "CPU user+sys, full ingest (s)"), ("poll", "CPU user+sys, no-new poll (s)")):
    a = med(sc, "mailingest", 4) + med(sc, "mailingest", 5)
    b = med(sc, "mpop", 4) + med(sc, "mpop", 5)
    print(f"| {label} | {a:.2f} | {b:.2f} | {f'{a / b:.1f}×' if b else 'n/a (mpop < 0.01 s)'} | |")
grow = (med("mem-big", "mailingest", 3) - med("mem-small", "mailingest", 3)) / 1024
grow_mpop = (med("mem-big", "mpop", 3) - med("mem-small", "mpop", 3)) / 1024
print(f"| peak RSS growth from the {big_mb} MB attachment (MB) | {grow:.1f} | {grow_mpop:.1f} | | ≤ 64 MB (MailIngest) {'met' if grow <= 64 else 'NOT met'} |")
print(f"\nRaw samples: {path}")
PY
