#!/usr/bin/env bash
# Benchmarks `mailingest once` and `mailingest run` against mpop (a C POP3 fetcher with pipelining) on
# the same private Dovecot mailboxes, the full ingest with an event per message to a webhook against
# the same without, MailIngest's AzureBlob store against a plain parallel upload into Azurite, a 1 GB
# message under a capped GC heap on both stores, the same mailboxes over IMAP against mbsync (isync),
# and the bytes the ledger writes over a first import of 100,000 messages; prints medians, ratios,
# peak RSS and the targets of issues 12, 14, 15 and 17. See bench/README.md.
#
#   bench/run.sh                     full run (about 20 minutes after the publish, +3 to generate the
#                                    mailboxes the first time)
#   bench/run.sh --quick             smoke run (small mailboxes, 1 round; a few minutes after publish)
#   bench/run.sh --ledger            only the ledger scenario: first imports of 25,000, 50,000 and
#                                    100,000 small messages (about 5 minutes, +1 to generate)
#   bench/run.sh --ledger --quick    the same with 2,500, 5,000 and 10,000
#   bench/run.sh --imap              only the IMAP scenarios, MailIngest vs mbsync (about 5 minutes after
#                                    the publish); with --quick on the smoke run's mailboxes
#
# Environment (defaults in brackets): BENCH_MESSAGES [2100], BENCH_MB [88], BENCH_RUNS [3],
# BENCH_SEED [42], BENCH_BIG_MB [200] (the large attachment of the memory scenario),
# BENCH_MEM_MESSAGES [100] (small messages in the memory scenario), BENCH_MEM_RUNS [= BENCH_RUNS],
# BENCH_MANY_MESSAGES [20000] and BENCH_MANY_MB [100] (the `many` mailbox), BENCH_NEW [100] (new
# messages per round among them), BENCH_TICKS [10] and BENCH_TICK_SECONDS [2] (no-new poll ticks of
# `mailingest run`, the first not counted), BENCH_HUGE_MIB [1024] (the message under a capped heap),
# BENCH_HEAP_LIMIT [0x8000000] (its DOTNET_GCHeapHardLimit), BENCH_UPLOAD_CONCURRENCY ["8 16 32"]
# (the plain upload's parallelism; the best median counts), BENCH_LEDGER_COUNTS ["25000 50000
# 100000"], BENCH_SKIP_PUBLISH [0] (1: reuse .work/bench/app). README.md has the table.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
WORK=$REPO/.work/bench

QUICK=0
MODE=main
for arg in "$@"; do
    case $arg in
        --quick) QUICK=1 ;;
        --ledger) MODE=ledger ;;
        --imap) MODE=imap ;;
        *) printf 'run.sh: unknown argument %s (only --quick, --ledger and --imap are understood)\n' "$arg" >&2; exit 2 ;;
    esac
done
if [ "$QUICK" = 1 ]; then
    : "${BENCH_MESSAGES:=300}" "${BENCH_MB:=12}" "${BENCH_RUNS:=1}" "${BENCH_BIG_MB:=20}" "${BENCH_MEM_MESSAGES:=30}"
    : "${BENCH_MANY_MESSAGES:=2000}" "${BENCH_MANY_MB:=10}" "${BENCH_NEW:=20}" "${BENCH_TICKS:=4}" "${BENCH_HUGE_MIB:=150}"
    : "${BENCH_LEDGER_COUNTS:=2500 5000 10000}"
fi
MESSAGES=${BENCH_MESSAGES:-2100}
MB=${BENCH_MB:-88}
RUNS=${BENCH_RUNS:-3}
SEED=${BENCH_SEED:-42}
BIG_MB=${BENCH_BIG_MB:-200}
MEM_MESSAGES=${BENCH_MEM_MESSAGES:-100}
MEM_RUNS=${BENCH_MEM_RUNS:-$RUNS}
MANY=${BENCH_MANY_MESSAGES:-20000}
MANY_MB=${BENCH_MANY_MB:-100}
NEW=${BENCH_NEW:-100}
TICKS=${BENCH_TICKS:-10}
TICK_SECONDS=${BENCH_TICK_SECONDS:-2}
HUGE_MIB=${BENCH_HUGE_MIB:-1024}
# The attachment that makes the message HUGE_MIB MiB: base64 turns 57 bytes into a 76-character line and its CRLF.
HUGE_ATTACH_MB=$(( HUGE_MIB * 1048576 * 57 / 78 / 1000000 ))
HEAP_LIMIT=${BENCH_HEAP_LIMIT:-0x8000000}
LEDGER_COUNTS=${BENCH_LEDGER_COUNTS:-25000 50000 100000}
# The new messages are sized like the main mailbox's, so their cost per message compares with its.
NEW_MB=$(( (MB * NEW + MESSAGES / 2) / MESSAGES )); [ "$NEW_MB" -ge 1 ] || NEW_MB=1
CONCURRENCIES=${BENCH_UPLOAD_CONCURRENCY:-8 16 32}
PASSWORD=bench
AZURITE_VERSION=3.35.0        # as scripts/test.sh
STORAGE_BLOB_VERSION=12.32.0  # the last @azure/storage-blob that runs on Debian 12's Node 20

log() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }

source scripts/lib/packages.sh
command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH"
command -v python3 >/dev/null 2>&1 || die "python3 is needed to generate the mailbox"
install_package dovecot-pop3d /usr/sbin/dovecot
install_package time /usr/bin/time
install_native_toolchain
if [ "$MODE" = main ]; then
    install_package mpop /usr/bin/mpop
    install_package npm /usr/bin/npm
fi
if [ "$MODE" != ledger ]; then
    install_package dovecot-imapd /usr/lib/dovecot/imap
    install_package isync /usr/bin/mbsync
fi

# npm_tool PREFIX PACKAGE VERSION: npm install PACKAGE@VERSION into PREFIX unless that version is there.
npm_tool() {
    local prefix=$1 package=$2 version=$3
    if grep -q "\"version\": \"$version\"" "$prefix/node_modules/$package/package.json" 2>/dev/null; then
        return
    fi
    log "Installing $package $version into ${prefix#"$REPO"/}"
    mkdir -p "$prefix"
    npm install --prefix "$prefix" --no-audit --no-fund --loglevel=error "$package@$version" >/dev/null \
        || die "npm install $package@$version failed"
}
mkdir -p "$WORK"
if [ "$MODE" = main ]; then
    npm_tool "$REPO/.work/tools" azurite "$AZURITE_VERSION"   # shared with scripts/test.sh
    npm_tool "$WORK/node" @azure/storage-blob "$STORAGE_BLOB_VERSION"
fi

# Its own bin/obj (--artifacts-path): a publish that shared obj/ with a concurrent RID-less build or
# test run of the working tree has produced an app that aborted at start.
APP=$WORK/app
if [ "${BENCH_SKIP_PUBLISH:-0}" != 1 ] || [ ! -x "$APP/mailingest" ]; then
    log "dotnet publish src/MailIngest/MailIngest.csproj -c Release -o .work/bench/app --artifacts-path .work/bench/artifacts"
    rm -rf "$APP"  # what an earlier kind of publish left there
    DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 \
        dotnet publish src/MailIngest/MailIngest.csproj -c Release -o "$APP" --artifacts-path "$WORK/artifacts" -v quiet -nologo \
        >"$WORK/publish.log" 2>&1 || { tail -n 30 "$WORK/publish.log" >&2; die "publish failed"; }
fi
"$APP/mailingest" --help >/dev/null 2>&1 || die "the published $APP/mailingest does not start (see .work/bench/publish.log)"

# Every timed run writes into a folder of its own under RUNS_DIR, and nothing is deleted until the
# last measurement: on ext4, creating files right after many were deleted is several times slower
# (recently deleted inodes are skipped), which would penalise whichever tool creates more files.
RUNS_DIR=$WORK/runs
rm -rf "$RUNS_DIR" "$WORK/azurite" "$WORK/mi-data" "$WORK/mi-tmp" "$WORK/mpop-out" "$WORK/mpop.uidls"  # a killed run's leftovers
mkdir -p "$RUNS_DIR"

# ---------------------------------------------------------------- mailboxes (generated once per parameter set)
MAIL_ROOT=$WORK/mail
mkdir -p "$MAIL_ROOT"
if ! runuser -u nobody -- test -x "$MAIL_ROOT" 2>/dev/null; then
    MAIL_ROOT=/var/tmp/mailingest-bench-mail
    echo "note: user nobody cannot enter $WORK, so the bench Maildirs live in $MAIL_ROOT" >&2
fi
# generate NAME STAMP COMMAND...: run COMMAND (which writes the mailbox NAME) unless NAME was last
# generated with the same STAMP; a cached mailbox is kept between runs.
generate() {
    local name=$1 stamp=$2
    shift 2
    if [ "$(cat "$MAIL_ROOT/.params-$name" 2>/dev/null || true)" != "$stamp" ]; then
        log "Generating the mailbox '$name' ($stamp)"
        rm -rf "${MAIL_ROOT:?}/$name"
        "$@"
        printf '%s\n' "$stamp" >"$MAIL_ROOT/.params-$name"
    fi
    chown -R nobody:nogroup "$MAIL_ROOT/$name"
}
gen_big() {
    mkdir -p "$MAIL_ROOT/big/Maildir"
    cp -r "$MAIL_ROOT/small/Maildir/." "$MAIL_ROOT/big/Maildir/"
    python3 bench/genmail.py --big "$MAIL_ROOT/big/Maildir/tmp/big" "$BIG_MB" $((SEED + 2))
    mv "$MAIL_ROOT/big/Maildir/tmp/big" "$MAIL_ROOT/big/Maildir/new/1799999999.M1P1Q1.bench"
}
# The message of the capped-heap scenario, written 0.9 MB at a time (genmail.py --big never holds it whole).
HUGE_FILE=$MAIL_ROOT/huge/Maildir/new/1799999998.M1P1Q1.bench
gen_huge() {
    mkdir -p "$MAIL_ROOT/huge/Maildir/tmp" "$MAIL_ROOT/huge/Maildir/cur"
    python3 bench/genmail.py --big "$MAIL_ROOT/huge/Maildir/tmp/huge" "$HUGE_ATTACH_MB" $((SEED + 4))
    mkdir -p "${HUGE_FILE%/*}"
    mv "$MAIL_ROOT/huge/Maildir/tmp/huge" "$HUGE_FILE"
}
# The ledger scenario's mailboxes, ledger-N for each N of LEDGER_COUNTS: the largest generated, the others hard
# links to its first N files (Dovecot renames a message into cur/ in one mailbox only; the bytes are shared).
LEDGER_USERS=$(for count in $LEDGER_COUNTS; do printf 'ledger-%s ' "$count"; done)
LEDGER_MAX=$(printf '%s\n' $LEDGER_COUNTS | sort -n | tail -n 1)
gen_ledger() {
    local count dir=$MAIL_ROOT/ledger/Maildir
    rm -rf "$MAIL_ROOT"/ledger-*
    python3 bench/genmail.py --tiny "$dir" "$LEDGER_MAX" $((SEED + 5))
    for count in $LEDGER_COUNTS; do
        mkdir -p "$MAIL_ROOT/ledger-$count/Maildir/new" "$MAIL_ROOT/ledger-$count/Maildir/cur" "$MAIL_ROOT/ledger-$count/Maildir/tmp"
        find "$dir/new" -type f -printf '%f\n' | sort | sed -n "1,${count}p" | sed "s|^|$dir/new/|" \
            | xargs -d '\n' ln -t "$MAIL_ROOT/ledger-$count/Maildir/new"
    done
}

MANY_DIR=$MAIL_ROOT/many/Maildir
# Messages delivered by the 100-new scenario end in ".added" (Dovecot moves them to cur/ as NAME:2,);
# they are removed at exit, and here too after a killed run, so the cached mailbox stays as generated.
remove_added() { find "$MANY_DIR/new" "$MANY_DIR/cur" -name '*.added*' -delete 2>/dev/null || true; }
USERS=
if [ "$MODE" != imap ]; then
    generate ledger "counts=$LEDGER_COUNTS seed=$((SEED + 5)) v1" gen_ledger
    for user in $LEDGER_USERS; do chown -R nobody:nogroup "$MAIL_ROOT/$user"; done
    USERS=$LEDGER_USERS
fi
if [ "$MODE" != ledger ]; then
    generate bench "messages=$MESSAGES mb=$MB seed=$SEED v1" python3 bench/genmail.py "$MAIL_ROOT/bench/Maildir" "$MESSAGES" "$MB" "$SEED"
    generate small "messages=$MEM_MESSAGES seed=$((SEED + 1)) v1" \
        python3 bench/genmail.py "$MAIL_ROOT/small/Maildir" "$MEM_MESSAGES" $((MEM_MESSAGES / 25 + 1)) $((SEED + 1))
    generate big "small=$MEM_MESSAGES big=$BIG_MB seed=$((SEED + 2)) v1" gen_big
    generate many "messages=$MANY mb=$MANY_MB seed=$((SEED + 3)) v1" python3 bench/genmail.py "$MANY_DIR" "$MANY" "$MANY_MB" $((SEED + 3))
    remove_added
    USERS="bench small big many $USERS"
fi
if [ "$MODE" = main ]; then
    generate huge "attachment=$HUGE_ATTACH_MB seed=$((SEED + 4)) v1" gen_huge
    USERS="$USERS huge"
fi

# ---------------------------------------------------------------- private Dovecot and Azurite
source scripts/lib/dovecot.sh
AZURITE_PID=
WEBHOOK_PID=
webhook_stop() {
    if [ -n "$WEBHOOK_PID" ]; then kill "$WEBHOOK_PID" 2>/dev/null || true; wait "$WEBHOOK_PID" 2>/dev/null || true; fi
    WEBHOOK_PID=
}
azurite_stop() {
    if [ -n "$AZURITE_PID" ] && kill -0 "$AZURITE_PID" 2>/dev/null; then
        kill "$AZURITE_PID" 2>/dev/null || true
        wait "$AZURITE_PID" 2>/dev/null || true
    fi
    AZURITE_PID=
}
# Everything a run leaves is removed at exit, after the last measurement: the servers are stopped,
# the delivered messages taken out of `many`, and the output of every run deleted.
cleanup() {
    if [ -n "${RUN_PID:-}" ]; then kill "$RUN_PID" 2>/dev/null || true; fi
    if [ -n "${OTLP_PID:-}" ]; then kill "$OTLP_PID" 2>/dev/null || true; fi
    if [ -n "${WATCH_PID:-}" ]; then touch "$WORK/spool.stop"; wait "$WATCH_PID" 2>/dev/null || true; fi
    webhook_stop
    azurite_stop
    dovecot_stop
    remove_added
    rm -rf "$RUNS_DIR" "$WORK/azurite"
}
trap cleanup EXIT
PORT=$(free_port) || die "no free loopback port found"
# IMAP on a second port for the IMAP scenarios (not needed by --ledger).
IMAP_PORT=
if [ "$MODE" != ledger ]; then
    IMAP_PORT=$(free_port) || die "no free loopback port found"
    while [ "$IMAP_PORT" = "$PORT" ]; do IMAP_PORT=$(free_port) || die "no free loopback port found"; done
fi
log "Starting Dovecot on 127.0.0.1:$PORT (POP3)${IMAP_PORT:+ and 127.0.0.1:$IMAP_PORT (IMAP)}"
: >"$WORK/dovecot.log"
dovecot_start mailingest-bench "$WORK" "$MAIL_ROOT" "$PORT" "$(for user in $USERS; do printf '%s:{PLAIN}%s\n' "$user" "$PASSWORD"; done)" "$IMAP_PORT" \
    || die "Dovecot did not start"

# ---------------------------------------------------------------- the clients
MI_CONF=$WORK/mailingest.json
{
    printf '{ "Logging": { "LogLevel": { "Default": "Information" } },\n  "MailIngest": {\n'
    printf '    "Storage": { "Provider": "FileSystem", "Path": "%s" },\n    "Mailboxes": {\n' "$RUNS_DIR/unused"
    sep=
    for user in $USERS; do
        printf '%s      "%s": { "Host": "127.0.0.1", "Port": %s, "Security": "None", "Username": "%s", "Password": "%s", "DeleteAfterIngest": false, "MaxMessagesPerRun": 0 }' \
            "$sep" "$user" "$PORT" "$user" "$PASSWORD"
        sep=$',\n'
    done
    printf '\n    } } }\n'
} >"$MI_CONF"

# Every measured command: wall time from fork to exit (date +%s%N around it) and peak RSS from
# /usr/bin/time -v, after a sync so that no earlier run's write-back is charged to it. Appends
# "SCENARIO TOOL SECONDS RSS_KB USER_S SYS_S EXIT_CODE" to $RESULTS. Output goes to $WORK/TOOL.out/.err
# (TOOL up to its first "-"). A command that fails ends the bench, unless MAY_FAIL=1: then its exit
# code is recorded (the capped-heap scenario, whose target is that the run succeeds).
RESULTS=$WORK/results.tsv
: >"$RESULTS"
measure() {
    local scenario=$1 tool=$2 start end rc=0 rss cpu
    local out=$WORK/${tool%%-*}
    shift 2
    sync
    start=$(date +%s%N)
    /usr/bin/time -v -o "$WORK/time.txt" "$@" >>"$out.out" 2>>"$out.err" || rc=$?
    end=$(date +%s%N)
    if [ "$rc" -ne 0 ]; then
        tail -n 20 "$out.err" >&2
        [ "${MAY_FAIL:-0}" = 1 ] || die "$tool ($scenario) exited with $rc; see ${out#"$REPO"/}.err"
        printf 'run.sh: %s (%s) exited with %s; recorded, the bench goes on\n' "$tool" "$scenario" "$rc" >&2
    fi
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
    cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%s\t%s", u, s}' "$WORK/time.txt")
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$scenario" "$tool" "$(awk -v s="$start" -v e="$end" 'BEGIN{printf "%.4f", (e-s)/1e9}')" "$rss" "$cpu" "$rc" >>"$RESULTS"
    printf '  %-10s %-10s %8.3f s  %8s KB\n' "$scenario" "$tool" "$(awk -v s="$start" -v e="$end" 'BEGIN{print (e-s)/1e9}')" "$rss" >&2
}

# Dovecot logs each POP3 session at logout: "pop3(USER)...: Disconnected: Logged out top=…, retr=N/BYTES, …",
# and each IMAP session as "imap(USER)...: Disconnected: Logged out in=… body_count=N body_bytes=BYTES".
sessions() { grep -c "${2:-pop3}($1)<.*Disconnected" "$WORK/dovecot.log" || true; }
# measure_pop3 SCENARIO TOOL USER COMMAND...: measure COMMAND USER (the clients take the user last), then
# append "SCENARIO TOOL retr=N/BYTES" of its session, as Dovecot logged it, to $RETRS. measure_imap the
# same for an IMAP session: "SCENARIO TOOL body=N/BYTES" (the BODY[] fetched; none for a no-new poll).
RETRS=$WORK/retr.tsv
: >"$RETRS"
measure_pop3() { measure_session pop3 "$@"; }
measure_imap() { measure_session imap "$@"; }
# fetched PROTOCOL: for each of Dovecot's logout lines on stdin (PROTOCOL pop3 or imap), what its session
# fetched: retr=N/BYTES or body=N/BYTES; nothing for a line without it.
fetched() {
    if [ "$1" = pop3 ]; then grep -o 'retr=[0-9]*/[0-9]*' || true
    else sed -n 's|.*body_count=\([0-9]*\) body_bytes=\([0-9]*\).*|body=\1/\2|p'; fi
}
measure_session() {
    local protocol=$1 scenario=$2 tool=$3 user=$4 before retr=
    shift 4
    before=$(sessions "$user" "$protocol")
    measure "$scenario" "$tool" "$@" "$user"
    for _ in $(seq 50); do   # the log line may trail the client's exit by a few milliseconds
        [ "$(sessions "$user" "$protocol")" -gt "$before" ] && break
        sleep 0.1
    done
    retr=$(grep "$protocol($user)<.*Disconnected" "$WORK/dovecot.log" | tail -n 1 | fetched "$protocol")
    [ -n "$retr" ] || retr=$([ "$protocol" = pop3 ] && echo 'retr=?' || echo 'body=?')
    printf '%s\t%s\t%s\n' "$scenario" "$tool" "$retr" >>"$RETRS"
}

# Plain commands (not shell functions), so /usr/bin/time runs the tool itself. mi DIR and mpop_into DIR
# set CMD to a client writing into DIR (MailIngest's store, or mpop's Maildir and UIDL file); the
# mailbox's user goes last. The working folder is .work/bench.
cd "$WORK"
mi() { CMD=(env "MailIngest__Storage__Path=$1" "$APP/mailingest" once --config "$MI_CONF" --log-format json --mailbox); }
mpop_into() {
    mkdir -p "$1/new" "$1/cur" "$1/tmp"
    CMD=(mpop --host=127.0.0.1 --port="$PORT" --auth=user --tls=off --passwordeval="printf $PASSWORD"
         --pipelining=on --keep=on --only-new=on --received-header=off -q
         --uidls-file="$1.uidls" --delivery=maildir,"$1" --user)
}
stored() { find "$1/messages/$2" -name manifest.json 2>/dev/null | wc -l; }
delivered() { find "$1/new" "$1/cur" -type f | wc -l; }
expect() { [ "$2" -eq "$3" ] || die "$1: $2 of $3 messages"; }
# order ROUND [PEER]: alternate which tool goes first by round, so neither always runs on a cache the other
# just warmed. The peer is mpop unless named (mbsync for IMAP).
order() { if [ $(($1 % 2)) -eq 1 ]; then echo "mailingest ${2:-mpop}"; else echo "${2:-mpop} mailingest"; fi; }

# run_ticks CONF STORE LOG METRICS PROTOCOL SCENARIO: `mailingest run` with only `many` of CONF (the POP3 or the
# IMAP config) on STORE (many's state from an untimed full ingest), scheduled every TICK_SECONDS: each tick is a
# no-new poll inside a process that is already up. A tick's time is the run's own mailingest.run.duration (the
# runner's clock from taking the lock to the run's end), as the process exports it over OTLP every 250 ms to
# bench/otlp.py, a receiver on a loopback port that appends it to METRICS; the report takes each tick's value
# from the exports (the change in the histogram's count and sum). The first tick (first calls in the process)
# is not counted. The JSON log LOG (the run's config and stdout are named after it) shows that each tick found
# nothing new; what each tick's session fetched, as Dovecot logged it (PROTOCOL pop3 or imap), goes to $RETRS
# as SCENARIO. Sets TICK_HWM_KB, the process's peak RSS (VmHWM) before it is stopped.
RUN_PID=
OTLP_PID=
run_ticks() {
    local source_conf=$1 store=$2 run_log=$3 metrics=$4 protocol=$5 scenario=$6 name before deadline rc=0 port
    name=${run_log##*/}
    name=${name%.err}
    local conf=$WORK/mailingest-$name.json
    python3 - "$source_conf" "$conf" "$TICK_SECONDS" <<'PY'
import json, sys
conf = json.load(open(sys.argv[1]))
many = conf["MailIngest"]["Mailboxes"]["many"]
conf["MailIngest"]["Mailboxes"] = {"many": dict(many, Schedule=f"0/{sys.argv[3]} * * * * ?")}
json.dump(conf, open(sys.argv[2], "w"), indent=2)
PY
    : >"$run_log"
    : >"$metrics"
    rm -f "$WORK/otlp.port"
    python3 "$REPO/bench/otlp.py" "$WORK/otlp.port" "$metrics" mailingest.run.duration 2>>"$WORK/otlp.err" &
    OTLP_PID=$!
    for _ in $(seq 50); do [ -s "$WORK/otlp.port" ] && break; sleep 0.1; done
    port=$(cat "$WORK/otlp.port" 2>/dev/null) || die "bench/otlp.py did not start; see .work/bench/otlp.err"
    before=$(sessions many "$protocol")
    sync
    env "MailIngest__Storage__Path=$store" "MailIngest__Telemetry__OtlpEndpoint=http://127.0.0.1:$port" OTEL_METRIC_EXPORT_INTERVAL=250 \
        "$APP/mailingest" run --config "$conf" --log-format json >"$WORK/$name.out" 2>"$run_log" &
    RUN_PID=$!
    deadline=$((SECONDS + TICKS * TICK_SECONDS + 120))
    while [ "$(grep -c '"EventId":504' "$run_log" || true)" -lt "$TICKS" ]; do
        kill -0 "$RUN_PID" 2>/dev/null || die "mailingest run exited before $TICKS ticks; see ${run_log#"$REPO"/}"
        [ "$SECONDS" -lt "$deadline" ] || die "mailingest run did not log $TICKS ticks in time; see ${run_log#"$REPO"/}"
        sleep 0.5
    done
    TICK_HWM_KB=$(awk '/^VmHWM:/ {print $2}' "/proc/$RUN_PID/status")
    kill -TERM "$RUN_PID"
    wait "$RUN_PID" || rc=$?   # a clean stop flushes the last export
    RUN_PID=
    kill "$OTLP_PID"; wait "$OTLP_PID" 2>/dev/null || true
    OTLP_PID=
    [ "$rc" -eq 0 ] || die "mailingest run exited with $rc after SIGTERM; see ${run_log#"$REPO"/}"
    grep "$protocol(many)<.*Disconnected" "$WORK/dovecot.log" | tail -n +$((before + 1)) | fetched "$protocol" \
        | sed "s/^/$scenario\tmailingest\t/" >>"$RETRS" || true
}

# pop3_stat USER: one POP3 session (USER, PASS, STAT, QUIT), so that Dovecot indexes newly delivered
# mail before the timed runs and neither tool pays for it. Run it in a subshell: fd 3 never leaks.
pop3_stat() {
    local line cmd
    exec 3<>"/dev/tcp/127.0.0.1/$PORT" || return 1
    read -r -t 5 line <&3 || return 1
    for cmd in "USER $1" "PASS $PASSWORD" STAT QUIT; do
        printf '%s\r\n' "$cmd" >&3
        read -r -t 120 line <&3 || return 1
        [[ "$line" == +OK* ]] || return 1
    done
}

# deliver ROUND: NEW generated messages into many's new/, with names no other round uses.
deliver() {
    local stage=$RUNS_DIR/newmail-$1 file name
    python3 "$REPO/bench/genmail.py" "$stage" "$NEW" "$NEW_MB" $((SEED + 100 + $1)) $((1000000 + $1 * 10000)) >/dev/null
    for file in "$stage"/new/*.bench; do
        name=${file##*/}
        mv "$file" "$MANY_DIR/new/${name%.bench}.added"
    done
    chown nobody:nogroup "$MANY_DIR"/new/*.added
    (pop3_stat many) || die "Dovecot did not answer STAT for 'many' after the delivery"
}

# ---------------------------------------------------------------- ledger: bytes written over a first import
# Each mailbox ledger-N is imported once, into an empty FileSystem store, with bench/writecount.c
# preloaded: it adds up every byte the process writes into files under the store's state/ (snapshots,
# their temporary files, journal appends, the lock holder), including generations that compaction
# deleted later. The snapshot names the journal generation that continues it: the compactions so far.
# It runs last in a full run (it creates about 4 files per message), alone with --ledger.
LEDGER_TSV=$WORK/ledger.tsv
ledger_scenario() {
    local count user dir written calls snapshot journal generation
    command -v cc >/dev/null 2>&1 || die "the ledger scenario builds bench/writecount.c: install a C compiler (apt-get install gcc)"
    cc -shared -fPIC -O2 -o "$WORK/writecount.so" "$REPO/bench/writecount.c" -ldl || die "cc could not build bench/writecount.c"
    : >"$LEDGER_TSV"
    log "Ledger: a first import of each of $LEDGER_COUNTS small messages; bytes written to state/ counted"
    for count in $LEDGER_COUNTS; do
        user=ledger-$count
        (pop3_stat "$user") || die "Dovecot did not answer STAT for '$user'"
        dir=$RUNS_DIR/mailingest-$user
        rm -f "$WORK/writecount.txt"
        mi "$dir"
        measure_pop3 "ledger-$count" mailingest "$user" \
            env "WRITECOUNT_PREFIX=$dir/state/" "WRITECOUNT_OUT=$WORK/writecount.txt" "LD_PRELOAD=$WORK/writecount.so" "${CMD[@]}"
        expect "ledger: MailIngest stored" "$(stored "$dir" "$user")" "$count"
        [ -s "$WORK/writecount.txt" ] || die "bench/writecount.c wrote no count for $user (did the preload load?)"
        read -r written calls <"$WORK/writecount.txt"
        snapshot=$(stat -c %s "$dir/state/$user.json")
        journal=$(find "$dir/state" -name "$user.journal-*.jsonl" -printf '%s\n' | awk '{s += $1} END {print s + 0}')
        generation=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["journal"])' "$dir/state/$user.json")
        [ "$written" -ge $((snapshot + journal)) ] \
            || die "bench/writecount.c counted $written bytes, fewer than the ledger's files hold ($((snapshot + journal))): it missed writes"
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$count" "$written" "$calls" "$snapshot" "$journal" "$generation" >>"$LEDGER_TSV"
        printf '  %s messages: %s bytes written to state/ in %s writes; ledger now %s + %s bytes, %s compactions\n' \
            "$count" "$written" "$calls" "$snapshot" "$journal" "$generation" >&2
    done
}
if [ "$MODE" = ledger ]; then
    ledger_scenario
    log "Results"
    MODE=ledger RESULTS=$RESULTS LEDGER_TSV=$LEDGER_TSV python3 "$REPO/bench/report.py"
    exit 0
fi

# ---------------------------------------------------------------- IMAP: MailIngest vs mbsync (issue 17)
# The same Dovecot serves the same Maildirs over IMAP on IMAP_PORT. MailIngest reads each user's INBOX as an
# IMAP mailbox of the user's name (its own config, Protocol Imap); mbsync (isync) pulls the same INBOX into a
# Maildir, with a config written per run: an IMAPAccount per user (SSLType None, AuthMechs LOGIN), a
# MaildirStore whose Inbox is the run's folder, a Channel with Sync Pull, Create Near, Expunge None and
# SyncState * (.mbsyncstate in that Maildir, so the same command again is its no-new poll). mbsync keeps its
# default FSync yes: an fsync per message file is how it keeps a message it recorded, as MailIngest's syncfs
# barrier before each ledger write is (docs/architecture.md, "Durability"). mbsync waits out the second in
# which its Maildir last changed before it reads it, so every poll comes a second after the run before it,
# for both tools. In a full run the scenario starts with `many` as generated (the POP3 rounds' new mail
# taken out), and delivers its own new mail. Right after the untimed full ingest of `many`, `mailingest run`
# polls it over IMAP on a schedule (run_ticks, as for POP3): a no-new poll without the process's start-up,
# which dominates `once` against mbsync's whole poll; that start-up is reported, not chased (bench/README.md).
MI_IMAP_CONF=$WORK/mailingest-imap.json
RUN_IMAP_LOG=$WORK/run-imap.err
RUN_IMAP_METRICS=$WORK/run-imap-metrics.tsv
IMAP_USERS="bench many small big"
mi_imap() { CMD=(env "MailIngest__Storage__Path=$1" "$APP/mailingest" once --config "$MI_IMAP_CONF" --log-format json --mailbox); }
mbsync_into() {
    local user
    for user in $IMAP_USERS; do
        printf 'IMAPAccount %s\nHost 127.0.0.1\nPort %s\nUser %s\nPass %s\nSSLType None\nAuthMechs LOGIN\n\n' "$user" "$IMAP_PORT" "$user" "$PASSWORD"
        printf 'IMAPStore %s-far\nAccount %s\n\nMaildirStore %s-near\nInbox %s\n\n' "$user" "$user" "$user" "$1"
        printf 'Channel %s\nFar :%s-far:\nNear :%s-near:\nSync Pull\nCreate Near\nExpunge None\nSyncState *\n\n' "$user" "$user" "$user"
    done >"$1.mbsyncrc"
    CMD=(mbsync -c "$1.mbsyncrc" -q)
}
# imap_client TOOL DIR sets CMD for TOOL (mailingest or mbsync) writing into DIR; imap_count TOOL DIR USER
# prints how many messages it holds there.
imap_client() { if [ "$1" = mailingest ]; then mi_imap "$2"; else mbsync_into "$2"; fi; }
imap_count() { if [ "$1" = mailingest ]; then stored "$2" "$3"; else delivered "$2"; fi; }
imap_scenarios() {
    local round tool dir user
    python3 - "$MI_CONF" "$MI_IMAP_CONF" "$IMAP_PORT" $IMAP_USERS <<'PY'
import json, sys
conf = json.load(open(sys.argv[1]))
boxes = conf["MailIngest"]["Mailboxes"]
conf["MailIngest"]["Mailboxes"] = {user: dict(boxes[user], Protocol="Imap", Port=int(sys.argv[3])) for user in sys.argv[4:]}
json.dump(conf, open(sys.argv[2], "w"), indent=2)
PY
    log "IMAP warm-up (untimed)"
    mi_imap "$RUNS_DIR/imap-mailingest-warm"
    for user in bench small big; do "${CMD[@]}" "$user" >/dev/null 2>>"$WORK/mailingest.err"; done
    mbsync_into "$RUNS_DIR/imap-mbsync-warm"; "${CMD[@]}" bench >/dev/null 2>>"$WORK/mbsync.err"
    expect "IMAP warm-up: MailIngest stored" "$(stored "$RUNS_DIR/imap-mailingest-warm" bench)" "$MESSAGES"
    expect "IMAP warm-up: mbsync delivered" "$(delivered "$RUNS_DIR/imap-mbsync-warm")" "$MESSAGES"

    log "IMAP: full ingest and no-new poll of $MESSAGES messages, $RUNS rounds (MailIngest and mbsync alternately)"
    for round in $(seq "$RUNS"); do
        for tool in $(order "$round" mbsync); do
            dir=$RUNS_DIR/imap-$tool-full-$round
            imap_client "$tool" "$dir"
            measure_imap imap-full "$tool" bench "${CMD[@]}"
            expect "IMAP: $tool holds" "$(imap_count "$tool" "$dir" bench)" "$MESSAGES"
            sleep 1
            measure_imap imap-poll "$tool" bench "${CMD[@]}"
        done
    done

    log "IMAP memory: $MEM_MESSAGES small messages, without and with one ${BIG_MB} MB attachment, $MEM_RUNS rounds"
    for round in $(seq "$MEM_RUNS"); do
        for user in small big; do
            for tool in $(order "$round" mbsync); do
                imap_client "$tool" "$RUNS_DIR/imap-$tool-mem-$user-$round"
                measure_imap "imap-mem-$user" "$tool" "$user" "${CMD[@]}"
            done
        done
    done

    remove_added
    (pop3_stat many) || die "Dovecot did not answer STAT for 'many'"
    expect "IMAP: many holds" "$(delivered "$MANY_DIR")" "$MANY"
    log "IMAP many: untimed full ingest of $MANY messages by each tool (their state for the polls)"
    for tool in mailingest mbsync; do
        dir=$RUNS_DIR/imap-$tool-many
        imap_client "$tool" "$dir"; "${CMD[@]}" many >/dev/null 2>>"$WORK/$tool.err"
        expect "IMAP many: $tool holds" "$(imap_count "$tool" "$dir" many)" "$MANY"
    done
    log "IMAP scheduler: $TICKS no-new poll ticks of many in mailingest run, one every $TICK_SECONDS s (the first not counted)"
    run_ticks "$MI_IMAP_CONF" "$RUNS_DIR/imap-mailingest-many" "$RUN_IMAP_LOG" "$RUN_IMAP_METRICS" imap imap-tick-many
    RUN_IMAP_HWM_KB=$TICK_HWM_KB
    log "IMAP many: no-new poll of $MANY messages, then $NEW new among them, $RUNS rounds"
    for round in $(seq "$RUNS"); do
        sleep 1
        for tool in $(order "$round" mbsync); do
            imap_client "$tool" "$RUNS_DIR/imap-$tool-many"
            measure_imap imap-poll-many "$tool" many "${CMD[@]}"
        done
        deliver $((RUNS + round))   # round numbers the POP3 scenario does not use: names of their own
        for tool in $(order "$round" mbsync); do
            imap_client "$tool" "$RUNS_DIR/imap-$tool-many"
            measure_imap imap-new-many "$tool" many "${CMD[@]}"
        done
        for tool in mailingest mbsync; do
            expect "IMAP many: $tool holds" "$(imap_count "$tool" "$RUNS_DIR/imap-$tool-many" many)" $((MANY + NEW * round))
        done
    done
}
if [ "$MODE" = imap ]; then
    imap_scenarios
    log "Results"
    export RESULTS RETRS MESSAGES RUNS BIG_MB MEM_MESSAGES MANY NEW
    export RUN_IMAP_LOG RUN_IMAP_METRICS RUN_IMAP_HWM_KB TICKS
    MODE=imap MBSYNC_VERSION=$(mbsync --version) python3 "$REPO/bench/report.py"
    exit 0
fi

# Dovecot builds its index and caches the message sizes on the first session; the page cache fills
# on the first read. One untimed round of each tool first, so neither pays that alone.
log "Warm-up (untimed)"
WARM=$RUNS_DIR/mailingest-warm   # its store is also the object set of the Azure scenario
mi "$WARM"; "${CMD[@]}" bench >/dev/null 2>>"$WORK/mailingest.err"
mi "$RUNS_DIR/mailingest-warm-mem"; for user in small big; do "${CMD[@]}" "$user" >/dev/null 2>>"$WORK/mailingest.err"; done
mpop_into "$RUNS_DIR/mpop-warm"; "${CMD[@]}" bench >/dev/null 2>>"$WORK/mpop.err"
expect "warm-up: MailIngest stored" "$(stored "$WARM" bench)" "$MESSAGES"
expect "warm-up: mpop delivered" "$(delivered "$RUNS_DIR/mpop-warm")" "$MESSAGES"

# The events' cost (issue 15, docs/events.md): in each round MailIngest's full ingest also runs with the
# Webhook sink, an event per stored message sent after QUIT to demo/webhook.py (signature checked, one
# line printed per event), each run into a folder of its own; with and without swap places every round.
[ -s "$WORK/webhook-secret" ] || echo "whsec_$(head -c 32 /dev/urandom | base64)" >"$WORK/webhook-secret"
WEBHOOK_PORT=$(free_port) || die "no free loopback port found"
python3 "$REPO/demo/webhook.py" "$WEBHOOK_PORT" "$WORK/webhook-secret" >"$WORK/webhook.out" 2>&1 &
WEBHOOK_PID=$!
for _ in $(seq 50); do port_in_use "$WEBHOOK_PORT" && break; sleep 0.1; done
port_in_use "$WEBHOOK_PORT" || die "demo/webhook.py did not listen on $WEBHOOK_PORT; see .work/bench/webhook.out"
# mi_events DIR: as mi DIR, with the Webhook sink to that receiver.
mi_events() {
    CMD=(env "MailIngest__Storage__Path=$1" MailIngest__Events__Sink=Webhook "MailIngest__Events__Url=http://127.0.0.1:$WEBHOOK_PORT/events"
         "MailIngest__Events__SecretFile=$WORK/webhook-secret" "$APP/mailingest" once --config "$MI_CONF" --log-format json --mailbox)
}
events_sent() { grep -c '^mailingest.message.stored' "$WORK/webhook.out" || true; }
# The full ingest's order in a round: the tools alternate as in order(), and so do MailIngest with and without events.
order_full() { if [ $(($1 % 2)) -eq 1 ]; then echo "mailingest mailingest-events mpop"; else echo "mpop mailingest-events mailingest"; fi; }

log "Full ingest and no-new poll of $MESSAGES messages, $RUNS rounds (MailIngest, MailIngest with events to a webhook, and mpop alternately)"
for round in $(seq "$RUNS"); do
    for tool in $(order_full "$round"); do
        dir=$RUNS_DIR/$tool-full-$round
        case $tool in
            mailingest) mi "$dir" ;;
            mailingest-events) mi_events "$dir"; before=$(events_sent) ;;
            mpop) mpop_into "$dir" ;;
        esac
        if [ "$tool" = mailingest-events ]; then
            measure_pop3 full-events mailingest bench "${CMD[@]}"
            expect "MailIngest with events stored" "$(stored "$dir" bench)" "$MESSAGES"
            expect "the webhook received events for" "$(( $(events_sent) - before ))" "$MESSAGES"
            continue
        fi
        measure_pop3 full "$tool" bench "${CMD[@]}"
        if [ "$tool" = mailingest ]; then expect "MailIngest stored" "$(stored "$dir" bench)" "$MESSAGES"
        else expect "mpop delivered" "$(delivered "$dir")" "$MESSAGES"; fi
        measure_pop3 poll "$tool" bench "${CMD[@]}"
    done
done
webhook_stop

log "Memory: $MEM_MESSAGES small messages, without and with one ${BIG_MB} MB attachment, $MEM_RUNS rounds"
for round in $(seq "$MEM_RUNS"); do
    for user in small big; do
        mi "$RUNS_DIR/mailingest-mem-$user-$round"; measure "mem-$user" mailingest "${CMD[@]}" "$user"
        mpop_into "$RUNS_DIR/mpop-mem-$user-$round"; measure "mem-$user" mpop "${CMD[@]}" "$user"
    done
done

# ---------------------------------------------------------------- many: no-new poll and new mail among $MANY
log "Many: untimed full ingest of $MANY messages by each tool (their UIDL state for the polls)"
MI_MANY=$RUNS_DIR/mailingest-many
MPOP_MANY=$RUNS_DIR/mpop-many
mi "$MI_MANY"; "${CMD[@]}" many >/dev/null 2>>"$WORK/mailingest.err"
mpop_into "$MPOP_MANY"; "${CMD[@]}" many >/dev/null 2>>"$WORK/mpop.err"
expect "many: MailIngest stored" "$(stored "$MI_MANY" many)" "$MANY"
expect "many: mpop delivered" "$(delivered "$MPOP_MANY")" "$MANY"

# The scheduler's no-new poll ticks of many (run_ticks), on the state that untimed ingest left.
RUN_LOG=$WORK/run.err
RUN_METRICS=$WORK/run-metrics.tsv
log "Scheduler: $TICKS no-new poll ticks of many in mailingest run, one every $TICK_SECONDS s (the first not counted)"
run_ticks "$MI_CONF" "$MI_MANY" "$RUN_LOG" "$RUN_METRICS" pop3 tick-many
RUN_HWM_KB=$TICK_HWM_KB

log "Many: no-new poll of $MANY messages, then $NEW new among them, $RUNS rounds"
for round in $(seq "$RUNS"); do
    for tool in $(order "$round"); do
        if [ "$tool" = mailingest ]; then mi "$MI_MANY"; else mpop_into "$MPOP_MANY"; fi
        measure_pop3 poll-many "$tool" many "${CMD[@]}"
    done
    deliver "$round"
    for tool in $(order "$round"); do
        if [ "$tool" = mailingest ]; then mi "$MI_MANY"; else mpop_into "$MPOP_MANY"; fi
        measure_pop3 new-many "$tool" many "${CMD[@]}"
    done
    expect "many: MailIngest stored" "$(stored "$MI_MANY" many)" $((MANY + NEW * round))
    expect "many: mpop delivered" "$(delivered "$MPOP_MANY")" $((MANY + NEW * round))
done

# ---------------------------------------------------------------- Azure: MailIngest into Azurite vs a plain upload
# Each run gets an Azurite of its own, empty: Azurite keeps every blob's metadata in one in-memory
# database that it saves whole to disk again and again, so it slows down as blobs pile up, and a
# shared instance would make each run slower than the one before. Their data is deleted at exit.
AZURITE_KEY=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==  # Azurite's public development key
export NODE_PATH=$WORK/node/node_modules
# azurite_start NAME: a new Azurite on a free loopback port, its data in .work/bench/azurite/NAME;
# sets AZURE_STORAGE_CONNECTION_STRING (Azurite's development account). azurite_stop ends it.
azurite_start() {
    local port
    port=$(free_port) || die "no free loopback port found"
    mkdir -p "$WORK/azurite/$1"
    "$REPO/.work/tools/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$port" --location "$WORK/azurite/$1" \
        --skipApiVersionCheck --disableTelemetry --silent >>"$WORK/azurite.out" 2>&1 &
    AZURITE_PID=$!
    for _ in $(seq 300); do
        port_in_use "$port" && break
        kill -0 "$AZURITE_PID" 2>/dev/null || { tail -n 20 "$WORK/azurite.out" >&2; die "Azurite exited"; }
        sleep 0.1
    done
    port_in_use "$port" || die "Azurite did not listen on $port"
    export AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$AZURITE_KEY;BlobEndpoint=http://127.0.0.1:$port/devstoreaccount1;"
}
# mi_azure [MAILBOX] and plain CONCURRENCY set CMD for the Azurite just started, into the container "bench";
# MailIngest's spool (Storage:SpoolPath) is under the runs' folder, not /tmp.
mi_azure() {
    CMD=(env MailIngest__Storage__Provider=AzureBlob "MailIngest__Storage__ConnectionString=$AZURE_STORAGE_CONNECTION_STRING"
         MailIngest__Storage__Container=bench "MailIngest__Storage__SpoolPath=$RUNS_DIR/spool"
         "$APP/mailingest" once --config "$MI_CONF" --log-format json --mailbox "${1:-bench}")
}
plain() { CMD=(node "$REPO/bench/upload.cjs" upload "$WARM" bench "$1"); }
objects() { node "$REPO/bench/upload.cjs" count bench; }

log "Azure: mailingest once of $MESSAGES messages into Azurite vs a plain upload of the same objects ($CONCURRENCIES in flight), $RUNS rounds, a new Azurite for each run"
azurite_start mailingest-warm; mi_azure; "${CMD[@]}" >/dev/null 2>>"$WORK/mailingest.err"
read -r MI_OBJECTS MI_BYTES <<<"$(objects)"; azurite_stop
azurite_start plain-warm; plain 16; "${CMD[@]}" >/dev/null 2>>"$WORK/plain.err"
read -r PLAIN_OBJECTS PLAIN_BYTES <<<"$(objects)"; azurite_stop
for round in $(seq "$RUNS"); do
    for tool in $(order "$round"); do
        if [ "$tool" = mailingest ]; then
            azurite_start "mailingest-$round"; mi_azure; measure azure mailingest "${CMD[@]}"
            expect "Azure: MailIngest's container holds" "$(objects | cut -d' ' -f1)" "$MI_OBJECTS"
            azurite_stop
        else
            for c in $CONCURRENCIES; do
                azurite_start "plain-$c-$round"; plain "$c"; measure azure "plain-$c" "${CMD[@]}"; azurite_stop
            done
        fi
    done
done

# ---------------------------------------------------------------- report
# ---------------------------------------------------------------- four mailboxes at once: peak RSS for the chart
# `mailingest once` ingests MaxConcurrentMailboxes (4 by default) mailboxes at the same time; the chart's
# memory limit must hold that, not one mailbox. Untimed (nothing to compare with); its peak RSS is reported.
log "Four mailboxes at once: mailingest once of bench, many, small and big into one empty store (peak RSS)"
mi "$RUNS_DIR/mailingest-four"
measure four mailingest "${CMD[@]}" bench --mailbox many --mailbox small --mailbox big
expect "four: MailIngest stored" "$(($(stored "$RUNS_DIR/mailingest-four" bench) + $(stored "$RUNS_DIR/mailingest-four" many)))" \
    $((MESSAGES + MANY + NEW * RUNS))

# ---------------------------------------------------------------- huge: one 1 GB message under a capped GC heap
# After every timed scenario (it writes gigabytes). MailIngest runs with DOTNET_GCHeapHardLimit, so an
# attempt to hold the message in memory fails the run with OutOfMemoryException instead of passing
# unnoticed; the target is a run that exits 0 with the message stored whole: raw size and SHA-256 in
# the manifest equal the Maildir file's, the stored raw object has that size, and the decoded
# attachment has the generated size. The spool's peak (sampled every 0.2 s, so a lower bound) is
# recorded for sizing the temp volume. mpop runs beside it on the FileSystem side, for its peak RSS.
HUGE_TSV=$WORK/huge.tsv
: >"$HUGE_TSV"
WATCH_PID=
# spool_watch DIR: samples the size of DIR until spool_peak, which sets SPOOL_PEAK to the largest size seen.
spool_watch() {
    rm -f "$WORK/spool.stop" "$WORK/spool.peak"
    ( peak=0
      while [ ! -e "$WORK/spool.stop" ]; do
          size=$(du -sb "$1" 2>/dev/null | cut -f1 || true)  # no folder yet: 0
          [ "${size:-0}" -gt "$peak" ] && peak=$size
          sleep 0.2
      done
      echo "$peak" >"$WORK/spool.peak" ) &
    WATCH_PID=$!
}
spool_peak() { touch "$WORK/spool.stop"; wait "$WATCH_PID"; WATCH_PID=; SPOOL_PEAK=$(cat "$WORK/spool.peak"); }
# huge_facts SCENARIO MANIFEST_FILE RAW_OBJECT_BYTES SPOOL_PEAK: appends the checks' raw facts to HUGE_TSV:
# scenario, exit code (the last measured row's), manifest raw size and SHA-256, the largest attachment's
# size, the stored raw object's size, the spool's peak.
huge_facts() {
    local rc manifest=(missing - 0)
    rc=$(tail -n 1 "$RESULTS" | cut -f7)
    if [ -s "$2" ]; then
        read -r -a manifest < <(python3 -c 'import json, sys; m = json.load(open(sys.argv[1]))
print(m["raw"]["size"], m["raw"]["sha256"], max([a["size"] for a in m["attachments"]] or [0]))' "$2")
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$rc" "${manifest[0]}" "${manifest[1]}" "${manifest[2]}" "${3:-0}" "$4" >>"$HUGE_TSV"
}
HUGE_FILE=$(find "$MAIL_ROOT/huge/Maildir/new" "$MAIL_ROOT/huge/Maildir/cur" -name "${HUGE_FILE##*/}*" | head -n 1)  # Dovecot moves it into cur/
HUGE_BYTES=$(stat -c %s "$HUGE_FILE")
HUGE_SHA256=$(sha256sum "$HUGE_FILE" | cut -d' ' -f1)
log "Huge: one $((HUGE_BYTES / 1048576)) MiB message with DOTNET_GCHeapHardLimit=$HEAP_LIMIT, into the FileSystem store and into Azurite"
dir=$RUNS_DIR/mailingest-huge
mi "$dir"
spool_watch "$dir/.spool"
MAY_FAIL=1 measure_pop3 huge-fs mailingest huge env "DOTNET_GCHeapHardLimit=$HEAP_LIMIT" "${CMD[@]}"
spool_peak
raw=$(find "$dir/messages/huge" -name message.eml -printf '%s\n' 2>/dev/null | head -n 1)
huge_facts huge-fs "$(find "$dir/messages/huge" -name manifest.json 2>/dev/null | head -n 1)" "$raw" "$SPOOL_PEAK"
mpop_into "$RUNS_DIR/mpop-huge"; measure_pop3 huge-fs mpop huge "${CMD[@]}"
expect "huge: mpop delivered" "$(delivered "$RUNS_DIR/mpop-huge")" 1

azurite_start huge
mi_azure huge
spool_watch "$RUNS_DIR/spool"
MAY_FAIL=1 measure huge-azure mailingest env "DOTNET_GCHeapHardLimit=$HEAP_LIMIT" "${CMD[@]}"
spool_peak
node "$REPO/bench/upload.cjs" list bench >"$WORK/huge-blobs.txt"
key=$(awk '$1 ~ /^messages\/huge\/.*\/manifest\.json$/ {print $1; exit}' "$WORK/huge-blobs.txt")
raw=$(awk '$1 ~ /^messages\/huge\/.*\/message\.eml$/ {print $2; exit}' "$WORK/huge-blobs.txt")
if [ -n "$key" ]; then node "$REPO/bench/upload.cjs" get bench "$key" >"$WORK/huge-manifest.json"; else : >"$WORK/huge-manifest.json"; fi
huge_facts huge-azure "$WORK/huge-manifest.json" "$raw" "$SPOOL_PEAK"
azurite_stop

imap_scenarios
ledger_scenario

log "Results"
export RESULTS RETRS MESSAGES RUNS BIG_MB MEM_MESSAGES MANY NEW CONCURRENCIES MI_OBJECTS MI_BYTES PLAIN_OBJECTS PLAIN_BYTES
export RUN_LOG RUN_METRICS RUN_HWM_KB RUN_IMAP_LOG RUN_IMAP_METRICS RUN_IMAP_HWM_KB TICKS TICK_SECONDS
export HUGE_TSV HUGE_BYTES HUGE_SHA256 HEAP_LIMIT LEDGER_TSV
HUGE_ATTACHMENT_BYTES=$((HUGE_ATTACH_MB * 1000000)) MAILBOX_BYTES=$(du -sb "$MAIL_ROOT/bench/Maildir" | cut -f1) \
    MBSYNC_VERSION=$(mbsync --version) python3 "$REPO/bench/report.py"
