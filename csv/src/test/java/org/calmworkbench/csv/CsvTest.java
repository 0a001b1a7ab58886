package org.calmworkbench.csv;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CsvTest {
  @Test
  void quotesTextWithACommaAQuoteOrALineBreak() {
    assertEquals("plain", Csv.field("plain"));
    assertEquals("", Csv.field(""));
    assertEquals("\"a,b\"", Csv.field("a,b"));
    assertEquals("\"say \"\"hi\"\"\"", Csv.field("say \"hi\""));
    assertEquals("\"line\nbreak\"", Csv.field("line\nbreak"));
    assertEquals("\"carriage\rreturn\"", Csv.field("carriage\rreturn"));
    assertEquals("\"crlf\r\n\"", Csv.field("crlf\r\n"));
  }

  @ParameterizedTest
  @CsvSource({
      "150, 150",
      "-3, -3",
      "0, 0",
      "0.25, 0.25",
      "1e-9, 1.0E-9",
      "0.1234567891234, 0.1234567891234",
      "1e15, 1.0E15",
      "2.5e20, 2.5E20"})
  void numbersAreIntegersWithoutAFractionOrEveryDigitToReadThemBack(double v, String expected) {
    assertEquals(expected, Csv.field(v));
    assertEquals(v, Double.parseDouble(Csv.field(v)), "reads back exactly");
  }

  @Test
  void notMeasuredIsAnEmptyField() {
    assertEquals("", Csv.field(null));
    assertEquals("", Csv.field(Double.NaN));
    assertEquals("", Csv.field(Double.POSITIVE_INFINITY));
    assertEquals("", Csv.number(Double.NEGATIVE_INFINITY));
  }

  @Test
  void floatsKeepTheirShortDecimalForm() {
    assertEquals("0.1", Csv.field(0.1f));
    assertEquals("3", Csv.field(3.0f));
  }

  @Test
  void integersAndOtherObjectsAreWrittenAsTheirText() {
    assertEquals("123456789012", Csv.field(123456789012L));
    assertEquals("7", Csv.field(7));
    assertEquals("true", Csv.field(true));
  }

  @Test
  void aTableIsAHeaderThenOneTerminatedLinePerRow() {
    String csv = Csv.table(List.of("name", "steps", "loss"), List.of(
        List.of("a,b", 150, 0.25),
        Arrays.asList("say \"hi\"", 3.0, Double.NaN),
        Arrays.asList("two\r\nlines", null, 1e-9),
        Arrays.asList(null, null, 2)));
    assertEquals("name,steps,loss\n\"a,b\",150,0.25\n\"say \"\"hi\"\"\",3,\n\"two\r\nlines\",,1.0E-9\n,,2\n", csv);
  }
}
