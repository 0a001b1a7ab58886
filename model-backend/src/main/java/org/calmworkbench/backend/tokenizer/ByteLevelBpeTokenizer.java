package org.calmworkbench.backend.tokenizer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import org.calmworkbench.backend.CalmException;

/**
 * Byte-level BPE as in GPT-2 and Hugging Face's {@code BPE} model with the {@code ByteLevel}
 * pre-tokenizer and decoder: text is split into words ({@link ByteLevel#PRE_TOKENIZER}), each word
 * becomes its UTF-8 bytes, and merges are applied lowest rank first until none applies.
 *
 * <p>Because every byte has a token, {@code decode(encode(s)).equals(s)} for every well-formed
 * string (an unpaired surrogate has no UTF-8 form and comes back as '?'). Special tokens (such as
 * {@value #END_OF_TEXT}) are only ever produced by the caller: the text "&lt;|endoftext|&gt;" is
 * encoded as ordinary bytes. (Hugging Face's library would instead match it as the special token.)
 *
 * <p>Immutable and thread-safe; encode caches the ids of each word it has seen.
 */
public final class ByteLevelBpeTokenizer implements Tokenizer {
  /** The padding token; id 0 in tokenizers trained by {@link BpeTrainer}. */
  public static final String PAD = "<|pad|>";

  /** The end-of-text token; id 1 ({@link #eosId()}) in tokenizers trained by {@link BpeTrainer}. */
  public static final String END_OF_TEXT = "<|endoftext|>";

  /** One merge rule, as written in {@code tokenizer.json}: two tokens that become one. */
  public record Merge(String left, String right) {}

  /** Words longer than this (in chars) are encoded but not cached, so the cache stays small. */
  private static final int MAX_CACHED_WORD_LENGTH = 256;

  /** The cache is emptied when it reaches this many words (simple bound on memory). */
  private static final int MAX_CACHE_SIZE = 1 << 18;

  private final String[] tokens; // id -> token as in tokenizer.json; null for an unused id
  private final List<Merge> merges; // rank order: merges.get(0) applies first
  private final Set<Integer> specialIds;
  private final boolean ignoreMerges;
  private final Map<String, Integer> ids; // token -> id
  private final int[] byteIds; // byte value -> id of its one-byte token
  private final Map<Long, Long> mergeTable; // (leftId, rightId) -> rank << 32 | mergedId
  private final byte[][] tokenBytes; // id -> the bytes it decodes to
  private final int eosId;
  private final Map<String, int[]> cache = new ConcurrentHashMap<>();

  /**
   * @param tokens token strings by id, in Hugging Face's byte-level form (e.g. "Ġthe"); special
   *     tokens in plain text; {@code null} marks an unused id
   * @param merges merge rules in rank order; every side and every result must be a token
   * @param specialIds ids of special tokens: never produced by {@link #encode}
   * @param ignoreMerges Hugging Face's {@code ignore_merges}: a word that is itself a token is
   *     encoded as that token without applying merges
   * @throws CalmException if a byte has no token, a merge names an unknown token, or a token
   *     appears twice
   */
  public ByteLevelBpeTokenizer(
      List<String> tokens, List<Merge> merges, Collection<Integer> specialIds, boolean ignoreMerges) {
    this.tokens = tokens.toArray(new String[0]);
    this.merges = List.copyOf(merges);
    this.specialIds = Collections.unmodifiableSet(new TreeSet<>(specialIds));
    this.ignoreMerges = ignoreMerges;

    ids = new HashMap<>(this.tokens.length * 2);
    for (int id = 0; id < this.tokens.length; id++) {
      String token = this.tokens[id];
      if (token == null) {
        continue;
      }
      Integer previous = ids.put(token, id);
      if (previous != null) {
        throw new CalmException(
            "token '" + token + "' has two ids, " + previous + " and " + id + "; each token needs one id");
      }
    }
    for (int id : this.specialIds) {
      if (id < 0 || id >= this.tokens.length || this.tokens[id] == null) {
        throw new CalmException("special token id " + id + " has no token in the vocabulary");
      }
    }

    byteIds = new int[256];
    for (int b = 0; b < 256; b++) {
      Integer id = ids.get(String.valueOf(ByteLevel.byteToChar(b)));
      if (id == null || this.specialIds.contains(id)) {
        throw new CalmException(
            String.format(
                "the vocabulary has no token for byte 0x%02X (written '%s'); a byte-level BPE"
                    + " vocabulary needs all 256 byte tokens",
                b, ByteLevel.byteToChar(b)));
      }
      byteIds[b] = id;
    }

    mergeTable = new HashMap<>(this.merges.size() * 2);
    for (int rank = 0; rank < this.merges.size(); rank++) {
      Merge merge = this.merges.get(rank);
      int left = idOfMergePart(merge.left(), rank, merge);
      int right = idOfMergePart(merge.right(), rank, merge);
      int merged = idOfMergePart(merge.left() + merge.right(), rank, merge);
      // A pair listed twice (never the case in trained files) keeps its first rank.
      mergeTable.putIfAbsent(pairKey(left, right), ((long) rank << 32) | merged);
    }

    tokenBytes = new byte[this.tokens.length][];
    for (int id = 0; id < this.tokens.length; id++) {
      if (this.tokens[id] != null) {
        tokenBytes[id] = ByteLevel.toBytes(this.tokens[id]); // specials fall back to their UTF-8
      }
    }

    Map<String, Integer> specials = new HashMap<>();
    for (int id : this.specialIds) {
      specials.put(this.tokens[id], id);
    }
    eosId = TokenizerJson.findEosId(specials);
  }

  private int idOfMergePart(String token, int rank, Merge merge) {
    Integer id = ids.get(token);
    if (id == null) {
      throw new CalmException(
          "merge " + rank + " ('" + merge.left() + "' '" + merge.right() + "'): '" + token
              + "' is not in the vocabulary");
    }
    return id;
  }

  /** Reads a Hugging Face {@code tokenizer.json} (or a folder holding one). */
  public static ByteLevelBpeTokenizer load(Path fileOrDir) {
    return TokenizerJson.readByteLevelBpe(Tokenizers.resolve(fileOrDir));
  }

  /** Writes this tokenizer as a Hugging Face {@code tokenizer.json}, atomically. */
  public void save(Path file) {
    TokenizerJson.write(this, file);
  }

  @Override
  public int[] encode(String text) {
    IntList out = new IntList(text.length() / 3 + 8);
    Matcher words = ByteLevel.PRE_TOKENIZER.matcher(text);
    while (words.find()) {
      out.addAll(encodeWord(words.group()));
    }
    return out.toArray();
  }

  /** The ids of one pre-token word (no copy: callers must not modify the array). */
  private int[] encodeWord(String word) {
    int[] cached = cache.get(word);
    if (cached != null) {
      return cached;
    }
    int[] result = bpe(word.getBytes(StandardCharsets.UTF_8));
    if (word.length() <= MAX_CACHED_WORD_LENGTH) {
      if (cache.size() >= MAX_CACHE_SIZE) {
        cache.clear();
      }
      cache.put(word, result);
    }
    return result;
  }

  /**
   * Merges the bytes of one word. The symbols form a linked list; a heap holds every adjacent pair
   * that has a merge, ordered by (rank, position), so the lowest-rank merge applies first and equal
   * ranks apply left to right, as in GPT-2 and Hugging Face. O(n log n) in the word length.
   */
  private int[] bpe(byte[] bytes) {
    int n = bytes.length;
    if (ignoreMerges) {
      Integer whole = ids.get(ByteLevel.toSymbols(bytes));
      if (whole != null) {
        return new int[] {whole};
      }
    }
    int[] symbol = new int[n];
    int[] next = new int[n]; // index of the next live symbol, or n
    int[] prev = new int[n]; // index of the previous live symbol, or -1
    for (int i = 0; i < n; i++) {
      symbol[i] = byteIds[bytes[i] & 0xFF];
      next[i] = i + 1;
      prev[i] = i - 1;
    }
    PriorityQueue<Long> heap = new PriorityQueue<>(); // rank << 32 | position of the left symbol
    for (int i = 0; i + 1 < n; i++) {
      pushPair(heap, symbol, i, i + 1);
    }
    int live = n;
    while (!heap.isEmpty()) {
      long entry = heap.poll();
      int rank = (int) (entry >>> 32);
      int i = (int) entry;
      int j = next[i];
      // Skip entries made stale by an earlier merge: i was absorbed, or its pair changed.
      if (symbol[i] < 0 || j >= n) {
        continue;
      }
      Long merge = mergeTable.get(pairKey(symbol[i], symbol[j]));
      if (merge == null || (int) (merge >>> 32) != rank) {
        continue;
      }
      symbol[i] = (int) (long) merge; // low 32 bits: the merged id
      symbol[j] = -1;
      next[i] = next[j];
      if (next[j] < n) {
        prev[next[j]] = i;
      }
      live--;
      if (prev[i] >= 0) {
        pushPair(heap, symbol, prev[i], i);
      }
      if (next[i] < n) {
        pushPair(heap, symbol, i, next[i]);
      }
    }
    int[] out = new int[live];
    for (int i = 0, k = 0; i < n; i = next[i]) {
      out[k++] = symbol[i];
    }
    return out;
  }

  private void pushPair(PriorityQueue<Long> heap, int[] symbol, int i, int j) {
    Long merge = mergeTable.get(pairKey(symbol[i], symbol[j]));
    if (merge != null) {
      heap.add((merge >>> 32) << 32 | i);
    }
  }

  static long pairKey(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  /**
   * The text of {@code ids}. Special tokens appear as their text (e.g. "&lt;|endoftext|&gt;"). Byte
   * sequences that are not valid UTF-8 (possible for arbitrary ids) decode to U+FFFD.
   */
  @Override
  public String decode(int[] ids) {
    int length = 0;
    for (int k = 0; k < ids.length; k++) {
      length += bytesOf(ids[k], k).length;
    }
    byte[] out = new byte[length];
    int at = 0;
    for (int id : ids) {
      byte[] b = tokenBytes[id];
      System.arraycopy(b, 0, out, at, b.length);
      at += b.length;
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  private byte[] bytesOf(int id, int position) {
    if (id < 0 || id >= tokenBytes.length || tokenBytes[id] == null) {
      throw new CalmException(
          "token id " + id + " at position " + position + " is not in the vocabulary (ids 0.."
              + (tokenBytes.length - 1) + ")");
    }
    return tokenBytes[id];
  }

  @Override
  public int vocabSize() {
    return tokens.length;
  }

  @Override
  public int eosId() {
    return eosId;
  }

  /** The id of {@value #PAD}, or -1 if the vocabulary has none. */
  public int padId() {
    Integer id = ids.get(PAD);
    return id != null && specialIds.contains(id) ? id : -1;
  }

  /** The token of {@code id} as written in {@code tokenizer.json} (e.g. "Ġthe"), or null if unused. */
  @Override
  public String token(int id) {
    return tokens[id];
  }

  /** The raw bytes {@code id} stands for (a token may hold part of a UTF-8 character). */
  public byte[] tokenBytes(int id) {
    return bytesOf(id, 0).clone();
  }

  /** The id of a token written as in {@code tokenizer.json}, or -1. */
  public int idOf(String token) {
    Integer id = ids.get(token);
    return id == null ? -1 : id;
  }

  /** Token strings by id; unused ids are null. */
  public List<String> tokens() {
    return Collections.unmodifiableList(Arrays.asList(tokens.clone()));
  }

  /** Merge rules in rank order. */
  public List<Merge> merges() {
    return merges;
  }

  /** Ids of the special tokens, ascending. */
  public Set<Integer> specialIds() {
    return specialIds;
  }

  /** Hugging Face's {@code ignore_merges} flag (false for tokenizers this project trains). */
  public boolean ignoreMerges() {
    return ignoreMerges;
  }
}
