package org.calmworkbench.backend.io;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.SafetensorsHeader.Entry;

/**
 * Our own reader and writer for the safetensors format (DJL's uses int offsets, random key order,
 * no metadata, and crashes on BF16; see ../shared/STACK.md).
 *
 * <pre>
 *   [8 bytes]  N, unsigned little-endian: the header length
 *   [N bytes]  UTF-8 JSON: {"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]},
 *                           ..., "__metadata__": {"key": "value", ...}}   (optional metadata)
 *   [rest]     the tensors' raw little-endian bytes; offsets count from the end of the header
 * </pre>
 *
 * Reading is strict, like the reference (Rust) implementation: the data section must be covered
 * by the tensors exactly, without holes, overlaps or trailing bytes. Every defect is a {@link
 * CalmException} naming the file (and tensor), found from the header alone before any tensor
 * memory is allocated. Data is read through a {@link FileChannel} in 1 MB chunks with long
 * positions, so files beyond 2 GB work and nothing stays mapped (a mapped file could not be
 * replaced by {@link AtomicFiles} on Windows while the mapping lives).
 */
public final class Safetensors {
  private Safetensors() {}

  /** The reference implementation refuses larger headers; we never allocate more for one. */
  static final long MAX_HEADER_BYTES = 100L << 20;

  private static final String METADATA_KEY = "__metadata__";
  /** Read/write buffer; a multiple of every dtype's size. */
  private static final int CHUNK_BYTES = 1 << 20;
  /** How many names an error message lists before "and N more". */
  private static final int NAMES_LISTED = 5;

  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
  private static final TypeAdapter<JsonElement> JSON_ELEMENT = GSON.getAdapter(JsonElement.class);

  // ------------------------------------------------------------------------------------------
  // Reading

  /** All tensors (converted to float32) and metadata of {@code file}. */
  public static SafetensorsFile read(Path file) {
    return read(file, name -> true);
  }

  /**
   * The tensors whose names pass {@code wanted}, and the metadata. The whole header is still
   * validated; the data of other tensors is neither read nor allocated.
   */
  public static SafetensorsFile read(Path file, Predicate<String> wanted) {
    try (FileChannel channel = open(file)) {
      SafetensorsHeader header = readHeader(file, channel);
      ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(LITTLE_ENDIAN);
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      for (Entry entry : header.entries().values()) {
        if (wanted.test(entry.name())) {
          tensors.put(entry.name(), readTensor(file, channel, header.dataStart(), entry, chunk));
        }
      }
      return new SafetensorsFile(file, tensors, header.metadata());
    } catch (IOException e) {
      throw ioError("read", file, e);
    }
  }

  /**
   * {@code file} opened for reading one tensor at a time (the header is validated now); close it
   * when done. Loading a large checkpoint through it holds one tensor at a time, not the file.
   */
  public static TensorSource openTensors(Path file) {
    FileChannel channel = null;
    try {
      channel = open(file);
      SafetensorsHeader header = readHeader(file, channel);
      return new OpenFile(file, channel, header);
    } catch (IOException e) {
      closeQuietly(channel);
      throw ioError("read", file, e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // already failing
      }
    }
  }

  /** A safetensors file as a {@link TensorSource}. */
  private record OpenFile(Path file, FileChannel channel, SafetensorsHeader header) implements TensorSource {
    @Override
    public java.util.Set<String> names() {
      return header.entries().keySet();
    }

    @Override
    public int[] shape(String name) {
      return entry(name).shape();
    }

    private Entry entry(String name) {
      Entry e = header.entries().get(name);
      if (e == null) {
        throw new CalmException("tensor " + name + " is missing from " + file);
      }
      return e;
    }

    @Override
    public Tensor read(String name) {
      Entry e = entry(name);
      try {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(LITTLE_ENDIAN);
        return readTensor(file, channel, header.dataStart(), e, chunk);
      } catch (IOException ex) {
        throw ioError("read", file, ex);
      }
    }

    @Override
    public void close() {
      closeQuietly(channel);
    }
  }

  /** Names, dtypes, shapes and offsets of {@code file}'s tensors, validated, without the data. */
  public static SafetensorsHeader readHeader(Path file) {
    try (FileChannel channel = open(file)) {
      return readHeader(file, channel);
    } catch (IOException e) {
      throw ioError("read", file, e);
    }
  }

  private static FileChannel open(Path file) throws IOException {
    if (Files.isDirectory(file)) {
      throw new CalmException(file + " is a folder, not a safetensors file");
    }
    return FileChannel.open(file, StandardOpenOption.READ);
  }

  private static SafetensorsHeader readHeader(Path file, FileChannel channel) throws IOException {
    long fileSize = channel.size();
    if (fileSize < 8) {
      throw corrupt(file, "it has only " + fileSize
          + " bytes, but a safetensors file starts with an 8-byte header length");
    }
    ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(LITTLE_ENDIAN);
    readFully(file, channel, lengthBytes, 0);
    long headerLength = lengthBytes.flip().getLong(); // unsigned: negative here means >= 2^63
    // Check against the file size before allocating anything: a garbage length such as 2^40
    // must give a message, not an OutOfMemoryError.
    if (headerLength < 0 || headerLength > fileSize - 8) {
      throw corrupt(file, "the first 8 bytes give a header length of "
          + Long.toUnsignedString(headerLength) + " bytes, but only " + (fileSize - 8)
          + " bytes follow; the file is truncated or not a safetensors file");
    }
    if (headerLength > MAX_HEADER_BYTES) {
      throw corrupt(file, "the header length " + headerLength
          + " bytes exceeds the format's limit of " + MAX_HEADER_BYTES + " bytes");
    }
    ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
    readFully(file, channel, headerBytes, 8);
    String json = decodeUtf8(file, headerBytes.flip());
    long dataStart = 8 + headerLength;
    return parseHeader(file, json, dataStart, fileSize - dataStart);
  }

  private static String decodeUtf8(Path file, ByteBuffer bytes) {
    try {
      return UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes)
          .toString();
    } catch (CharacterCodingException e) {
      throw corrupt(file, "the header is not valid UTF-8 text", e);
    }
  }

  private static SafetensorsHeader parseHeader(Path file, String json, long dataStart, long dataSize) {
    Map<String, Entry> entries = new LinkedHashMap<>();
    Map<String, String> metadata = null;
    try {
      JsonReader reader = new JsonReader(new StringReader(json));
      JsonToken first = reader.peek();
      if (first != JsonToken.BEGIN_OBJECT) {
        throw corrupt(file, "the header is JSON but not an object (it starts with " + first + ")");
      }
      reader.beginObject();
      while (reader.hasNext()) {
        String key = reader.nextName();
        JsonElement value = JSON_ELEMENT.read(reader);
        if (key.equals(METADATA_KEY)) {
          if (metadata != null) {
            throw corrupt(file, METADATA_KEY + " appears twice in the header");
          }
          metadata = parseMetadata(file, value);
        } else {
          if (entries.containsKey(key)) {
            throw corrupt(file, "tensor " + key + " appears twice in the header");
          }
          entries.put(key, parseEntry(file, key, value, dataSize));
        }
      }
      reader.endObject();
      if (reader.peek() != JsonToken.END_DOCUMENT) { // (strict Gson already throws on most)
        throw corrupt(file, "the header has more content after its JSON object");
      }
    } catch (IOException | IllegalStateException | JsonParseException e) {
      // Gson reports syntax errors as MalformedJsonException / EOFException (IOExceptions), and
      // structural surprises as IllegalStateException; its message gives line, column and path.
      throw corrupt(file, "the header is not valid JSON (" + jsonProblem(e) + ")", e);
    }
    checkLayout(file, entries.values(), dataSize);
    return new SafetensorsHeader(file, entries, metadata == null ? Map.of() : metadata, dataStart);
  }

  private static Map<String, String> parseMetadata(Path file, JsonElement value) {
    if (!value.isJsonObject()) {
      throw corrupt(file, METADATA_KEY + " is not a JSON object: " + abbreviate(value));
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : value.getAsJsonObject().entrySet()) {
      if (!(e.getValue() instanceof JsonPrimitive p) || !p.isString()) {
        throw corrupt(file, METADATA_KEY + " value of key \"" + e.getKey()
            + "\" must be a string, but is " + abbreviate(e.getValue()));
      }
      metadata.put(e.getKey(), p.getAsString());
    }
    return metadata;
  }

  private static Entry parseEntry(Path file, String name, JsonElement value, long dataSize) {
    String tensor = "tensor " + name;
    if (!value.isJsonObject()) {
      throw corrupt(file, tensor + ": its header entry is not a JSON object: " + abbreviate(value));
    }
    JsonObject o = value.getAsJsonObject();

    if (!(o.get("dtype") instanceof JsonPrimitive dtypeJson) || !dtypeJson.isString()) {
      throw corrupt(file, tensor + ": \"dtype\" is missing or not a string");
    }
    String dtypeText = dtypeJson.getAsString();
    Dtype dtype = Dtype.fromHeader(dtypeText)
        .orElseThrow(() -> unsupportedDtype(file, name, dtypeText));

    int[] shape = parseShape(file, tensor, o.get("shape"));
    long[] offsets = parseOffsets(file, tensor, o.get("data_offsets"));
    long begin = offsets[0];
    long end = offsets[1];

    long numel;
    long byteLength;
    try {
      numel = Tensor.numel(shape);
      byteLength = Math.multiplyExact(numel, dtype.byteSize());
    } catch (ArithmeticException e) {
      throw corrupt(file, tensor + ": shape " + Arrays.toString(shape) + " is absurdly large");
    }
    if (end - begin != byteLength) {
      throw corrupt(file, tensor + ": data_offsets [" + begin + ", " + end + "] span "
          + (end - begin) + " bytes, but dtype " + dtype + " with shape " + Arrays.toString(shape)
          + " needs " + byteLength + " bytes");
    }
    if (end > dataSize) {
      throw corrupt(file, tensor + ": its data ends at byte " + end
          + " of the data section, but the data section has only " + dataSize
          + " bytes; the file is truncated (an interrupted download or save?)");
    }
    if (numel > Tensor.MAX_ELEMENTS) {
      throw new CalmException("tensor " + name + " in " + file + " has " + numel
          + " elements, more than a Java array can hold (" + Tensor.MAX_ELEMENTS + ")");
    }
    return new Entry(name, dtype, shape, begin, end);
  }

  private static int[] parseShape(Path file, String tensor, JsonElement json) {
    if (!(json instanceof JsonArray array)) {
      throw corrupt(file, tensor + ": \"shape\" is missing or not a list: " + abbreviate(json));
    }
    int[] shape = new int[array.size()];
    for (int i = 0; i < shape.length; i++) {
      long d = nonNegativeInteger(array.get(i), Integer.MAX_VALUE);
      if (d < 0) {
        throw corrupt(file, tensor + ": \"shape\" must list non-negative integers below 2^31, got "
            + abbreviate(json));
      }
      shape[i] = (int) d;
    }
    return shape;
  }

  private static long[] parseOffsets(Path file, String tensor, JsonElement json) {
    String problem = tensor + ": \"data_offsets\" must be [begin, end] with 0 <= begin <= end, got "
        + abbreviate(json);
    if (!(json instanceof JsonArray array) || array.size() != 2) {
      throw corrupt(file, problem);
    }
    long begin = nonNegativeInteger(array.get(0), Long.MAX_VALUE);
    long end = nonNegativeInteger(array.get(1), Long.MAX_VALUE);
    if (begin < 0 || end < 0 || begin > end) {
      throw corrupt(file, problem);
    }
    return new long[] {begin, end};
  }

  /** The value of a JSON integer in [0, max], or -1 if it is anything else. */
  private static long nonNegativeInteger(JsonElement json, long max) {
    long v = JsonFiles.integer(json).orElse(-1);
    return v >= 0 && v <= max ? v : -1;
  }

  /** Tensors must tile the data section exactly: no overlaps, holes or trailing bytes. */
  private static void checkLayout(Path file, Iterable<Entry> entries, long dataSize) {
    List<Entry> byOffset = new ArrayList<>();
    entries.forEach(byOffset::add);
    byOffset.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
    long covered = 0; // tensors so far cover [0, covered) of the data section
    Entry previous = null;
    for (Entry e : byOffset) {
      if (e.begin() < covered) {
        throw corrupt(file, "tensors " + previous.name() + " and " + e.name()
            + " overlap (data_offsets " + previous.begin() + ".." + previous.end() + " and "
            + e.begin() + ".." + e.end() + ")");
      }
      if (e.begin() > covered) {
        throw corrupt(file, "bytes " + covered + ".." + e.begin()
            + " of the data section belong to no tensor (before tensor " + e.name() + ")");
      }
      covered = e.end();
      previous = e;
    }
    if (covered != dataSize) {
      throw corrupt(file, "the data section has " + dataSize + " bytes, but the tensors cover only "
          + covered + "; the rest belongs to no tensor");
    }
  }

  private static Tensor readTensor(
      Path file, FileChannel channel, long dataStart, Entry entry, ByteBuffer chunk)
      throws IOException {
    int numel = entry.numel();
    int size = entry.dtype().byteSize();
    int perChunk = chunk.capacity() / size;
    float[] data = new float[numel];
    long position = dataStart + entry.begin();
    for (int done = 0; done < numel; ) {
      int count = Math.min(perChunk, numel - done);
      chunk.clear().limit(count * size);
      readFully(file, channel, chunk, position);
      entry.dtype().decode(chunk.flip(), data, done, count);
      done += count;
      position += (long) count * size;
    }
    return new Tensor(entry.name(), entry.shape(), data);
  }

  private static void readFully(Path file, FileChannel channel, ByteBuffer buffer, long position)
      throws IOException {
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, position);
      if (n < 0) {
        throw corrupt(file, "it ended at byte " + position
            + " while being read; was it changed or truncated meanwhile?");
      }
      position += n;
    }
  }

  // ------------------------------------------------------------------------------------------
  // Writing

  /** Writes {@code tensors} as F32 with {@code metadata}; see {@link #write(Path, Map, Map, Dtype)}. */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
    write(file, tensors, metadata, Dtype.F32);
  }

  /**
   * Writes {@code tensors} (keyed by their names) in {@code dtype}, atomically via {@link
   * AtomicFiles}. Tensors are laid out in sorted name order, so equal inputs give identical
   * files. The header is padded with spaces to a multiple of 8 bytes so the data is aligned. F32
   * and F64 are lossless; F16 and BF16 round to nearest even. An empty metadata map writes no
   * {@code __metadata__} entry.
   */
  public static void write(
      Path file, Map<String, Tensor> tensors, Map<String, String> metadata, Dtype dtype) {
    List<LazyTensor> lazy = new ArrayList<>();
    tensors.forEach((name, t) -> {
      if (!t.name().equals(name)) {
        throw new IllegalArgumentException("tensor " + t.name() + " stored under key " + name);
      }
      lazy.add(new LazyTensor(name, t.shape(), t::data));
    });
    write(file, lazy, metadata, dtype);
  }

  /**
   * A tensor to write whose values are produced only when its turn comes ({@code data}, called
   * once), so a model much larger than the heap can be written one tensor at a time.
   */
  public record LazyTensor(String name, int[] shape, java.util.function.Supplier<float[]> data) {
    long numel() {
      long n = 1;
      for (int d : shape) {
        n *= d;
      }
      return n;
    }
  }

  /**
   * Writes {@code tensors} as {@link #write(Path, Map, Map, Dtype)} does (sorted by name, the same
   * bytes), asking each for its values only while writing it: at most one tensor's values are held
   * at a time beyond what the suppliers keep.
   */
  public static void write(Path file, List<LazyTensor> tensors, Map<String, String> metadata, Dtype dtype) {
    Objects.requireNonNull(metadata, "metadata (use Map.of() for none)");
    TreeMap<String, LazyTensor> byName = new TreeMap<>();
    for (LazyTensor t : tensors) {
      if (t.name().equals(METADATA_KEY) || byName.put(t.name(), t) != null) {
        throw new IllegalArgumentException("tensor name " + t.name() + " is reserved or given twice");
      }
    }
    List<LazyTensor> ordered = List.copyOf(byName.values());
    byte[] header = headerBytes(ordered, metadata, dtype);
    try {
      AtomicFiles.write(file, out -> {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES).order(LITTLE_ENDIAN);
        out.write(chunk.putLong(0, header.length).array(), 0, 8);
        out.write(header);
        for (LazyTensor t : ordered) {
          float[] data = t.data().get();
          if (data.length != t.numel()) {
            throw new IllegalStateException("tensor " + t.name() + " has " + data.length + " values, its shape "
                + Arrays.toString(t.shape()) + " needs " + t.numel());
          }
          writeData(out, data, dtype, chunk);
        }
      });
    } catch (IOException e) {
      throw ioError("write", file, e);
    }
  }

  private static byte[] headerBytes(List<LazyTensor> ordered, Map<String, String> metadata, Dtype dtype) {
    JsonObject root = new JsonObject();
    if (!metadata.isEmpty()) {
      JsonObject meta = new JsonObject();
      new TreeMap<>(metadata).forEach(meta::addProperty);
      root.add(METADATA_KEY, meta);
    }
    long offset = 0;
    for (LazyTensor t : ordered) {
      long bytes = t.numel() * dtype.byteSize();
      JsonObject entry = new JsonObject();
      entry.addProperty("dtype", dtype.name());
      JsonArray shape = new JsonArray();
      Arrays.stream(t.shape()).forEach(shape::add);
      entry.add("shape", shape);
      JsonArray offsets = new JsonArray();
      offsets.add(offset);
      offsets.add(offset + bytes);
      entry.add("data_offsets", offsets);
      root.add(t.name(), entry);
      offset += bytes;
    }
    byte[] json = GSON.toJson(root).getBytes(UTF_8);
    int padded = (json.length + 7) & ~7; // the spec allows trailing spaces; aligns the data
    byte[] header = Arrays.copyOf(json, padded);
    Arrays.fill(header, json.length, padded, (byte) ' ');
    return header;
  }

  private static void writeData(OutputStream out, float[] data, Dtype dtype, ByteBuffer chunk)
      throws IOException {
    int perChunk = chunk.capacity() / dtype.byteSize();
    for (int done = 0; done < data.length; ) {
      int count = Math.min(perChunk, data.length - done);
      chunk.clear();
      dtype.encode(data, done, count, chunk);
      out.write(chunk.array(), 0, chunk.position());
      done += count;
    }
  }

  // ------------------------------------------------------------------------------------------
  // Checking a loaded tensor set against what a model config needs

  /**
   * Checks that {@code loaded} holds exactly the tensors of {@code expectedShapes}, each with that
   * shape. Otherwise a CalmException lists the missing and unexpected tensors (a few names each)
   * and the shape mismatches, e.g. "tensor encoder.norm.weight in FILE has shape [16] but the
   * config needs [32]".
   */
  public static void requireExactly(
      Map<String, Tensor> loaded, Map<String, int[]> expectedShapes, Path file) {
    Map<String, int[]> shapes = new LinkedHashMap<>();
    loaded.forEach((name, t) -> shapes.put(name, t.shape()));
    requireShapes(shapes, expectedShapes, file);
  }

  /** {@link #requireExactly} on shapes alone (for tensors not yet read). */
  public static void requireShapes(
      Map<String, int[]> loaded, Map<String, int[]> expectedShapes, Path file) {
    List<String> missing = new ArrayList<>();
    List<String> mismatched = new ArrayList<>();
    for (Map.Entry<String, int[]> e : expectedShapes.entrySet()) {
      int[] shape = loaded.get(e.getKey());
      if (shape == null) {
        missing.add(e.getKey());
      } else if (!Arrays.equals(shape, e.getValue())) {
        mismatched.add("tensor " + e.getKey() + " in " + file + " has shape "
            + Arrays.toString(shape) + " but the config needs " + Arrays.toString(e.getValue()));
      }
    }
    List<String> unexpected = new ArrayList<>();
    for (String name : loaded.keySet()) {
      if (!expectedShapes.containsKey(name)) {
        unexpected.add(name);
      }
    }
    if (missing.isEmpty() && unexpected.isEmpty() && mismatched.isEmpty()) {
      return;
    }
    List<String> problems = new ArrayList<>();
    if (!missing.isEmpty()) {
      problems.add(file + " is missing " + plural(missing.size(), "tensor") + " " + listSome(missing));
    }
    if (!unexpected.isEmpty()) {
      problems.add(file + " has " + plural(unexpected.size(), "unexpected tensor") + " "
          + listSome(unexpected));
    }
    if (!mismatched.isEmpty()) {
      problems.add(String.join("; ", mismatched.subList(0, Math.min(NAMES_LISTED, mismatched.size())))
          + (mismatched.size() > NAMES_LISTED
              ? "; and " + (mismatched.size() - NAMES_LISTED) + " more shape mismatches" : ""));
    }
    throw new CalmException(String.join("; ", problems)
        + ". Was the file saved for a different model config (vocabulary, sizes, layer counts)?");
  }

  private static String plural(int n, String noun) {
    return n == 1 ? noun : n + " " + noun + "s";
  }

  private static String listSome(List<String> names) {
    String shown = String.join(", ", names.subList(0, Math.min(NAMES_LISTED, names.size())));
    return names.size() > NAMES_LISTED ? shown + " and " + (names.size() - NAMES_LISTED) + " more" : shown;
  }

  // ------------------------------------------------------------------------------------------
  // Error messages

  private static CalmException corrupt(Path file, String detail) {
    return new CalmException("Corrupt safetensors file " + file + ": " + detail);
  }

  private static CalmException corrupt(Path file, String detail, Throwable cause) {
    return new CalmException("Corrupt safetensors file " + file + ": " + detail, cause);
  }

  private static CalmException unsupportedDtype(Path file, String tensor, String dtype) {
    String supported = "F32, F16, BF16, F64";
    if (Dtype.KNOWN_UNSUPPORTED.contains(dtype)) {
      return new CalmException("tensor " + tensor + " in " + file + " has dtype " + dtype
          + ", which CALM Workbench does not load: model weights must be floating-point ("
          + supported + "). Remove the tensor or convert it to a float dtype.");
    }
    return new CalmException("tensor " + tensor + " in " + file + " has unknown dtype \"" + dtype
        + "\" (supported: " + supported + ")");
  }

  private static CalmException ioError(String verb, Path file, IOException e) {
    String reason;
    if (e instanceof NoSuchFileException) {
      reason = "file or folder not found";
    } else if (e instanceof AccessDeniedException) {
      reason = "permission denied";
    } else {
      reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return new CalmException("Cannot " + verb + " safetensors file " + file + ": " + reason, e);
  }

  /**
   * Gson's message without its advice for programmers: "Expected ':' at line 1 column 9 path
   * $.w" stays, "Use JsonReader.setStrictness(...) to accept malformed JSON at ..." becomes
   * "malformed JSON at ...", and the trailing troubleshooting link goes.
   */
  private static String jsonProblem(Exception e) {
    String message = String.valueOf(e.getMessage()).lines().findFirst().orElse("").strip();
    int at = message.indexOf(" at line ");
    if (message.startsWith("Use JsonReader.setStrictness") && at >= 0) {
      return "malformed JSON" + message.substring(at);
    }
    return message;
  }

  private static String abbreviate(JsonElement json) {
    String text = json == null ? "nothing" : json.toString();
    return text.length() <= 80 ? text : text.substring(0, 77) + "...";
  }
}
