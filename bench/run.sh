#!/usr/bin/env bash
# Benchmarks `mailingest once` against mpop (a C POP3 fetcher with pipelining) on the same private
# Dovecot mailboxes, and MailIngest's AzureBlob store against a plain parallel upload into Azurite;
# prints medians, ratios and peak RSS. See bench/README.md.
#
#   bench/run.sh            full run (2,100 + 20,000 messages, 3 rounds; about 10 minutes)
#   bench/run.sh --quick    smoke run (300 + 2,000 messages, 1 round, 20 MB attachment, 20 new)
#
# Environment (defaults in brackets): BENCH_MESSAGES [2100], BENCH_MB [88], BENCH_RUNS [3],
# BENCH_SEED [42], BENCH_BIG_MB [200] (the large attachment of the memory scenario),
# BENCH_MEM_MESSAGES [100] (small messages in the memory scenario), BENCH_MEM_RUNS [= BENCH_RUNS],
# BENCH_MANY_MESSAGES [20000] and BENCH_MANY_MB [100] (the `many` mailbox), BENCH_NEW [100] (new
# messages per round among them), BENCH_UPLOAD_CONCURRENCY ["8 16 32"] (the plain upload's
# parallelism; the best median counts), BENCH_SKIP_PUBLISH [0] (1: reuse .work/bench/app).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
WORK=$REPO/.work/bench

if [ "${1:-}" = "--quick" ]; then
    : "${BENCH_MESSAGES:=300}" "${BENCH_MB:=12}" "${BENCH_RUNS:=1}" "${BENCH_BIG_MB:=20}" "${BENCH_MEM_MESSAGES:=30}"
    : "${BENCH_MANY_MESSAGES:=2000}" "${BENCH_MANY_MB:=10}" "${BENCH_NEW:=20}"
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
MANY=${BENCH_MANY_MESSAGES:-20000}
MANY_MB=${BENCH_MANY_MB:-100}
NEW=${BENCH_NEW:-100}
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
install_package mpop /usr/bin/mpop
install_package time /usr/bin/time
install_package npm /usr/bin/npm

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
npm_tool "$REPO/.work/tools" azurite "$AZURITE_VERSION"   # shared with scripts/test.sh
npm_tool "$WORK/node" @azure/storage-blob "$STORAGE_BLOB_VERSION"

# Its own bin/obj (--artifacts-path): a publish that shared obj/ with a concurrent RID-less build or
# test run of the working tree has produced an app that aborted at start.
APP=$WORK/app
if [ "${BENCH_SKIP_PUBLISH:-0}" != 1 ] || [ ! -x "$APP/mailingest" ]; then
    log "dotnet publish src/MailIngest/MailIngest.csproj -c Release -o .work/bench/app --artifacts-path .work/bench/artifacts"
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
STAMP="messages=$MESSAGES mb=$MB seed=$SEED big=$BIG_MB mem=$MEM_MESSAGES v1"
if [ "$(cat "$MAIL_ROOT/.params" 2>/dev/null || true)" != "$STAMP" ]; then
    log "Generating the mailboxes ($STAMP)"
    rm -rf "${MAIL_ROOT:?}"/bench "$MAIL_ROOT"/small "$MAIL_ROOT"/big
    python3 bench/genmail.py "$MAIL_ROOT/bench/Maildir" "$MESSAGES" "$MB" "$SEED"
    python3 bench/genmail.py "$MAIL_ROOT/small/Maildir" "$MEM_MESSAGES" $((MEM_MESSAGES / 25 + 1)) $((SEED + 1))
    mkdir -p "$MAIL_ROOT/big/Maildir"
    cp -r "$MAIL_ROOT/small/Maildir/." "$MAIL_ROOT/big/Maildir/"
    python3 bench/genmail.py --big "$MAIL_ROOT/big/Maildir/tmp/big" "$BIG_MB" $((SEED + 2))
    mv "$MAIL_ROOT/big/Maildir/tmp/big" "$MAIL_ROOT/big/Maildir/new/1799999999.M1P1Q1.bench"
    printf '%s\n' "$STAMP" >"$MAIL_ROOT/.params"
fi
MANY_DIR=$MAIL_ROOT/many/Maildir
MANY_STAMP="messages=$MANY mb=$MANY_MB seed=$((SEED + 3)) v1"
if [ "$(cat "$MAIL_ROOT/.params-many" 2>/dev/null || true)" != "$MANY_STAMP" ]; then
    log "Generating the mailbox 'many' ($MANY_STAMP)"
    rm -rf "${MAIL_ROOT:?}"/many
    python3 bench/genmail.py "$MANY_DIR" "$MANY" "$MANY_MB" $((SEED + 3))
    printf '%s\n' "$MANY_STAMP" >"$MAIL_ROOT/.params-many"
fi
# Messages delivered by the 100-new scenario end in ".added" (Dovecot moves them to cur/ as NAME:2,);
# they are removed at exit, and here too after a killed run, so the cached mailbox stays as generated.
remove_added() { find "$MANY_DIR/new" "$MANY_DIR/cur" -name '*.added*' -delete 2>/dev/null || true; }
remove_added
chown -R nobody:nogroup "$MAIL_ROOT"/bench "$MAIL_ROOT"/small "$MAIL_ROOT"/big "$MAIL_ROOT"/many

# ---------------------------------------------------------------- private Dovecot and Azurite
source scripts/lib/dovecot.sh
AZURITE_PID=
WEBHOOK_PID=
webhook_stop() {
    if [ -n "$WEBHOOK_PID" ]; then kill "$WEBHOOK_PID" 2>/dev/null || true; wait "$WEBHOOK_PID" 2>/dev/null || true; fi
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
    webhook_stop
    azurite_stop
    dovecot_stop
    remove_added
    rm -rf "$RUNS_DIR" "$WORK/azurite"
}
trap cleanup EXIT
PORT=$(free_port) || die "no free loopback port found"
log "Starting Dovecot on 127.0.0.1:$PORT"
: >"$WORK/dovecot.log"
USERS="bench small big many"
dovecot_start mailingest-bench "$WORK" "$MAIL_ROOT" "$PORT" "$(for user in $USERS; do printf '%s:{PLAIN}%s\n' "$user" "$PASSWORD"; done)" \
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
# "SCENARIO TOOL SECONDS RSS_KB USER_S SYS_S" to $RESULTS. Output goes to $WORK/TOOL.out/.err
# (TOOL up to its first "-").
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
        die "$tool ($scenario) exited with $rc; see ${out#"$REPO"/}.err"
    fi
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
    cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {printf "%s\t%s", u, s}' "$WORK/time.txt")
    printf '%s\t%s\t%s\t%s\t%s\n' "$scenario" "$tool" "$(awk -v s="$start" -v e="$end" 'BEGIN{printf "%.4f", (e-s)/1e9}')" "$rss" "$cpu" >>"$RESULTS"
    printf '  %-10s %-10s %8.3f s  %8s KB\n' "$scenario" "$tool" "$(awk -v s="$start" -v e="$end" 'BEGIN{print (e-s)/1e9}')" "$rss" >&2
}

# Dovecot logs each POP3 session at logout: "pop3(USER)...: Disconnected: Logged out top=…, retr=N/BYTES, …".
sessions() { grep -c "pop3($1)<.*Disconnected" "$WORK/dovecot.log" || true; }
# measure_pop3 SCENARIO TOOL USER COMMAND...: measure COMMAND USER (both clients take the user last),
# then append "SCENARIO TOOL retr=N/BYTES" of its session, as Dovecot logged it, to $RETRS.
RETRS=$WORK/retr.tsv
: >"$RETRS"
measure_pop3() {
    local scenario=$1 tool=$2 user=$3 before retr=
    shift 3
    before=$(sessions "$user")
    measure "$scenario" "$tool" "$@" "$user"
    for _ in $(seq 50); do   # the log line may trail the client's exit by a few milliseconds
        [ "$(sessions "$user")" -gt "$before" ] && break
        sleep 0.1
    done
    retr=$(grep "pop3($user)<.*Disconnected" "$WORK/dovecot.log" | tail -n 1 | grep -o 'retr=[0-9]*/[0-9]*' || true)
    printf '%s\t%s\t%s\n' "$scenario" "$tool" "${retr:-retr=?}" >>"$RETRS"
}

# Plain commands (not shell functions), so /usr/bin/time runs the tool itself. mi DIR and mpop_into DIR
# set CMD to a client writing into DIR (MailIngest's store, or mpop's Maildir and UIDL file); the
# mailbox's user goes last. The working folder is .work/bench.
cd "$WORK"
mi() { CMD=(env "MailIngest__Storage__Path=$1" "$APP/mailingest" once --config "$MI_CONF" --log-format json --mailbox); }
# mi_events DIR: the same, with an event per stored message to the demo's webhook receiver (docs/events.md).
mi_events() {
    CMD=(env "MailIngest__Storage__Path=$1" MailIngest__Events__Sink=Webhook "MailIngest__Events__Url=http://127.0.0.1:$WEBHOOK_PORT/events"
         "MailIngest__Events__SecretFile=$WORK/webhook-secret" "$APP/mailingest" once --config "$MI_CONF" --log-format json --mailbox)
}
mpop_into() {
    mkdir -p "$1/new" "$1/cur" "$1/tmp"
    CMD=(mpop --host=127.0.0.1 --port="$PORT" --auth=user --tls=off --passwordeval="printf $PASSWORD"
         --pipelining=on --keep=on --only-new=on --received-header=off -q
         --uidls-file="$1.uidls" --delivery=maildir,"$1" --user)
}
stored() { find "$1/messages/$2" -name manifest.json 2>/dev/null | wc -l; }
delivered() { find "$1/new" "$1/cur" -type f | wc -l; }
expect() { [ "$2" -eq "$3" ] || die "$1: $2 of $3 messages"; }
# Alternate which tool goes first by round, so neither always runs on a cache the other just warmed.
order() { if [ $(($1 % 2)) -eq 1 ]; then echo "mailingest mpop"; else echo "mpop mailingest"; fi; }

# Dovecot builds its index and caches the message sizes on the first session; the page cache fills
# on the first read. One untimed round of each tool first, so neither pays that alone.
log "Warm-up (untimed)"
WARM=$RUNS_DIR/mailingest-warm   # its store is also the object set of the Azure scenario
mi "$WARM"; "${CMD[@]}" bench >/dev/null 2>>"$WORK/mailingest.err"
mi "$RUNS_DIR/mailingest-warm-mem"; for user in small big; do "${CMD[@]}" "$user" >/dev/null 2>>"$WORK/mailingest.err"; done
mpop_into "$RUNS_DIR/mpop-warm"; "${CMD[@]}" bench >/dev/null 2>>"$WORK/mpop.err"
expect "warm-up: MailIngest stored" "$(stored "$WARM" bench)" "$MESSAGES"
expect "warm-up: mpop delivered" "$(delivered "$RUNS_DIR/mpop-warm")" "$MESSAGES"

log "Full ingest and no-new poll of $MESSAGES messages, $RUNS rounds (MailIngest and mpop alternately)"
for round in $(seq "$RUNS"); do
    for tool in $(order "$round"); do
        dir=$RUNS_DIR/$tool-full-$round
        if [ "$tool" = mailingest ]; then mi "$dir"; else mpop_into "$dir"; fi
        measure_pop3 full "$tool" bench "${CMD[@]}"
        if [ "$tool" = mailingest ]; then expect "MailIngest stored" "$(stored "$dir" bench)" "$MESSAGES"
        else expect "mpop delivered" "$(delivered "$dir")" "$MESSAGES"; fi
        measure_pop3 poll "$tool" bench "${CMD[@]}"
    done
done

# The events' cost: the same full ingest with the Webhook sink, each event written to the outbox,
# sent to demo/webhook.py (signature checked, one line printed) after QUIT, and removed.
[ -s "$WORK/webhook-secret" ] || echo "whsec_$(head -c 32 /dev/urandom | base64)" >"$WORK/webhook-secret"
WEBHOOK_PORT=$(free_port) || die "no free loopback port found"
python3 "$REPO/demo/webhook.py" "$WEBHOOK_PORT" "$WORK/webhook-secret" >"$WORK/webhook.out" 2>&1 &
WEBHOOK_PID=$!
for _ in $(seq 50); do port_in_use "$WEBHOOK_PORT" && break; sleep 0.1; done
log "Full ingest with events to a webhook, $RUNS rounds"
for round in $(seq "$RUNS"); do
    dir=$RUNS_DIR/mailingest-events-$round
    mi_events "$dir"
    measure_pop3 full-events mailingest bench "${CMD[@]}"
    expect "MailIngest stored" "$(stored "$dir" bench)" "$MESSAGES"
    expect "events delivered" "$(grep -c '^mailingest.message.stored' "$WORK/webhook.out")" "$((round * MESSAGES))"
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

log "Many: untimed full ingest of $MANY messages by each tool (their UIDL state for the polls)"
MI_MANY=$RUNS_DIR/mailingest-many
MPOP_MANY=$RUNS_DIR/mpop-many
mi "$MI_MANY"; "${CMD[@]}" many >/dev/null 2>>"$WORK/mailingest.err"
mpop_into "$MPOP_MANY"; "${CMD[@]}" many >/dev/null 2>>"$WORK/mpop.err"
expect "many: MailIngest stored" "$(stored "$MI_MANY" many)" "$MANY"
expect "many: mpop delivered" "$(delivered "$MPOP_MANY")" "$MANY"

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
# mi_azure and plain CONCURRENCY set CMD for the Azurite just started, into the container "bench".
mi_azure() {
    CMD=(env MailIngest__Storage__Provider=AzureBlob "MailIngest__Storage__ConnectionString=$AZURE_STORAGE_CONNECTION_STRING"
         MailIngest__Storage__Container=bench "$APP/mailingest" once --config "$MI_CONF" --log-format json --mailbox bench)
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
log "Results"
export RESULTS RETRS MESSAGES RUNS BIG_MB MEM_MESSAGES MANY NEW CONCURRENCIES MI_OBJECTS MI_BYTES PLAIN_OBJECTS PLAIN_BYTES
MAILBOX_BYTES=$(du -sb "$MAIL_ROOT/bench/Maildir" | cut -f1) python3 "$REPO/bench/report.py"
