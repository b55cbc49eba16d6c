#!/usr/bin/env bash
# Loads demo/mail/*.eml into a private Dovecot server and ingests them into ./data with
# `mailingest once`: the POP3 mailbox 'demo', and beside it the IMAP folder Archive of the same
# account as the mailbox 'demo-imap'. Then shows what was stored and the events a local webhook
# received (demo/webhook.py, when python3 is there; docs/events.md). Run it again: the second run finds
# nothing new.
#
#   scripts/demo.sh           run the demo (installs dovecot-pop3d and dovecot-imapd if missing; needs root for that)
#   scripts/demo.sh --reset   forget the demo mailbox and its stored mail first
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD
WORK=$REPO/.work/demo
MAILBOX=demo
IMAP_MAILBOX=demo-imap
IMAP_FOLDER=Archive
DEMO_USER=demo
DEMO_PASSWORD=demo
PREFERRED_PORT=1110 # the port in the sample appsettings.json
PREFERRED_WEBHOOK_PORT=8099
WEBHOOK_PID=
PREFERRED_IMAP_PORT=1143

log() { printf '\n==> %s\n' "$*"; }
die() { printf 'demo.sh: %s\n' "$*" >&2; exit 1; }

source scripts/lib/packages.sh
source scripts/lib/dovecot.sh

count_manifests() {
    if [ -d "data/messages/${1:-$MAILBOX}" ]; then
        find "data/messages/${1:-$MAILBOX}" -name manifest.json | wc -l
    else
        echo 0
    fi
}

# deliver MAILDIR EML...: drops the messages into the Maildir's new/, in order. Dovecot numbers new
# messages by the timestamp in their Maildir names: increasing stamps keep the server's order equal to
# the file order.
deliver() {
    local maildir=$1 stamp n=0
    shift
    stamp=$(date +%s)
    for eml in "$@"; do
        n=$((n + 1))
        name="$((stamp + n)).M${n}P$$Q${n}.mailingest-demo"
        cp "$eml" "$maildir/tmp/$name"
        mv "$maildir/tmp/$name" "$maildir/new/$name"
    done
    echo "$n messages delivered"
}

if [ "${1:-}" = "--reset" ]; then
    log "Forgetting the demo mailbox and what was stored from it"
    rm -rf "$WORK" data/messages/$MAILBOX data/quarantine/$MAILBOX data/state/$MAILBOX.json* data/state/$MAILBOX.journal-* \
        data/messages/$IMAP_MAILBOX data/quarantine/$IMAP_MAILBOX data/state/$IMAP_MAILBOX.json* data/state/$IMAP_MAILBOX.journal-*
elif [ $# -gt 0 ]; then
    die "unknown argument '$1' (only --reset is understood)"
fi

command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH"
install_package dovecot-pop3d /usr/sbin/dovecot
install_package dovecot-imapd /usr/lib/dovecot/imap
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
# The IMAP folder Archive is the Maildir++ subfolder .Archive of the same account.
ARCHIVE=$MAILDIR/.$IMAP_FOLDER
mkdir -p "$MAILDIR/new" "$MAILDIR/cur" "$MAILDIR/tmp" "$ARCHIVE/new" "$ARCHIVE/cur" "$ARCHIVE/tmp"

on_server=$(find "$MAILDIR/new" "$MAILDIR/cur" -type f | wc -l)
if [ "$on_server" -eq 0 ]; then
    log "Delivering demo/mail/*.eml to the POP3 mailbox '$DEMO_USER'"
    deliver "$MAILDIR" demo/mail/*.eml
else
    log "The POP3 mailbox '$DEMO_USER' still holds $on_server messages from an earlier run"
fi
in_folder=$(find "$ARCHIVE/new" "$ARCHIVE/cur" -type f | wc -l)
if [ "$in_folder" -eq 0 ]; then
    log "Delivering three of them to the IMAP folder '$IMAP_FOLDER' of the same account"
    deliver "$ARCHIVE" $(ls demo/mail/*.eml | head -n 3)
else
    log "The IMAP folder '$IMAP_FOLDER' still holds $in_folder messages from an earlier run"
fi
chown -R nobody:nogroup "$MAIL_ROOT/$DEMO_USER"

PORT=$(free_port "$PREFERRED_PORT")
IMAP_PORT=$(free_port "$PREFERRED_IMAP_PORT")
log "Starting Dovecot on 127.0.0.1:$PORT (POP3) and 127.0.0.1:$IMAP_PORT (IMAP)"
dovecot_start mailingest-demo "$WORK" "$MAIL_ROOT" "$PORT" "$DEMO_USER:{PLAIN}$DEMO_PASSWORD" "$IMAP_PORT" || die "Dovecot did not start"
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
      },
      "$IMAP_MAILBOX": {
        "Protocol": "Imap",
        "Host": "127.0.0.1",
        "Port": $IMAP_PORT,
        "Security": "None",
        "Username": "$DEMO_USER",
        "Password": "$DEMO_PASSWORD",
        "Folders": ["$IMAP_FOLDER"]
      }
    }
  }
}
JSON

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
stored_before=$(count_manifests)
imap_before=$(count_manifests "$IMAP_MAILBOX")
log "dotnet run --project src/MailIngest -c Release -- once --config .work/demo/appsettings.json"
rc=0
dotnet run --project src/MailIngest -c Release -- once --config .work/demo/appsettings.json || rc=$?
stored_after=$(count_manifests)
imap_after=$(count_manifests "$IMAP_MAILBOX")

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

log "This run's POP3 and IMAP sessions as Dovecot logged them (messages/bytes fetched: POP3 retr=, IMAP body_count= and body_bytes=)"
grep "pop3($DEMO_USER)" "$WORK/dovecot.log" | grep 'Disconnected' | tail -n 1 || echo "(no POP3 session logged)"
grep "imap($DEMO_USER)" "$WORK/dovecot.log" | grep 'Logged out' | tail -n 1 || echo "(no IMAP session logged)"

if [ "$rc" -ne 0 ]; then
    log "mailingest once exited with $rc (1: a mailbox failed, 2: configuration error)"
    exit "$rc"
fi
if [ "$stored_after" -eq "$stored_before" ] && [ "$imap_after" -eq "$imap_before" ]; then
    log "Nothing new: all $stored_after POP3 and $imap_after IMAP messages were already stored (the ledgers know every UIDL and UID)"
else
    log "Stored $((stored_after - stored_before)) new POP3 messages ($stored_after in all) and $((imap_after - imap_before)) from the IMAP folder $IMAP_FOLDER ($imap_after in all); run again to see that nothing is fetched twice"
fi
