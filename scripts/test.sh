#!/usr/bin/env bash
# Installs what the tests need and runs every test project of MailIngest.sln.
# Tests talk to real servers (DESIGN.md): Dovecot for POP3 now, Azurite for blob storage later.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '==> %s\n' "$*"; }

source scripts/lib/dovecot.sh

install_azurite() {
    local tools=.work/tools
    if [ -x "$tools/node_modules/.bin/azurite" ]; then
        return
    fi
    if ! command -v npm >/dev/null 2>&1; then
        log "npm not found: Azurite is not installed (blob storage tests will need it)"
        return
    fi
    log "Installing azurite into $tools"
    mkdir -p "$tools"
    # Not fatal: no test needs Azurite yet, and a registry hiccup must not fail the run.
    npm install --prefix "$tools" --no-audit --no-fund --loglevel=error azurite >/dev/null 2>&1 \
        || log "warning: npm install azurite failed; continuing"
}

# Prints one closing line in the plain 'N passed, N failed, N skipped' form, summed over the
# per-assembly results of 'dotnet test': "Passed: 10" lines under "Total tests:" at normal
# verbosity, or "Passed!  - Failed: 0, Passed: 10, Skipped: 0, ..." at minimal verbosity.
summarize() {
    awk '
        /^(Passed|Failed)! +- +Failed:/ {
            line = $0
            gsub(/[,:]/, " ", line)
            n = split(line, f, " ")
            for (i = 1; i < n; i++) count(f[i], f[i + 1])
            next
        }
        /^[[:space:]]+(Passed|Failed|Skipped): [0-9]+[[:space:]]*$/ {
            sub(/:/, "", $1)
            count($1, $2)
        }
        function count(name, value) {
            if (name == "Passed") passed += value
            else if (name == "Failed") failed += value
            else if (name == "Skipped") skipped += value
            else return
            found = 1
        }
        END {
            if (found) printf "Tests: %d passed, %d failed, %d skipped\n", passed, failed, skipped
            else print "No test results were printed (did the build fail?)"
        }' "$1"
}

install_dovecot
install_azurite

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
mkdir -p .work
output=.work/test-output.txt
rc=0
dotnet test MailIngest.sln -c Release --logger "console;verbosity=normal" 2>&1 | tee "$output" || rc=${PIPESTATUS[0]}
echo
summarize "$output"
exit "$rc"
