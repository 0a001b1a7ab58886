package org.calmworkbench.app.gui.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutionException;
import org.calmworkbench.backend.data.TokenIds;
import org.junit.jupiter.api.Test;

/** What a failed job's page shows: the backend's own message, a storage fault's reason, or a short internal error. */
class ErrorReporterTest {
  @Test
  void aMappedFileFaultReadsAsThatNotAsAnInternalError() {
    InternalError fault = new InternalError("a fault occurred in a recent unsafe memory access operation in compiled Java code");
    assertEquals(TokenIds.MAPPED_FILE_FAULT, ErrorReporter.describe(new ExecutionException(fault)));
    String other = ErrorReporter.describe(new InternalError("something else"));
    assertTrue(other.startsWith("internal error: InternalError: something else"), other);
  }
}
