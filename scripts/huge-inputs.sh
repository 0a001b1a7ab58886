#!/usr/bin/env bash
# Huge and odd inputs through the real ./calm (issue 13, goal 1; docs/RELIABILITY.md):
#   scripts/huge-inputs.sh [WORK_DIR]        (default: a new folder under /tmp; kept for a look)
# Cases: a 50 MB single-line text corpus and the same as one JSONL line (tokenizer train, ae train
# with the tiny preset for 2 steps, ae encode --input), a corpus folder with symbolic-link loops, a
# dangling link, a link loop and a link to a file of the same folder, and autoencoder checkpoints whose
# model.safetensors declares a huge tensor (400 GB in a 4.8 MB file; 4 GB in a real, sparse 4 GB file
# with a shape not the model's; a header length of 2^62), and a training whose memory-mapped token
# cache is cut in half under it. Each case runs under /usr/bin/time -v with a
# guard that kills it above RSS_LIMIT_MB (default 8192) or TIME_LIMIT seconds (default 600), and
# prints: case, exit code (expected), seconds, peak RSS, and the `error:` line or the last line of
# output. Exit status 1 if any case's exit code is not the expected one, or a refusal is not exactly
# one `error:` line without a stack trace.
# Needs python3 (to write the inputs), GNU time (/usr/bin/time) and about 4.5 GB of free disk
# address space (the sparse file takes a few MB of real disk).
set -uo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="${1:-$(mktemp -d /tmp/huge-inputs.XXXXXX)}"
mkdir -p "$work"
rss_limit_mb="${RSS_LIMIT_MB:-8192}"
time_limit="${TIME_LIMIT:-600}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
ae_src="$root/sample-projects/grammar-english/runs/sample-autoencoder"
corpus_src="$root/sample-projects/grammar-english/corpus/train.jsonl"
[ -x /usr/bin/time ] || { echo "error: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 1; }

# ---- inputs ----
python3 - "$corpus_src" "$work" "$ae_src" <<'EOF'
import json, os, shutil, struct, sys
corpus, work, ae = sys.argv[1:4]
texts = [json.loads(l)["text"] for l in open(corpus, encoding="utf-8")]
s = " ".join(t.replace("\n", " ") for t in texts) + " "
size = 50 * 1024 * 1024
line = (s * (size // len(s) + 1))[:size]                     # 50 MB, no line break
open(os.path.join(work, "line50.txt"), "w", encoding="utf-8").write(line)
open(os.path.join(work, "line50.jsonl"), "w", encoding="utf-8").write(json.dumps({"text": line}) + "\n")

loop = os.path.join(work, "loop")                             # a folder with links that loop
shutil.rmtree(loop, ignore_errors=True)
os.makedirs(os.path.join(loop, "sub"))
with open(os.path.join(loop, "sub", "a.jsonl"), "w", encoding="utf-8") as f:
    for t in texts[:150]:
        f.write(json.dumps({"text": t}) + "\n")
for name, target in [("self", "."), ("sub/up", ".."), ("link.jsonl", "sub/a.jsonl"),
                     ("dangling.txt", "nowhere.txt"), ("loop-a.txt", "loop-b.txt"), ("loop-b.txt", "loop-a.txt")]:
    os.symlink(target, os.path.join(loop, name))

f = open(os.path.join(ae, "model.safetensors"), "rb")
n = struct.unpack("<Q", f.read(8))[0]
header = json.loads(f.read(n)); data = f.read()
name = "encoder.embed_tokens.weight"
def checkpoint(kind, header, data, sparse_to=None, first8=None):
    out = os.path.join(work, "st-" + kind)
    shutil.rmtree(out, ignore_errors=True); shutil.copytree(ae, out)
    path = os.path.join(out, "model.safetensors")
    hb = json.dumps(header).encode(); hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(path, "wb") as g:
        g.write(struct.pack("<Q", first8 if first8 is not None else len(hb))); g.write(hb); g.write(data)
    if sparse_to is not None:
        os.truncate(path, 8 + len(hb) + sparse_to)
def relayout(header, data):  # the other tensors packed in order; `name` to go last
    out, parts, pos = {}, [], 0
    for k, v in header.items():
        if k in (name, "__metadata__"): continue
        b, e = v["data_offsets"]; parts.append(data[b:e]); out[k] = dict(v, data_offsets=[pos, pos + e - b]); pos += e - b
    out["__metadata__"] = header["__metadata__"]
    return out, b"".join(parts), pos
h = dict(header); h[name] = {"dtype": "F32", "shape": [1000000, 100000], "data_offsets": [len(data), len(data) + 400 * 10**9]}
checkpoint("declared-400GB", h, data)
h, d, pos = relayout(header, data); numel = 1073741800                    # 4 GB, under Java's array limit
h[name] = {"dtype": "F32", "shape": [numel], "data_offsets": [pos, pos + 4 * numel]}
checkpoint("sparse-4GB", h, d, sparse_to=pos + 4 * numel)
checkpoint("header-2^62", header, data, first8=2**62)
EOF
[ $? -eq 0 ] || { echo "error: could not write the inputs in $work" >&2; exit 1; }

# ---- cases ----
"$root/calm" version > /dev/null || exit 1 # builds first if the sources changed, so no case times a build
failures=0
printf '%-34s %-9s %8s %9s  %s\n' "case" "exit(exp)" "seconds" "peak RSS" "message"
# run NAME EXPECTED_EXIT calm-arguments...
run() {
  local name="$1" expected="$2"; shift 2
  local log="$work/$name"
  export CALM_CACHE_DIR="$work/cache-$name"   # a fresh token cache: every case tokenizes
  rm -rf "$CALM_CACHE_DIR"
  /usr/bin/time -v -o "$log.time" "$root/calm" "$@" > "$log.out" 2> "$log.err" &
  local pid=$! start=$SECONDS killed=""
  while kill -0 "$pid" 2> /dev/null; do
    local rss=0 p r
    for p in $(pgrep -P "$pid"); do
      r=$(awk '/VmRSS/ {print $2}' "/proc/$p/status" 2> /dev/null); rss=$(( rss + ${r:-0} ))
    done
    if [ "$rss" -gt $(( rss_limit_mb * 1024 )) ]; then killed="RSS over $rss_limit_mb MB"; pkill -KILL -P "$pid"; fi
    if [ $(( SECONDS - start )) -gt "$time_limit" ]; then killed="over $time_limit s"; pkill -KILL -P "$pid"; fi
    sleep 0.2
  done
  wait "$pid"; local code=$?
  local secs rss_kb msg ok=yes
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; printf "%.1f", s}' "$log.time")
  rss_kb=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log.time")
  if [ "$code" -eq 0 ]; then
    msg=$(tr '\r' '\n' < "$log.out" | grep -v '^\s*$' | tail -n 1)
  else
    msg=$(grep -a '^error:\|^internal error' "$log.err" | head -n 3)
    [ "$(grep -ac '^error:' "$log.err")" -eq 1 ] || ok=no
    ! grep -aq $'\tat \|Exception in thread' "$log.err" || ok=no
  fi
  [ -z "$killed" ] || { msg="KILLED ($killed); $msg"; ok=no; }
  [ "$code" -eq "$expected" ] || ok=no
  [ "$ok" = yes ] || failures=$((failures + 1))
  printf '%-34s %-9s %8s %6s MB  %s%s\n' "$name" "$code($expected)" "${secs:-?}" "$(( ${rss_kb:-0} / 1024 ))" \
    "$([ "$ok" = yes ] || echo 'FAIL: ')" "${msg:0:400}"
}

run text-50MB-line:tokenizer-train 0 tokenizer train --corpus "$work/line50.txt" --vocab-size 300 --out "$work/tok-text"
run text-50MB-line:ae-train        0 ae train --corpus "$work/line50.txt" --tokenizer "$work/tok-text" --preset tiny --steps 2 --out "$work/ae-text"
run jsonl-50MB-line:tokenizer-train 0 tokenizer train --corpus "$work/line50.jsonl" --vocab-size 300 --out "$work/tok-jsonl"
run jsonl-50MB-line:ae-train       0 ae train --corpus "$work/line50.jsonl" --tokenizer "$work/tok-text" --preset tiny --steps 2 --out "$work/ae-jsonl"
run text-50MB:ae-encode-input      2 ae encode --checkpoint "$ae_src" --input "$work/line50.txt"
run symlink-loop:tokenizer-train   0 tokenizer train --corpus "$work/loop" --vocab-size 300 --out "$work/tok-loop"
run symlink-loop:ae-train          0 ae train --corpus "$work/loop" --tokenizer "$work/tok-text" --preset tiny --steps 2 --out "$work/ae-loop"
run safetensors-declared-400GB     2 ae encode --checkpoint "$work/st-declared-400GB" --text "Tom has a lion."
run safetensors-sparse-4GB         2 ae encode --checkpoint "$work/st-sparse-4GB" --text "Tom has a lion."
run safetensors-header-2^62        2 ae encode --checkpoint "$work/st-header-2^62" --text "Tom has a lion."

# A real training whose memory-mapped token cache (the 50 MB corpus: 32 M train tokens, over the
# 16 M that are read onto the heap) is cut in half 3 s after its first step: one error line naming
# the file, exit 2; the kept checkpoint loads.
export CALM_CACHE_DIR="$work/cache-truncated"
rm -rf "$CALM_CACHE_DIR" "$work/ae-truncated"
t="$work/mapped-cache-truncated"
/usr/bin/time -v -o "$t.time" "$root/calm" ae train --corpus "$work/line50.txt" --tokenizer "$work/tok-text" --preset tiny \
  --steps 100000000 --set checkpoint_every=1 --out "$work/ae-truncated" > "$t.out" 2> "$t.err" &
tpid=$!
for _ in $(seq 1 3000); do grep -aq 'ae train .* [0-9]*/' "$t.err" 2> /dev/null && break; kill -0 "$tpid" 2> /dev/null || break; sleep 0.2; done
sleep 3
bin="$(ls "$CALM_CACHE_DIR"/tokens/*/train.bin 2> /dev/null | head -n 1)"
if [ -n "$bin" ]; then truncate -s $(( $(stat -c %s "$bin") / 2 )) "$bin"; fi
for _ in $(seq 1 600); do kill -0 "$tpid" 2> /dev/null || break; sleep 0.2; done
kill -0 "$tpid" 2> /dev/null && pkill -KILL -P "$tpid" # still training 120 s after the cut: a failure
wait "$tpid"; code=$?
msg=$(grep -a '^error:\|^internal error' "$t.err" | head -n 3)
loads=no; "$root/calm" ae encode --checkpoint "$work/ae-truncated" --text "Tom has a lion." > /dev/null 2>&1 && loads=yes
ok=yes
{ [ "$code" -eq 2 ] && [ "$(grep -ac '^error:' "$t.err")" -eq 1 ] && [ "$loads" = yes ] && [ -n "$bin" ]; } || ok=no
[ "$ok" = yes ] || failures=$((failures + 1))
printf '%-34s %-9s %8s %6s MB  %s%s (kept checkpoint loads: %s)\n' "mapped-cache-truncated:ae-train" "$code(2)" \
  "$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; printf "%.1f", s}' "$t.time")" \
  "$(( $(awk -F': ' '/Maximum resident set size/ {print $2}' "$t.time") / 1024 ))" "$([ "$ok" = yes ] || echo 'FAIL: ')" \
  "${msg:0:400}" "$loads"

# The symlink-loop corpus holds 150 documents once (its link to sub/a.jsonl is the same file).
split=$(grep -a '^split:' "$work/symlink-loop:ae-train.err" | head -n 1)
echo "symlink-loop documents: ${split:-?}"
case "$split" in
  *"train tokens ("*) docs=$(echo "$split" | sed -E 's/.*train tokens \(([0-9,]+) documents\).* tokens \(([0-9,]+) documents\).*/\1+\2/' | tr -d ,)
                      [ "$(( docs ))" -eq 150 ] || { echo "FAIL: the loop corpus gave $(( docs )) documents, not 150"; failures=$((failures + 1)); } ;;
esac
rm -f "$work/st-sparse-4GB/model.safetensors" # 4 GB of address space, however sparse
echo "work folder: $work; failures: $failures"
[ "$failures" -eq 0 ]
