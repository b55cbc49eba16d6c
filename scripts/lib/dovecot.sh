# Sourced by scripts/demo.sh and bench/run.sh: a private Dovecot POP3 (and, when asked, IMAP) server
# on loopback ports, with its own config, base_dir, state_dir and log, apart from any system Dovecot.

# True when something listens on 127.0.0.1:PORT.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Prints PREFERRED when it is free, else a free port in 20000-59999.
free_port() {
    local preferred=${1:-} port
    if [ -n "$preferred" ] && ! port_in_use "$preferred"; then
        echo "$preferred"
        return
    fi
    for _ in $(seq 50); do
        port=$((20000 + RANDOM % 40000))
        if ! port_in_use "$port"; then
            echo "$port"
            return
        fi
    done
    printf 'no free loopback port found\n' >&2
    return 1
}

# True when a POP3 server answers "+OK" on the port; call it in a subshell so fd 3 never leaks.
pop3_greets() {
    local line=
    exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
    read -r -t 2 line <&3 || return 1
    printf 'QUIT\r\n' >&3
    [[ "$line" == +OK* ]]
}

# True when an IMAP server answers "* OK" on the port; in a subshell, as pop3_greets.
imap_greets() {
    local line=
    exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
    read -r -t 2 line <&3 || return 1
    printf 'a LOGOUT\r\n' >&3
    [[ "$line" == "* OK"* ]]
}

DOVECOT_PID=
DOVECOT_CONF=
DOVECOT_RUN_DIR=

# dovecot_start NAME WORK MAIL_ROOT PORT USERS [IMAP_PORT]: writes WORK/dovecot.conf for Maildirs under
# MAIL_ROOT/USER (served as nobody: Dovecot refuses uid 0), USERS as passwd-file lines
# ("user:{PLAIN}password"), POP3 on PORT and, given IMAP_PORT, IMAP there too; starts Dovecot and waits
# for its greetings. Call dovecot_stop on EXIT.
dovecot_start() {
    local name=$1 work=$2 mail_root=$3 port=$4 users=$5 imap_port=${6:-}
    mkdir -p "$work/state"
    # Sockets go to a short temp folder (a Unix socket path must stay under 108 bytes); so does the
    # passwd-file, which Dovecot's auth process reads as user dovecot.
    DOVECOT_RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/$name.XXXXXX")
    chmod 755 "$DOVECOT_RUN_DIR"
    printf '%s\n' "$users" >"$DOVECOT_RUN_DIR/users"
    chmod 644 "$DOVECOT_RUN_DIR/users"
    DOVECOT_CONF=$work/dovecot.conf
    cat >"$DOVECOT_CONF" <<CONF
# Written by scripts/lib/dovecot.sh for $name.
protocols = pop3${imap_port:+ imap}
listen = 127.0.0.1
base_dir = $DOVECOT_RUN_DIR/run
state_dir = $work/state
instance_name = $name
log_path = $work/dovecot.log
info_log_path = $work/dovecot.log
log_timestamp = "%Y-%m-%d %H:%M:%S "
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:$mail_root/%u/Maildir
pop3_uidl_format = %08Xu%08Xv
pop3_logout_format = top=%t/%p, retr=%r/%b, del=%d/%m, size=%s
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $DOVECOT_RUN_DIR/users
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$mail_root/%u
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = $port
  }
  inet_listener pop3s {
    port = 0
  }
}
CONF
    if [ -n "$imap_port" ]; then
        cat >>"$DOVECOT_CONF" <<CONF
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $imap_port
  }
  inet_listener imaps {
    port = 0
  }
}
CONF
    fi
    "$(command -v dovecot || echo /usr/sbin/dovecot)" -F -c "$DOVECOT_CONF" >>"$work/dovecot.out" 2>&1 &
    DOVECOT_PID=$!
    for _ in $(seq 150); do
        kill -0 "$DOVECOT_PID" 2>/dev/null || break
        if (pop3_greets "$port") 2>/dev/null && { [ -z "$imap_port" ] || (imap_greets "$imap_port") 2>/dev/null; }; then
            return 0
        fi
        sleep 0.1
    done
    tail -n 20 "$work/dovecot.out" "$work/dovecot.log" >&2 2>/dev/null || true
    printf 'Dovecot did not greet on port %s%s\n' "$port" "${imap_port:+ and $imap_port}" >&2
    return 1
}

dovecot_stop() {
    if [ -n "$DOVECOT_PID" ] && kill -0 "$DOVECOT_PID" 2>/dev/null; then
        "$(command -v doveadm || echo /usr/bin/doveadm)" -c "$DOVECOT_CONF" stop >/dev/null 2>&1 || kill "$DOVECOT_PID" 2>/dev/null || true
        wait "$DOVECOT_PID" 2>/dev/null || true
    fi
    if [ -n "$DOVECOT_RUN_DIR" ]; then rm -rf "$DOVECOT_RUN_DIR"; fi
}
