package org.calmworkbench.app.gui.bench;

import java.io.IOException;
import java.nio.file.Path;

/** Test access to package-private helpers of {@link GuiResponsiveness}. */
public final class GuiResponsivenessAccess {
  private GuiResponsivenessAccess() {}

  public static Path copyProject(Path from, Path to) throws IOException {
    return GuiResponsiveness.copyProject(from, to);
  }
}
