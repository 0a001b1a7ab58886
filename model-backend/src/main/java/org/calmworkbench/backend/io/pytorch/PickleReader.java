package org.calmworkbench.backend.io.pytorch;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calmworkbench.backend.CalmException;

/**
 * Reads the pickle of a {@code torch.save}d state dict ({@code data.pkl}) without executing
 * anything, as {@code torch.load(weights_only=True)} does: a data interpreter for the opcodes a
 * state dict needs (protocols 2 to 5), in which a global can only be one of an allow-list of names
 * ({@link #ALLOWED}), and "calling" one of them builds a Java value (a map, a {@link TensorView});
 * no class is looked up and no code is run. Any other global is refused when the pickle names it,
 * before anything that follows is read.
 *
 * <p>Every opcode consumes at least one byte and nothing loops, so reading is linear in the pickle's
 * length; strings and memo indices are checked against the bytes that remain, so a damaged or hostile
 * pickle cannot make it allocate more than a small multiple of its own size.
 */
public final class PickleReader {
  /** The globals a state dict may name, besides the typed storages of {@link StorageType}. */
  public static final Set<String> ALLOWED = Set.of(
      "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter");

  private static final int MAX_DIMS = 64;

  /** A pickle global: only allowed ones are ever created. */
  private record Global(String module, String name) {
    String dotted() {
      return module + "." + name;
    }
  }

  /** The MARK opcode's stack entry. */
  private static final Object MARK = new Object();

  private final String where;
  private final ByteBuffer in;
  private final List<Object> stack = new ArrayList<>();
  private final List<Integer> marks = new ArrayList<>();
  private final Map<Long, Object> memo = new HashMap<>();
  private final Map<String, TensorView.Storage> storages = new HashMap<>();

  private PickleReader(byte[] pickle, String where) {
    this.where = where;
    this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
  }

  /**
   * The tensors of the state dict pickled in {@code pickle}, by name in file order.
   *
   * @param where names the file in errors
   * @throws CalmException naming {@code where} for a refused global, an opcode a state dict does
   *     not use, damaged data, or a top-level object that is not a dict of tensors
   */
  public static Map<String, TensorView> readStateDict(byte[] pickle, String where) {
    Object top = new PickleReader(pickle, where).run();
    if (!(top instanceof Map<?, ?> map)) {
      throw new CalmException(where + ": the pickle holds a " + kind(top) + ", not a state dict (a dict of tensors)");
    }
    Map<String, TensorView> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String name)) {
        throw new CalmException(where + ": a state-dict key is a " + kind(e.getKey()) + ", not a string");
      }
      if (!(e.getValue() instanceof TensorView t)) {
        throw new CalmException(where + ": state-dict entry " + name + " is a " + kind(e.getValue())
            + ", not a tensor");
      }
      out.put(name, t);
    }
    return out;
  }

  private Object run() {
    while (true) {
      if (!in.hasRemaining()) {
        throw damaged("the pickle ends without a STOP opcode (truncated?)");
      }
      int at = in.position();
      int op = in.get() & 0xFF;
      switch (op) {
        case 0x80 -> { // PROTO
          int version = u8();
          if (version < 2 || version > 5) {
            throw damaged("pickle protocol " + version + " (torch.save writes 2)");
          }
        }
        case 0x95 -> skip(8); // FRAME: a length hint only
        case '.' -> { // STOP
          if (stack.size() != 1 || !marks.isEmpty()) {
            throw damaged("the pickle stops with " + stack.size() + " objects on its stack");
          }
          return stack.get(0);
        }
        case '(' -> { // MARK
          marks.add(stack.size());
          stack.add(MARK);
        }
        case ')' -> push(new Object[0]); // EMPTY_TUPLE
        case 't' -> push(popMark().toArray()); // TUPLE
        case 0x85 -> push(new Object[] {pop()}); // TUPLE1
        case 0x86 -> { // TUPLE2
          Object b = pop();
          push(new Object[] {pop(), b});
        }
        case 0x87 -> { // TUPLE3
          Object c = pop();
          Object b = pop();
          push(new Object[] {pop(), b, c});
        }
        case ']' -> push(new ArrayList<>()); // EMPTY_LIST
        case 'l' -> push(new ArrayList<>(popMark())); // LIST
        case 'a' -> { // APPEND
          Object v = pop();
          list(peek()).add(v);
        }
        case 'e' -> { // APPENDS
          List<Object> items = popMark();
          list(peek()).addAll(items);
        }
        case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
        case 'd' -> { // DICT
          Map<Object, Object> d = new LinkedHashMap<>();
          putPairs(d, popMark());
          push(d);
        }
        case 's' -> { // SETITEM
          Object v = pop();
          Object k = pop();
          putPairs(dict(peek()), List.of(k, v));
        }
        case 'u' -> { // SETITEMS
          List<Object> items = popMark();
          putPairs(dict(peek()), items);
        }
        case 'q' -> memo.put((long) u8(), peek()); // BINPUT
        case 'r' -> memo.put(u32(), peek()); // LONG_BINPUT
        case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
        case 'h' -> push(memoGet(u8())); // BINGET
        case 'j' -> push(memoGet(u32())); // LONG_BINGET
        case 'c' -> push(global(line(), line())); // GLOBAL
        case 0x93 -> { // STACK_GLOBAL
          Object name = pop();
          Object module = pop();
          if (!(module instanceof String m) || !(name instanceof String n)) {
            throw damaged("STACK_GLOBAL without two strings");
          }
          push(global(m, n));
        }
        case 'N' -> push(null); // NONE
        case 0x88 -> push(Boolean.TRUE); // NEWTRUE
        case 0x89 -> push(Boolean.FALSE); // NEWFALSE
        case 'K' -> push((long) u8()); // BININT1
        case 'M' -> push((long) u16()); // BININT2
        case 'J' -> push((long) int32()); // BININT
        case 0x8a -> push(long1(u8())); // LONG1
        case 'G' -> { // BINFLOAT (big-endian)
          need(8);
          push(Double.longBitsToDouble(Long.reverseBytes(in.getLong())));
        }
        case 'X' -> push(utf8(u32())); // BINUNICODE
        case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
        case 0x8d -> push(utf8(u64())); // BINUNICODE8
        case 'Q' -> push(persistentLoad(pop())); // BINPERSID
        case 'R' -> { // REDUCE
          Object args = pop();
          Object callable = pop();
          push(reduce(callable, args));
        }
        case 'b' -> { // BUILD
          Object state = pop();
          build(peek(), state);
        }
        default -> throw new CalmException(where + ": refused to load: pickle opcode 0x"
            + Integer.toHexString(op) + " at byte " + at + " is not one a state dict uses"
            + " (the file may be damaged or not a plain state dict); nothing was run");
      }
    }
  }

  private Global global(String module, String name) {
    String dotted = module + "." + name;
    if (ALLOWED.contains(dotted) || StorageType.ofGlobal(module, name).isPresent()) {
      return new Global(module, name);
    }
    throw new CalmException(where + ": refused to load: the pickle names the global '" + dotted
        + "', which a state dict never needs (allowed: " + String.join(", ", ALLOWED.stream().sorted().toList())
        + " and the typed storages torch.FloatStorage, torch.BFloat16Storage, ...). Nothing was run;"
        + " the file may be malicious. Load it only if you trust its source, e.g. by re-saving its state"
        + " dict with PyTorch as model.safetensors.");
  }

  /** {@code ('storage', torch.XStorage, key, location, numel)}: a storage entry of the archive. */
  private TensorView.Storage persistentLoad(Object pid) {
    if (!(pid instanceof Object[] t) || t.length != 5 || !"storage".equals(t[0])) {
      throw damaged("a persistent id that is not ('storage', type, key, location, size)");
    }
    if (!(t[1] instanceof Global g) || !(t[2] instanceof String key) || !(t[3] instanceof String)
        || !(t[4] instanceof Long numel)) {
      throw damaged("a storage persistent id with fields of the wrong types");
    }
    StorageType type = StorageType.ofGlobal(g.module(), g.name())
        .orElseThrow(() -> damaged("storage type " + g.dotted() + " is not a typed storage"));
    if (numel < 0) {
      throw damaged("storage " + key + " has a negative size");
    }
    TensorView.Storage s = new TensorView.Storage(key, type, numel);
    TensorView.Storage before = storages.putIfAbsent(key, s);
    if (before != null && !before.equals(s)) {
      throw damaged("storage " + key + " is declared twice with different types or sizes");
    }
    return before != null ? before : s;
  }

  private Object reduce(Object callable, Object args) {
    if (!(callable instanceof Global g)) {
      throw damaged("REDUCE of a " + kind(callable) + " (only allowed globals can be called)");
    }
    if (!(args instanceof Object[] a)) {
      throw damaged("REDUCE with arguments that are not a tuple");
    }
    return switch (g.dotted()) {
      case "collections.OrderedDict" -> {
        if (a.length != 0) {
          throw damaged("OrderedDict called with arguments");
        }
        yield new LinkedHashMap<>();
      }
      case "torch._utils._rebuild_tensor_v2" -> rebuildTensor(a);
      case "torch._utils._rebuild_parameter" -> {
        // (data, requires_grad, backward_hooks): the parameter is its tensor
        if (a.length != 3 || !(a[0] instanceof TensorView t)) {
          throw damaged("_rebuild_parameter without a tensor");
        }
        yield t;
      }
      default -> throw damaged(g.dotted() + " cannot be called (it is a storage type tag)");
    };
  }

  /** {@code (storage, offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
  private TensorView rebuildTensor(Object[] a) {
    if (a.length < 6 || a.length > 7 || !(a[0] instanceof TensorView.Storage storage)
        || !(a[1] instanceof Long offset)) {
      throw damaged("_rebuild_tensor_v2 with arguments that are not (storage, offset, size, stride, ...)");
    }
    long[] shape = longs(a[2], "size");
    long[] stride = longs(a[3], "stride");
    if (shape.length != stride.length) {
      throw damaged("a tensor with " + shape.length + " sizes but " + stride.length + " strides");
    }
    if (offset < 0) {
      throw damaged("a tensor with a negative storage offset");
    }
    // the last element's index must lie in the storage; overflow counts as outside
    long last = offset;
    boolean empty = false;
    try {
      for (int i = 0; i < shape.length; i++) {
        if (shape[i] == 0) {
          empty = true;
        } else {
          last = Math.addExact(last, Math.multiplyExact(shape[i] - 1, stride[i]));
        }
      }
    } catch (ArithmeticException e) {
      throw damaged("a tensor of shape " + Arrays.toString(shape) + " whose strides overflow");
    }
    if (!empty && last >= storage.numel()) {
      throw damaged("a tensor of shape " + Arrays.toString(shape) + " at offset " + offset + " with strides "
          + Arrays.toString(stride) + " reaches element " + last + " of storage " + storage.key() + ", which has "
          + storage.numel());
    }
    TensorView view = new TensorView(storage, offset, shape, stride);
    try {
      view.numel();
    } catch (ArithmeticException e) {
      throw damaged("a tensor of shape " + Arrays.toString(shape) + " with more than 2^63 elements");
    }
    return view;
  }

  private long[] longs(Object o, String what) {
    if (!(o instanceof Object[] t) || t.length > MAX_DIMS) {
      throw damaged("a tensor " + what + " that is not a tuple of at most " + MAX_DIMS + " integers");
    }
    long[] out = new long[t.length];
    for (int i = 0; i < t.length; i++) {
      if (!(t[i] instanceof Long v) || v < 0) {
        throw damaged("a tensor " + what + " with an element that is not a non-negative integer");
      }
      out[i] = v;
    }
    return out;
  }

  /** BUILD sets an object's state; only an OrderedDict's {@code _metadata} (ignored) is accepted. */
  private void build(Object target, Object state) {
    if (target instanceof Map<?, ?> && (state == null || state instanceof Map<?, ?>)) {
      return;
    }
    throw damaged("BUILD on a " + kind(target) + " (a state dict only sets an OrderedDict's metadata)");
  }

  private void putPairs(Map<Object, Object> d, List<Object> items) {
    if (items.size() % 2 != 0) {
      throw damaged("a dict with an odd number of keys and values");
    }
    for (int i = 0; i < items.size(); i += 2) {
      Object k = items.get(i);
      if (k != null && !(k instanceof String) && !(k instanceof Long) && !(k instanceof Boolean)) {
        throw damaged("a dict key that is a " + kind(k));
      }
      d.put(k, items.get(i + 1));
    }
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> dict(Object o) {
    if (o instanceof Map<?, ?> m) {
      return (Map<Object, Object>) m;
    }
    throw damaged("SETITEM on a " + kind(o));
  }

  @SuppressWarnings("unchecked")
  private List<Object> list(Object o) {
    if (o instanceof List<?> l) {
      return (List<Object>) l;
    }
    throw damaged("APPEND on a " + kind(o));
  }

  private void push(Object o) {
    stack.add(o);
  }

  private Object pop() {
    int n = stack.size();
    if (n == 0 || (!marks.isEmpty() && marks.get(marks.size() - 1) == n - 1)) {
      throw damaged("pops an empty stack");
    }
    return stack.remove(n - 1);
  }

  private Object peek() {
    int n = stack.size();
    if (n == 0 || stack.get(n - 1) == MARK) {
      throw damaged("reads an empty stack");
    }
    return stack.get(n - 1);
  }

  private List<Object> popMark() {
    if (marks.isEmpty()) {
      throw damaged("no MARK to pop to");
    }
    int m = marks.remove(marks.size() - 1);
    List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
    stack.subList(m, stack.size()).clear();
    return items;
  }

  private Object memoGet(long index) {
    if (!memo.containsKey(index)) {
      throw damaged("memo entry " + index + " is read before it is written");
    }
    return memo.get(index);
  }

  private void need(long n) {
    if (n > in.remaining()) {
      throw damaged("the pickle ends inside an opcode (truncated?)");
    }
  }

  private void skip(int n) {
    need(n);
    in.position(in.position() + n);
  }

  private int u8() {
    need(1);
    return in.get() & 0xFF;
  }

  private int u16() {
    need(2);
    return in.getShort() & 0xFFFF;
  }

  private int int32() {
    need(4);
    return in.getInt();
  }

  private long u32() {
    return int32() & 0xFFFFFFFFL;
  }

  private long u64() {
    need(8);
    long v = in.getLong();
    return v < 0 ? Long.MAX_VALUE : v; // beyond any pickle; need() refuses it
  }

  /** LONG1: a little-endian two's-complement integer of {@code n} bytes; refused beyond a long. */
  private Long long1(int n) {
    need(n);
    byte[] le = new byte[n];
    in.get(le);
    if (n == 0) {
      return 0L;
    }
    byte[] be = new byte[n];
    for (int i = 0; i < n; i++) {
      be[i] = le[n - 1 - i];
    }
    BigInteger v = new BigInteger(be);
    if (v.bitLength() > 63) {
      throw damaged("an integer of " + v.bitLength() + " bits (sizes and offsets fit in 63)");
    }
    return v.longValue();
  }

  private String utf8(long length) {
    need(length);
    byte[] bytes = new byte[(int) length];
    in.get(bytes);
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      throw damaged("a string that is not valid UTF-8");
    }
  }

  /** A newline-terminated ASCII line (the GLOBAL opcode's module and name). */
  private String line() {
    int start = in.position();
    int limit = Math.min(in.limit(), start + 256);
    for (int i = start; i < limit; i++) {
      if (in.get(i) == '\n') {
        byte[] bytes = new byte[i - start];
        in.get(bytes);
        in.get(); // the newline
        return new String(bytes, StandardCharsets.US_ASCII);
      }
    }
    throw damaged("a GLOBAL name longer than 256 bytes or without its newline");
  }

  private CalmException damaged(String detail) {
    return new CalmException(where + ": not a readable state-dict pickle: " + detail + " (byte " + in.position()
        + "); nothing was run");
  }

  private static String kind(Object o) {
    if (o == null) {
      return "None";
    }
    if (o instanceof Object[]) {
      return "tuple";
    }
    if (o instanceof Global g) {
      return "global " + g.dotted();
    }
    return o.getClass().getSimpleName();
  }
}
