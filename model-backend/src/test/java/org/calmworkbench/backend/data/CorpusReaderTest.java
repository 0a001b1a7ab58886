package org.calmworkbench.backend.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusReaderTest {
  @TempDir Path dir;

  private static List<Document> readAll(CorpusReader reader) throws IOException {
    List<Document> docs = new ArrayList<>();
    reader.read(docs::add, ProgressListener.NONE);
    return docs;
  }

  private static List<String> texts(List<Document> docs) {
    return docs.stream().map(Document::text).toList();
  }

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  @Test
  void readsPlainTextAsParagraphsThatConcatenateBackToTheFile() throws IOException {
    String text = "First line\nsecond line\n\n\nNext paragraph\n \nlast";
    Path file = write("book.txt", text);

    List<Document> docs = readAll(CorpusReader.of(List.of(file)));

    assertEquals(List.of("First line\nsecond line\n\n\n", "Next paragraph\n \n", "last"), texts(docs));
    assertEquals(List.of(1L, 5L, 7L), docs.stream().map(Document::line).toList());
    assertEquals(List.of(false, true, true), docs.stream().map(Document::continuesPrevious).toList());
    assertEquals(text, String.join("", texts(docs)));
    assertEquals(file.toString(), docs.get(0).source());
  }

  @Test
  void fileWithoutBlankLinesIsReadOneDocumentPerLine() throws IOException {
    String text = "first document\nsecond document\r\n\nthird\nfourth";
    Path file = write("lines.txt", text);

    assertEquals(CorpusReader.TextRule.PARAGRAPHS, CorpusReader.TextRule.of(file), "a blank line between short runs of lines");
    Path plain = write("plain.txt", "a\nb\nc\n");
    List<Document> docs = readAll(CorpusReader.of(List.of(plain)));

    assertEquals(CorpusReader.TextRule.LINES, CorpusReader.TextRule.of(plain));
    assertEquals(List.of("a\n", "b\n", "c\n"), texts(docs));
    assertEquals(List.of(1L, 2L, 3L), docs.stream().map(Document::line).toList());
    assertEquals(List.of(false, true, true), docs.stream().map(Document::continuesPrevious).toList());
  }

  @Test
  void fewBlankLinesBetweenLongRunsOfLinesStillReadLineByLine() throws IOException {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      text.append("document ").append(i).append(i == 250 ? "\n\n" : "\n");
    }
    Path file = write("mostly-lines.txt", text.toString());

    CorpusReader.ReadResult result = CorpusReader.of(List.of(file)).read(d -> {}, ProgressListener.NONE);

    assertEquals(500, result.documents(), "2 paragraphs of 250 lines each average more than 100 lines");
    assertTrue(result.rules().get(file.toString()).contains("per line"), result.rules().toString());
    assertEquals(text.toString(), String.join("", texts(readAll(CorpusReader.of(List.of(file))))));
  }

  @Test
  void prosePararaphsAreReportedAsParagraphs() throws IOException {
    Path file = write("prose.txt", "One line\nwrapped here.\n\nNext one.\n");

    CorpusReader.ReadResult result = CorpusReader.of(List.of(file)).read(d -> {}, ProgressListener.NONE);

    assertEquals(2, result.documents());
    assertEquals(CorpusReader.TextRule.PARAGRAPHS.description(), result.rules().get(file.toString()));
    assertEquals("1 file: " + CorpusReader.TextRule.PARAGRAPHS.description(), result.rulesSummary());
  }

  @Test
  void leadingBlankLinesAndByteOrderMarkDoNotMakeExtraDocuments() throws IOException {
    Path file = write("bom.txt", "\uFEFF\n\nonly paragraph\n");

    assertEquals(List.of("\n\nonly paragraph\n"), texts(readAll(CorpusReader.of(List.of(file)))));
  }

  @Test
  void whitespaceOnlyFileHasNoDocuments() throws IOException {
    Path file = write("blank.txt", " \n\n\t\n");

    CorpusReader.ReadResult result = CorpusReader.of(List.of(file)).read(d -> {}, ProgressListener.NONE);

    assertEquals(0, result.documents());
  }

  @Test
  void readsJsonlTextFieldsOnePerLineSkippingBlankLines() throws IOException {
    Path file = write("data.jsonl", "{\"text\":\"alpha\\nbeta\",\"id\":1}\n\n{\"text\":\"gamma \\u00e9\"}\r\n{\"text\":\"\"}\n");

    List<Document> docs = readAll(CorpusReader.of(List.of(file)));

    assertEquals(List.of("alpha\nbeta", "gamma é"), texts(docs));
    assertEquals(List.of(1L, 3L), docs.stream().map(Document::line).toList());
    assertFalse(docs.get(1).continuesPrevious());
  }

  @Test
  void readsFolderRecursivelyInPathOrderSkippingHiddenAndUnknownFiles() throws IOException {
    write("b.txt", "from b");
    write("a/z.md", "from a/z");
    write("a/y.jsonl", "{\"text\":\"from a/y\"}");
    write("c.text", "from c");
    write(".hidden.txt", "hidden file");
    write(".git/inside.txt", "hidden folder");
    write("notes.csv", "not a corpus extension");
    Files.write(dir.resolve("image.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});

    CorpusReader reader = CorpusReader.of(List.of(dir));

    assertEquals(List.of("from a/y", "from a/z", "from b", "from c"), texts(readAll(reader)));
    assertEquals(List.of(CorpusFormat.JSONL, CorpusFormat.TEXT, CorpusFormat.TEXT, CorpusFormat.TEXT),
        reader.files().stream().map(CorpusReader.CorpusFile::format).toList());
  }

  @Test
  void symbolicLinksAreFollowedLoopsSkippedAndEachFileReadOnce() throws IOException {
    Path corpus = dir.resolve("corpus");
    write("corpus/sub/a.jsonl", "{\"text\":\"from a\"}");
    write("elsewhere/b.txt", "from b, through a linked folder");
    try {
      Files.createSymbolicLink(corpus.resolve("self"), Path.of("."));
      Files.createSymbolicLink(corpus.resolve("sub/up"), Path.of(".."));
      Files.createSymbolicLink(corpus.resolve("alias.jsonl"), Path.of("sub/a.jsonl"));
      Files.createSymbolicLink(corpus.resolve("again"), Path.of("sub"));
      Files.createSymbolicLink(corpus.resolve("linked"), dir.resolve("elsewhere"));
      Files.createSymbolicLink(corpus.resolve("dangling.txt"), Path.of("nowhere.txt"));
      Files.createSymbolicLink(corpus.resolve("loop-a.txt"), Path.of("loop-b.txt"));
      Files.createSymbolicLink(corpus.resolve("loop-b.txt"), Path.of("loop-a.txt"));
    } catch (UnsupportedOperationException | IOException e) {
      Assumptions.abort("no symbolic links here: " + e);
    }

    CorpusReader reader = CorpusReader.of(List.of(corpus, corpus.resolve("sub/a.jsonl")));

    // a.jsonl is reached as again/a.jsonl (first in path order), alias.jsonl, sub/a.jsonl and by
    // name: read once. Before, alias.jsonl and sub/a.jsonl were both read (the text twice, so it
    // could be trained on and held out), and the linked folder was not read at all.
    assertEquals(List.of("from a", "from b, through a linked folder"), texts(readAll(reader)));
    assertEquals(List.of(corpus.resolve("again/a.jsonl"), corpus.resolve("linked/b.txt")),
        reader.files().stream().map(CorpusReader.CorpusFile::path).toList());
  }

  @Test
  void explicitlyNamedFileWithOtherExtensionIsReadAsText() throws IOException {
    Path file = write("README", "plain words");

    assertEquals(List.of("plain words"), texts(readAll(CorpusReader.of(List.of(file)))));
  }

  @Test
  void malformedJsonlNamesFileAndLine() throws IOException {
    Path file = write("data.jsonl", "{\"text\":\"ok\"}\n{\"text\":\"fine\"}\n{\"text\": \"unterminated}\n");

    CalmException e = assertThrows(CalmException.class, () -> readAll(CorpusReader.of(List.of(file))));

    assertTrue(e.getMessage().startsWith(file + " line 3: not valid JSON ("), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
  }

  @Test
  void jsonlTextAfterTheValueIsRejected() throws IOException {
    Path file = write("data.jsonl", "{\"text\":\"ok\"} trailing\n");

    CalmException e = assertThrows(CalmException.class, () -> readAll(CorpusReader.of(List.of(file))));

    assertTrue(e.getMessage().startsWith(file + " line 1: not valid JSON"), e.getMessage());
  }

  @Test
  void jsonlLineWithoutStringTextFieldNamesTheLine() throws IOException {
    Path missing = write("missing.jsonl", "{\"text\":\"ok\"}\n{\"title\":\"no text\"}\n");
    Path number = write("number.jsonl", "{\"text\":5}\n");
    Path array = write("array.jsonl", "[\"text\"]\n");

    for (Path file : List.of(missing, number, array)) {
      CalmException e = assertThrows(CalmException.class, () -> readAll(CorpusReader.of(List.of(file))));
      long line = file == missing ? 2 : 1;
      assertEquals(file + " line " + line + ": no string field \"text\"", e.getMessage());
    }
  }

  @Test
  void missingFileIsReportedWithItsPath() {
    Path absent = dir.resolve("nope.txt");

    CalmException e = assertThrows(CalmException.class, () -> CorpusReader.of(List.of(absent)));

    assertEquals("corpus file not found: " + absent, e.getMessage());
  }

  @Test
  void folderWithoutCorpusFilesIsReported() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("empty"));
    write("empty/data.csv", "a,b");

    CalmException e = assertThrows(CalmException.class, () -> CorpusReader.of(List.of(folder)));

    assertTrue(e.getMessage().contains("corpus folder has no") && e.getMessage().endsWith(folder.toString()), e.getMessage());
  }

  @Test
  void invalidUtf8IsReplacedAndCountedPerFile() throws IOException {
    Path bad = dir.resolve("corpus.txt");
    // 0xFF and 0xFE never occur in UTF-8; a lone 0xC3 at the end is a truncated sequence.
    Files.write(bad, new byte[] {'o', 'k', ' ', (byte) 0xFF, (byte) 0xFE, ' ', 'x', (byte) 0xC3});
    Path good = write("good.txt", "all fine é");

    List<Document> docs = new ArrayList<>();
    CorpusReader.ReadResult result = CorpusReader.of(List.of(bad, good)).read(docs::add, ProgressListener.NONE);

    assertEquals("ok \uFFFD\uFFFD x\uFFFD", docs.get(0).text());
    assertEquals(List.of(bad + ": 3 invalid UTF-8 sequences replaced"), result.warnings());
  }

  @Test
  void multiByteCharactersAcrossBufferBoundariesDecodeWithoutWarnings() throws IOException {
    String text = "€".repeat(50_000) + "😀".repeat(20_000); // 3- and 4-byte chars straddle the 64 KB buffers
    Path file = write("wide.txt", text);

    List<Document> docs = new ArrayList<>();
    CorpusReader.ReadResult result = CorpusReader.of(List.of(file)).read(docs::add, ProgressListener.NONE);

    assertEquals(text, String.join("", texts(docs)));
    assertTrue(result.warnings().isEmpty(), result.warnings().toString());
  }

  @Test
  void binaryFileIsRefusedNamingTheFile() throws IOException {
    Path file = dir.resolve("weights.txt");
    Files.write(file, new byte[] {'a', 'b', 0, 'c'});

    CalmException e = assertThrows(CalmException.class, () -> readAll(CorpusReader.of(List.of(file))));

    assertTrue(e.getMessage().startsWith(file + ": looks like a binary file (NUL byte at offset 2)"), e.getMessage());
  }

  @Test
  void multiMegabyteSingleLineIsStreamedInCappedDocuments() throws IOException {
    Path file = dir.resolve("one-line.txt");
    int size = 5 * 1024 * 1024 + 123;
    try (OutputStream out = Files.newOutputStream(file)) {
      byte[] block = new byte[1 << 16];
      for (int i = 0; i < block.length; i++) {
        block[i] = (byte) ('a' + i % 26);
      }
      for (int written = 0; written < size; written += block.length) {
        out.write(block, 0, Math.min(block.length, size - written));
      }
    }

    List<Integer> lengths = new ArrayList<>();
    List<Boolean> continues = new ArrayList<>();
    CorpusReader.of(List.of(file)).read(d -> {
      lengths.add(d.text().length());
      continues.add(d.continuesPrevious());
    }, ProgressListener.NONE);

    assertEquals(6, lengths.size());
    assertTrue(lengths.stream().allMatch(n -> n <= CorpusReader.MAX_DOCUMENT_CHARS), lengths.toString());
    assertEquals(size, lengths.stream().mapToLong(Integer::longValue).sum());
    assertEquals(List.of(false, true, true, true, true, true), continues);
  }

  @Test
  void cappedDocumentsNeverSplitSurrogatePairs() throws IOException {
    String text = "x😀😀😀😀😀😀😀\n\n" + "😀".repeat(7);
    Path textFile = write("emoji.txt", text);
    Path jsonlFile = write("emoji.jsonl", "{\"text\":\"" + text.replace("\n", "\\n") + "\"}");

    for (Path file : List.of(textFile, jsonlFile)) {
      List<Document> docs = readAll(CorpusReader.of(List.of(file), 4));
      assertEquals(text, String.join("", texts(docs)), file.toString());
      for (Document d : docs) {
        assertTrue(d.text().length() <= 4, d.text());
        assertFalse(Character.isHighSurrogate(d.text().charAt(d.text().length() - 1)), "split pair in " + file);
      }
    }
  }

  @Test
  void progressRisesToTheTotalSize() throws IOException {
    Path a = write("a.txt", "x".repeat(3 * 1024 * 1024));
    Path b = write("b.jsonl", "{\"text\":\"y\"}\n");
    long total = Files.size(a) + Files.size(b);

    List<long[]> reports = new ArrayList<>();
    CorpusReader.of(List.of(a, b)).read(d -> {}, (done, all) -> reports.add(new long[] {done, all}));

    assertTrue(reports.size() >= 3, "reports during the big file and after each file: " + reports.size());
    for (int i = 1; i < reports.size(); i++) {
      assertTrue(reports.get(i)[0] >= reports.get(i - 1)[0], "progress went backwards");
    }
    assertTrue(reports.stream().allMatch(r -> r[1] == total && r[0] <= total));
    assertEquals(total, reports.get(reports.size() - 1)[0]);
  }

  @Test
  void wikiText103TestSetHas62Documents() throws IOException {
    String shared = System.getProperty("calm.shared.dir");
    Path file = shared == null ? null : Path.of(shared, "data", "wikitext103-test.jsonl");
    if (file == null || !Files.isRegularFile(file)) {
      Assumptions.assumeTrue(false, "calm.shared.dir/data/wikitext103-test.jsonl not available");
    }

    List<Document> docs = readAll(CorpusReader.of(List.of(file)));

    assertEquals(62, docs.size());
    assertTrue(docs.get(0).text().startsWith(" = Robert Boulter = "), docs.get(0).text().substring(0, 40));
    String all = docs.stream().map(Document::text).collect(Collectors.joining());
    assertTrue(all.length() > 1_000_000, "about 1.3 MB of text, got " + all.length());
  }
}
