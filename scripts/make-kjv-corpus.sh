#!/usr/bin/env bash
# Writes the King James Bible as a plain-text corpus with ONE CHAPTER PER LINE and no blank lines
# (1,189 lines, about 4.2 MB): real English prose in the layout that used to defeat the
# train/validation split (a file without blank lines), used by docs/BENCHMARKS.md and
# docs/EXPERIMENTS.md as the second real corpus next to WikiText. The text comes from Debian's
# bible-kjv package (public domain); it is installed when missing (needs root and apt).
#
#   scripts/make-kjv-corpus.sh /tmp/kjv.txt
set -euo pipefail
out="${1:?usage: $0 OUT.txt}"
if ! command -v bible > /dev/null 2>&1; then
  apt-get install -y -qq bible-kjv > /dev/null
fi
# bible prints "Book N" headers, then verses "  V text" wrapped over several lines.
bible Gen1:1-Rev22:21 | python3 -c '
import re, sys
chapter = []
def flush():
    if chapter:
        print(" ".join(chapter))
        chapter.clear()
for line in sys.stdin:
    line = line.rstrip("\n")
    if not line.strip():
        continue
    if re.match(r"^[1-3]?\s?[A-Z][A-Za-z ]+ \d+$", line):   # a chapter header such as "Genesis 1"
        flush()
        continue
    m = re.match(r"^\s+\d+ (.*)$", line)                    # a verse: drop its number
    chapter.append((m.group(1) if m else line).strip())
flush()
' > "$out"
echo "$(wc -l < "$out") chapters, $(wc -c < "$out") bytes in $out" >&2
