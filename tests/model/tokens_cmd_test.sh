#!/bin/sh
# tokens_cmd_test.sh - `dossier tokens` end to end: ids, count and decode of a text whose ids were read
# off the Hugging Face tokenizers library, and the exit code for a bad id.
set -u
tok="$DS_SOURCE_DIR/extract/data/qwen3-tokenizer.json"
[ -f "$DS_SHARED_DIR/models/qwen3-tokenizer/tokenizer.json" ] && tok="$DS_SHARED_DIR/models/qwen3-tokenizer/tokenizer.json"
fail=0
check() { if [ "$2" != "$3" ]; then echo "FAIL $1: got '$2', want '$3'"; fail=$((fail + 1)); else echo "ok $1"; fi; }

text="Hello world's 1,234,567.89 <|im_start|>user"
want_special="9707 1879 594 220 16 11 17 18 19 11 20 21 22 13 23 24 220 151644 872"
check ids-special "$(printf '%s' "$text" | "$DOSSIER_BIN" tokens --tokenizer "$tok" --special)" "$want_special"
check count "$(printf '%s' "$text" | "$DOSSIER_BIN" tokens --tokenizer "$tok" --count --special)" "19"
# Without --special the marker is text (ids as Hugging Face with encode_special_tokens), and
# decode gives the text back.
ids=$(printf '%s' "$text" | "$DOSSIER_BIN" tokens --tokenizer "$tok")
check ids-plain "$ids" "9707 1879 594 220 16 11 17 18 19 11 20 21 22 13 23 24 82639 318 4906 91 29 872"
check decode "$(echo "$ids" | "$DOSSIER_BIN" tokens --tokenizer "$tok" --decode)" "$text"
echo 999999 | "$DOSSIER_BIN" tokens --tokenizer "$tok" --decode >/dev/null 2>&1
check bad-id-exit "$?" "2"
"$DOSSIER_BIN" tokens --tokenizer /nonexistent/tokenizer.json </dev/null >/dev/null 2>&1
check missing-file-exit "$?" "2"
echo "$((6 - fail)) passed, $fail failed"
[ "$fail" -eq 0 ]
