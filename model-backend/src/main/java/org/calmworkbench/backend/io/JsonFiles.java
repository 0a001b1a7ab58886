package org.calmworkbench.backend.io;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.StorageException;

/** Reading a JSON file that must hold one object (config.json, trainer_state.json, ...). */
public final class JsonFiles {
  private JsonFiles() {}

  /**
   * @throws CalmException naming the file when it cannot be read, is not JSON or not an object
   */
  public static JsonObject readObject(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new CalmException("file not found: " + file, e);
    } catch (IOException e) { // a folder ("is a directory"), no permission, ...
      throw new CalmException("cannot read " + file + ": " + StorageException.reason(e), e);
    }
    JsonElement e;
    try {
      e = JsonParser.parseString(text);
    } catch (JsonParseException ex) {
      throw new CalmException(file + ": not valid JSON (" + ex.getMessage() + ")", ex);
    }
    if (!e.isJsonObject()) {
      throw new CalmException(file + ": expected a JSON object");
    }
    return e.getAsJsonObject();
  }

  /**
   * The value of {@code e} if it is a JSON number holding an integer that fits a long ({@code 12},
   * {@code 12.0}, {@code 1.2e1}); empty for anything else: no number, a fraction, or a number too
   * large or with an exponent Gson refuses ({@code 824E93555}, on which Gson's {@code getAsLong}
   * throws a NumberFormatException; {@code getAsInt} of {@code 5e9} wraps around to 705032704).
   */
  public static OptionalLong integer(JsonElement e) {
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(e.getAsJsonPrimitive().getAsBigDecimal().longValueExact());
    } catch (NumberFormatException | ArithmeticException x) {
      return OptionalLong.empty();
    }
  }

  /**
   * Runs {@code read} of {@code file}, so that every error names the file: a check deeper down
   * (e.g. a config's value constraints) that does not is prefixed with it.
   */
  public static <T> T naming(Path file, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (CalmException e) {
      if (e.getMessage() != null && e.getMessage().contains(file.toString())) {
        throw e;
      }
      throw new CalmException(file + ": " + e.getMessage(), e);
    }
  }
}
