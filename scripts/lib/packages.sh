# Sourced by scripts/demo.sh and scripts/test.sh: installs Debian's dovecot-pop3d when it is missing.
# Both scripts start private Dovecot instances, so the package must not start the system-wide service.

install_dovecot() {
    if command -v dovecot >/dev/null 2>&1 || [ -x /usr/sbin/dovecot ]; then
        return
    fi
    if [ "$(id -u)" -ne 0 ]; then
        printf 'dovecot is not installed; run as root or "apt-get install dovecot-pop3d" first\n' >&2
        return 1
    fi
    printf '==> Installing dovecot-pop3d\n'
    export DEBIAN_FRONTEND=noninteractive
    local policy=/usr/sbin/policy-rc.d created=0 rc=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
        created=1
    fi
    # Refresh the package lists only when the install cannot find the package without them.
    apt-get install -y -qq --no-install-recommends dovecot-pop3d >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq --no-install-recommends dovecot-pop3d >/dev/null; } \
        || rc=$?
    if [ "$created" -eq 1 ]; then rm -f "$policy"; fi
    if [ "$rc" -ne 0 ]; then
        printf 'apt-get install dovecot-pop3d failed (exit %s)\n' "$rc" >&2
    fi
    return "$rc"
}
