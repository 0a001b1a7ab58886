package org.calmworkbench.backend.io.pytorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The restricted unpickler: what it accepts, and that it refuses everything else without running it. */
class PickleReaderTest {
  @TempDir Path tmp;

  /** {@code module.name(arg)} as pickle protocol 2, inside a dict under key "x". */
  static byte[] callInDict(String module, String name, String arg) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.writeBytes(new byte[] {(byte) 0x80, 2, '}', '('});
    p.writeBytes(new byte[] {'X', 1, 0, 0, 0, 'x'});
    p.write('c');
    p.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    byte[] a = arg.getBytes(StandardCharsets.UTF_8);
    p.writeBytes(new byte[] {'X', (byte) a.length, 0, 0, 0});
    p.writeBytes(a);
    p.writeBytes(new byte[] {(byte) 0x85, 'R', 'u', '.'});
    return p.toByteArray();
  }

  @ParameterizedTest
  @ValueSource(strings = {"posix:system", "os:system", "builtins:eval", "subprocess:Popen", "torch:load",
      "torch._utils:_rebuild_device_tensor_from_numpy", "collections:defaultdict"})
  void refusesAnyGlobalOutsideTheAllowList(String global) {
    String[] mn = global.split(":");
    Path marker = tmp.resolve("ran");
    byte[] pickle = callInDict(mn[0], mn[1], "touch " + marker);
    CalmException e = assertThrows(CalmException.class, () -> PickleReader.readStateDict(pickle, "evil.bin"));
    assertTrue(e.getMessage().startsWith("evil.bin: refused to load"), e.getMessage());
    assertTrue(e.getMessage().contains("'" + mn[0] + "." + mn[1] + "'"), e.getMessage());
    assertFalse(Files.exists(marker), "the pickle's call must never run");
  }

  @Test
  void refusesObjectConstructionOpcodes() {
    // NEWOBJ (0x81) of an allowed class would instantiate it; a state dict never needs that
    byte[] pickle = {(byte) 0x80, 2, 'c', 'c', 'o', 'l', 'l', 'e', 'c', 't', 'i', 'o', 'n', 's', '\n',
        'O', 'r', 'd', 'e', 'r', 'e', 'd', 'D', 'i', 'c', 't', '\n', ')', (byte) 0x81, '.'};
    CalmException e = assertThrows(CalmException.class, () -> PickleReader.readStateDict(pickle, "f.bin"));
    assertTrue(e.getMessage().contains("opcode 0x81"), e.getMessage());
  }

  @Test
  void readsTheStateDictTorchSaveWrites() {
    TorchSaveWriter.Storage s = new TorchSaveWriter.Storage("0", StorageType.BFLOAT16, 6, out -> { });
    byte[] pickle = TorchSaveWriter.pickle(List.of(s), List.of(
        TorchSaveWriter.Entry.contiguous("a.weight", "0", 2, 3),
        new TorchSaveWriter.Entry("a.tied", "0", 0, new long[] {2, 3}, new long[] {3, 1})));
    Map<String, TensorView> sd = PickleReader.readStateDict(pickle, "f.bin");
    assertEquals(List.of("a.weight", "a.tied"), List.copyOf(sd.keySet()));
    assertTrue(sd.get("a.weight").sameAs(sd.get("a.tied")));
    assertEquals(StorageType.BFLOAT16, sd.get("a.weight").storage().type());
  }

  @Test
  void refusesATopLevelObjectThatIsNotADictOfTensors() {
    byte[] pickle = {(byte) 0x80, 2, '}', '(', 'X', 1, 0, 0, 0, 'k', 'K', 7, 'u', '.'};
    CalmException e = assertThrows(CalmException.class, () -> PickleReader.readStateDict(pickle, "f.bin"));
    assertTrue(e.getMessage().contains("entry k is a Long, not a tensor"), e.getMessage());
  }

  @Test
  void aStringLongerThanThePickleIsRefusedWithoutAllocatingIt() {
    byte[] pickle = {(byte) 0x80, 2, 'X', (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x7f};
    CalmException e = assertThrows(CalmException.class, () -> PickleReader.readStateDict(pickle, "f.bin"));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
  }

  @Test
  void aMemoReadBeforeItIsWrittenIsRefused() {
    byte[] pickle = {(byte) 0x80, 2, 'h', 5, '.'};
    CalmException e = assertThrows(CalmException.class, () -> PickleReader.readStateDict(pickle, "f.bin"));
    assertTrue(e.getMessage().contains("memo entry 5"), e.getMessage());
  }
}
