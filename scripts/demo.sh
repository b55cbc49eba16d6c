#!/usr/bin/env bash
# Loads demo/mail/*.eml into a private Dovecot POP3 server and ingests them into ./data with
# `mailingest once`, then shows what was stored and the events a local webhook received
# (demo/webhook.py, when python3 is there; docs/events.md). Run it again: the second run finds
# nothing new.
#
#   scripts/demo.sh           run the demo (installs dovecot-pop3d if missing; needs root for that)
#   scripts/demo.sh --reset   forget the demo mailbox and its stored mail first
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
WORK=$REPO/.work/demo
MAILBOX=demo
DEMO_USER=demo
DEMO_PASSWORD=demo
PREFERRED_PORT=1110 # the port in the sample appsettings.json
PREFERRED_WEBHOOK_PORT=8099
WEBHOOK_PID=

log() { printf '\n==> %s\n' "$*"; }
die() { printf 'demo.sh: %s\n' "$*" >&2; exit 1; }

source scripts/lib/packages.sh
source scripts/lib/dovecot.sh

count_manifests() {
    if [ -d data/messages/$MAILBOX ]; then
        find data/messages/$MAILBOX -name manifest.json | wc -l
    else
        echo 0
    fi
}

if [ "${1:-}" = "--reset" ]; then
    log "Forgetting the demo mailbox and what was stored from it"
    rm -rf "$WORK" data/messages/$MAILBOX data/quarantine/$MAILBOX data/state/$MAILBOX.json*
elif [ $# -gt 0 ]; then
    die "unknown argument '$1' (only --reset is understood)"
fi

command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH"
install_package dovecot-pop3d /usr/sbin/dovecot
webhook_stop() {
    if [ -n "$WEBHOOK_PID" ]; then kill "$WEBHOOK_PID" 2>/dev/null || true; wait "$WEBHOOK_PID" 2>/dev/null || true; fi
}
trap 'webhook_stop; dovecot_stop' EXIT

# Dovecot serves mail as nobody (it refuses uid 0), so nobody must reach the Maildir. The Maildir
# persists between runs: its dovecot-uidlist keeps the UIDLs stable, which is what lets the second run
# find nothing new.
MAIL_ROOT=$WORK/mail
mkdir -p "$MAIL_ROOT"
if ! runuser -u nobody -- test -x "$MAIL_ROOT" 2>/dev/null; then
    MAIL_ROOT=/var/tmp/mailingest-demo-mail
    echo "note: user nobody cannot enter $WORK, so the demo Maildir lives in $MAIL_ROOT"
fi
MAILDIR=$MAIL_ROOT/$DEMO_USER/Maildir
mkdir -p "$MAILDIR/new" "$MAILDIR/cur" "$MAILDIR/tmp"

on_server=$(find "$MAILDIR/new" "$MAILDIR/cur" -type f | wc -l)
if [ "$on_server" -eq 0 ]; then
    log "Delivering demo/mail/*.eml to the POP3 mailbox '$DEMO_USER'"
    # Dovecot numbers new messages by the timestamp in their Maildir names: increasing stamps keep
    # the server's order equal to the file order.
    stamp=$(date +%s)
    n=0
    for eml in demo/mail/*.eml; do
        n=$((n + 1))
        name="$((stamp + n)).M${n}P$$Q${n}.mailingest-demo"
        cp "$eml" "$MAILDIR/tmp/$name"
        mv "$MAILDIR/tmp/$name" "$MAILDIR/new/$name"
    done
    echo "$n messages delivered"
else
    log "The POP3 mailbox '$DEMO_USER' still holds $on_server messages from an earlier run"
fi
chown -R nobody:nogroup "$MAIL_ROOT/$DEMO_USER"

PORT=$(free_port "$PREFERRED_PORT")
log "Starting Dovecot on 127.0.0.1:$PORT"
dovecot_start mailingest-demo "$WORK" "$MAIL_ROOT" "$PORT" "$DEMO_USER:{PLAIN}$DEMO_PASSWORD" || die "Dovecot did not start"
echo "Dovecot is ready (log: .work/demo/dovecot.log)"

EVENTS=""
if command -v python3 >/dev/null 2>&1; then
    # The webhook's signing secret (Standard Webhooks: whsec_ and base64 of random bytes), kept for later runs.
    [ -s "$WORK/webhook-secret" ] || echo "whsec_$(head -c 32 /dev/urandom | base64)" >"$WORK/webhook-secret"
    WEBHOOK_PORT=$(free_port "$PREFERRED_WEBHOOK_PORT")
    python3 demo/webhook.py "$WEBHOOK_PORT" "$WORK/webhook-secret" >"$WORK/webhook.log" 2>&1 &
    WEBHOOK_PID=$!
    for _ in $(seq 50); do port_in_use "$WEBHOOK_PORT" && break; sleep 0.1; done
    port_in_use "$WEBHOOK_PORT" || die "the demo webhook receiver did not start (log: .work/demo/webhook.log)"
    echo "A webhook receiver prints the events on 127.0.0.1:$WEBHOOK_PORT (demo/webhook.py)"
    EVENTS=$(cat <<EVENTS_JSON
    "Events": {
      "Sink": "Webhook",
      "Url": "http://127.0.0.1:$WEBHOOK_PORT/events",
      "SecretFile": "$WORK/webhook-secret"
    },
EVENTS_JSON
)
else
    echo "note: no python3, so no webhook receiver: the events are not shown"
fi

cat >"$WORK/appsettings.json" <<JSON
{
  "MailIngest": {
$EVENTS
    "Storage": {
      "Provider": "FileSystem",
      "Path": "./data"
    },
    "Mailboxes": {
      "$MAILBOX": {
        "Host": "127.0.0.1",
        "Port": $PORT,
        "Security": "None",
        "Username": "$DEMO_USER",
        "Password": "$DEMO_PASSWORD",
        "Schedule": "0 0/5 * * * ?",
        "DeleteAfterIngest": false,
        "MaxMessagesPerRun": 0
      }
    }
  }
}
JSON

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
stored_before=$(count_manifests)
log "dotnet run --project src/MailIngest -c Release -- once --config .work/demo/appsettings.json"
rc=0
dotnet run --project src/MailIngest -c Release -- once --config .work/demo/appsettings.json || rc=$?
stored_after=$(count_manifests)

log "Stored tree under ./data"
if [ ! -d data ]; then
    echo "(nothing: ./data does not exist)"
elif command -v tree >/dev/null 2>&1; then
    tree -a --noreport data
else
    find data -type f | sort
fi

manifest=$(grep -rl --include=manifest.json 'kickoff' data/messages/$MAILBOX 2>/dev/null | head -n 1 || true)
if [ -z "$manifest" ] && [ -d data/messages/$MAILBOX ]; then
    manifest=$(find data/messages/$MAILBOX -name manifest.json | sort | head -n 1)
fi
if [ -n "$manifest" ]; then
    log "$manifest"
    if command -v python3 >/dev/null 2>&1; then python3 -m json.tool --no-ensure-ascii "$manifest"; else cat "$manifest"; fi
fi

if [ -n "$WEBHOOK_PID" ]; then
    log "Events the webhook received (docs/events.md)"
    if [ -s "$WORK/webhook.log" ]; then cat "$WORK/webhook.log"; else echo "(none: nothing new was stored)"; fi
fi

log "This run's POP3 session as Dovecot logged it (retr=messages/bytes fetched)"
grep "pop3($DEMO_USER)" "$WORK/dovecot.log" | grep 'Disconnected' | tail -n 1 || echo "(none logged)"

if [ "$rc" -ne 0 ]; then
    log "mailingest once exited with $rc (1: a mailbox failed, 2: configuration error)"
    exit "$rc"
fi
if [ "$stored_after" -eq "$stored_before" ]; then
    log "Nothing new: all $stored_after messages were already stored (the UIDL ledger knows every UIDL)"
else
    log "Stored $((stored_after - stored_before)) new messages ($stored_after in all); run again to see that nothing is fetched twice"
fi
