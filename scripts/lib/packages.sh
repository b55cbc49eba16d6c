# Sourced by scripts/demo.sh, scripts/test.sh and bench/run.sh.

# install_package PACKAGE PATH-GLOB: apt-get install the Debian PACKAGE unless a file matching PATH-GLOB exists.
# The scripts start private server instances (Dovecot, PostgreSQL), so the package must not start its system service.
install_package() {
    local package=$1 probe=$2
    if compgen -G "$probe" >/dev/null; then
        return
    fi
    if [ "$(id -u)" -ne 0 ]; then
        printf '%s is not installed; run as root or "apt-get install %s" first\n' "$package" "$package" >&2
        return 1
    fi
    printf '==> Installing %s\n' "$package"
    export DEBIAN_FRONTEND=noninteractive
    local policy=/usr/sbin/policy-rc.d created=0 rc=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod +x "$policy"
        created=1
    fi
    # Refresh the package lists only when the install cannot find the package without them.
    apt-get install -y -qq --no-install-recommends "$package" >/dev/null 2>&1 \
        || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "$package" >/dev/null; } \
        || rc=$?
    if [ "$created" -eq 1 ]; then rm -f "$policy"; fi
    if [ "$rc" -ne 0 ]; then
        printf 'apt-get install %s failed (exit %s)\n' "$package" "$rc" >&2
    fi
    return "$rc"
}

# What publishing mailingest needs besides the .NET SDK: it is compiled ahead of time into a native executable
# (docs/architecture.md, "The build"), which the SDK links with clang against zlib.
install_native_toolchain() {
    install_package clang /usr/bin/clang
    install_package zlib1g-dev /usr/include/zlib.h
}
