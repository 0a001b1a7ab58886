#!/usr/bin/env bash
# The two encoders of one tokenizer.json side by side (docs/DECISIONS.md, "Two encoders for one
# format"): the built-in ByteLevelBpeTokenizer and Hugging Face's library (HfTokenizer) on the same
# file and documents; prints whether the ids differ and how long each takes.
#   scripts/tokenizer-encoders.sh [TOKENIZER_JSON] [JSONL]
# Defaults: the sample project's tokenizer and ../shared's WikiText-103 test set. Needs a build (./calm builds).
set -euo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tok="${1:-$root/sample-projects/grammar-english/runs/sample-autoencoder/tokenizer.json}"
docs="${2:-$root/../shared/data/wikitext103-test.jsonl}"
cp="$(ls "$root"/app/target/app-*.jar | head -1):$(ls "$root"/app/target/lib/*.jar | tr '\n' ':')"
src="$(mktemp -d)/TokenizerEncoders.java"
cat > "$src" <<'JAVA'
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.calmworkbench.backend.tokenizer.HfTokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizers;

public class TokenizerEncoders {
  public static void main(String[] a) throws Exception {
    List<String> docs = new ArrayList<>();
    for (String l : Files.readAllLines(Path.of(a[1]))) {
      if (!l.isBlank()) {
        docs.add(JsonParser.parseString(l).getAsJsonObject().get("text").getAsString());
      }
    }
    Tokenizer cold = Tokenizers.load(Path.of(a[0]));
    long c0 = System.nanoTime();
    docs.forEach(cold::encode);
    long c1 = System.nanoTime();
    try (HfTokenizer coldHf = HfTokenizer.load(Path.of(a[0]))) {
      long c2 = System.nanoTime();
      docs.forEach(coldHf::encode);
      long c3 = System.nanoTime();
      System.out.printf(Locale.ROOT, "first pass after loading: %s %.2f s, HfTokenizer %.2f s%n",
          cold.getClass().getSimpleName(), (c1 - c0) / 1e9, (c3 - c2) / 1e9);
    }
    Tokenizer java = Tokenizers.load(Path.of(a[0]));
    try (HfTokenizer hf = HfTokenizer.load(Path.of(a[0]))) {
      long tokens = 0;
      int differ = 0;
      for (String d : docs) {
        int[] ids = java.encode(d);
        tokens += ids.length;
        differ += Arrays.equals(ids, hf.encode(d)) ? 0 : 1;
      }
      System.out.printf(Locale.ROOT, "%d documents, %d tokens; documents whose ids differ: %d%n", docs.size(), tokens, differ);
      for (int rep = 0; rep < 3; rep++) {
        long t0 = System.nanoTime();
        docs.forEach(java::encode);
        long t1 = System.nanoTime();
        docs.forEach(hf::encode);
        long t2 = System.nanoTime();
        System.out.printf(Locale.ROOT, "again: %s %.2f s, HfTokenizer %.2f s%n", java.getClass().getSimpleName(),
            (t1 - t0) / 1e9, (t2 - t1) / 1e9);
      }
    }
  }
}
JAVA
java -Dai.djl.offline=true -cp "$cp" "$src" "$tok" "$docs" 2>&1 | grep -v -E '^SLF4J|^\[W'
