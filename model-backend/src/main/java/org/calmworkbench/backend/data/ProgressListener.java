package org.calmworkbench.backend.data;

/** Reports how far a pass over a corpus has come, in bytes of input files, so a caller can show an ETA. */
@FunctionalInterface
public interface ProgressListener {
  /** Called from the reading thread; {@code bytesDone <= bytesTotal}. */
  void onProgress(long bytesDone, long bytesTotal);

  ProgressListener NONE = (done, total) -> {};
}
