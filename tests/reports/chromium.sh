# chromium.sh - sourced by report tests (after testdb.sh): chromium_check HTML PNG renders a
# report in headless Chromium to a screenshot and fails on page errors or a missing image.
chromium_check() {
    if ! command -v chromium >/dev/null 2>&1; then
        fail "chromium is not installed (jobs/install-deps.sh installs it)"
        return
    fi
    timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --user-data-dir="$TMP/chromium-profile" --enable-logging=stderr --v=0 --window-size=1200,2400 \
        --screenshot="$2" "file://$1" >"$TMP/chromium.log" 2>&1 || fail "chromium exited with an error"
    size=$(stat -c %s "$2" 2>/dev/null || echo 0)
    [ "$size" -gt 20000 ] && echo "ok: chromium screenshot of $(basename "$1") ($size bytes)" || fail "no screenshot (size $size)"
    if grep -E 'CONSOLE|Uncaught|Failed to load' "$TMP/chromium.log" >/dev/null; then
        grep -E 'CONSOLE|Uncaught|Failed to load' "$TMP/chromium.log" | head -5
        fail "chromium reported page errors"
    else
        echo "ok: no page errors"
    fi
}
