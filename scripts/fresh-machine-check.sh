#!/usr/bin/env bash
# Runs the README's two commands (scripts/demo.sh, then scripts/test.sh) from a clone in a minimal Debian 12 chroot,
# as a new user on a fresh machine would: only git, libicu72, ca-certificates and this host's .NET SDK are added, so
# anything else the scripts or tests need must be installed by the scripts themselves. See docs/fresh-machine.md.
#
#   scripts/fresh-machine-check.sh [--keep] [REF] [DIR]
#     REF    branch, tag or commit of this repository to clone (default: the checked-out commit)
#     DIR    where the chroot is built (default: /var/tmp/mailingest-fresh); it must not exist yet
#     --keep leave the chroot in place afterwards (default: deleted once everything in it is unmounted)
#
# Needs root (debootstrap, chroot, mount) and reaches Debian's mirror, NuGet and npm as this host does.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPO=$PWD

log() { printf '\n==> %s\n' "$*"; }
die() { printf 'fresh-machine-check.sh: %s\n' "$*" >&2; exit 2; }

KEEP=0
if [ "${1:-}" = "--keep" ]; then
    KEEP=1
    shift
fi
REF=${1:-$(git rev-parse HEAD)}
ROOT=${2:-/var/tmp/mailingest-fresh}
SUITE=bookworm

[ "$(id -u)" -eq 0 ] || die "run it as root: debootstrap, chroot and mount need it"
COMMIT=$(git rev-parse --verify --quiet "$REF^{commit}") || die "'$REF' is not a commit of $REPO"
[ ! -e "$ROOT" ] || die "$ROOT exists; remove it (nothing may be mounted under it) or name another folder"
ROOT=$(realpath -m "$ROOT")

# The SDK as the host has it, mounted read-only at the same path: `dotnet` is a link into that folder.
command -v dotnet >/dev/null 2>&1 || die "the .NET SDK (dotnet) is not on PATH"
DOTNET_HOME=$(dirname "$(readlink -f "$(command -v dotnet)")")
dotnet --list-sdks | grep -qF "[$DOTNET_HOME/sdk]" || die "no SDK under $DOTNET_HOME (dotnet --list-sdks: $(dotnet --list-sdks | tr '\n' ' '))"
GIT_DIR=$(realpath "$(git rev-parse --git-common-dir)")

source scripts/lib/packages.sh
install_package debootstrap /usr/sbin/debootstrap

MOUNTED=()
# bind SOURCE TARGET [ro]: a bind mount under the chroot, recorded for cleanup.
bind() {
    mkdir -p "$ROOT$2"
    mount --rbind "$1" "$ROOT$2"
    mount --make-rslave "$ROOT$2"
    MOUNTED+=("$ROOT$2")
    if [ "${3:-}" = ro ]; then
        mount -o remount,bind,ro "$ROOT$2"
    fi
}

# Prints the processes whose root is the chroot: the test suite must leave none behind.
chroot_processes() {
    local proc
    for proc in /proc/[0-9]*; do
        if [ "$(readlink "$proc/root" 2>/dev/null)" = "$ROOT" ]; then
            printf '%s %s\n' "${proc#/proc/}" "$(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null)"
        fi
    done
}

cleanup() {
    local rc=$? pid left
    left=$(chroot_processes)
    if [ -n "$left" ]; then
        printf '\n==> %s processes were still running in the chroot; killing them:\n%s\n' "$(wc -l <<<"$left")" "$left"
        while read -r pid _; do kill -KILL "$pid" 2>/dev/null || true; done <<<"$left"
        sleep 1
    fi
    local i
    for ((i = ${#MOUNTED[@]} - 1; i >= 0; i--)); do
        umount -R "${MOUNTED[i]}" 2>/dev/null || umount -R -l "${MOUNTED[i]}" || true
    done
    if grep -qF " $ROOT/" /proc/self/mountinfo; then
        printf 'fresh-machine-check.sh: something is still mounted under %s; it is left in place:\n' "$ROOT" >&2
        grep -F " $ROOT/" /proc/self/mountinfo >&2
    elif [ "$KEEP" -eq 0 ] && [ -d "$ROOT" ]; then
        rm -rf --one-file-system "$ROOT"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "debootstrap --variant=minbase $SUITE $ROOT"
started=$SECONDS
debootstrap --variant=minbase "$SUITE" "$ROOT" >"$ROOT.debootstrap.log" 2>&1 \
    || { tail -n 20 "$ROOT.debootstrap.log" >&2; die "debootstrap failed (log: $ROOT.debootstrap.log)"; }
rm -f "$ROOT.debootstrap.log"
echo "done in $((SECONDS - started)) s"

bind /dev /dev
bind /proc /proc
bind /sys /sys
bind "$DOTNET_HOME" "$DOTNET_HOME" ro
bind "$GIT_DIR" /mnt/origin.git ro

# The host's way out: its name servers and its apt network settings (a proxy, a mirror's validity rules).
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
for conf in /etc/apt/apt.conf.d/*; do
    if grep -q '^[[:space:]]*Acquire::' "$conf" 2>/dev/null; then
        cp "$conf" "$ROOT/etc/apt/apt.conf.d/"
    fi
done

in_chroot() {
    chroot "$ROOT" /usr/bin/env \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root DEBIAN_FRONTEND=noninteractive \
        bash -c "$1"
}

log "Adding git, libicu72, ca-certificates and the .NET SDK ($DOTNET_HOME)"
in_chroot "apt-get update -qq && apt-get install -y -qq --no-install-recommends git libicu72 ca-certificates >/dev/null"
ln -s "$DOTNET_HOME/dotnet" "$ROOT/usr/bin/dotnet"
# Extra certificate authorities the host trusts (a TLS-inspecting proxy's), so NuGet and npm work as they do here.
if compgen -G "/usr/local/share/ca-certificates/*" >/dev/null; then
    cp -r /usr/local/share/ca-certificates/. "$ROOT/usr/local/share/ca-certificates/"
fi
in_chroot "update-ca-certificates >/dev/null"
in_chroot "dotnet --version"

log "Cloning $COMMIT"
in_chroot "git clone -q /mnt/origin.git /root/mailingest && git -C /root/mailingest checkout -q --detach $COMMIT"

log "scripts/demo.sh"
demo_rc=0
started=$SECONDS
in_chroot "cd /root/mailingest && scripts/demo.sh" || demo_rc=$?
demo_seconds=$((SECONDS - started))

log "scripts/test.sh"
test_rc=0
started=$SECONDS
in_chroot "cd /root/mailingest && scripts/test.sh" 2>&1 | tee "$ROOT.test-output.txt" || test_rc=${PIPESTATUS[0]}
test_seconds=$((SECONDS - started))

left=$(chroot_processes)
log "Results for $COMMIT in a minimal Debian $SUITE"
echo "scripts/demo.sh: exit $demo_rc, $demo_seconds s"
echo "scripts/test.sh: exit $test_rc, $((test_seconds / 60)) min $((test_seconds % 60)) s, $(grep -E '^(Tests: |No test results)' "$ROOT.test-output.txt" | tail -n 1)"
echo "processes left running in the chroot: $(grep -c . <<<"$left" || true)"
echo "full test output: $ROOT.test-output.txt"
[ "$demo_rc" -eq 0 ] && [ "$test_rc" -eq 0 ] && [ -z "$left" ]
