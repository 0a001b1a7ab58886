package org.calmworkbench.app.gui.pages;

import java.util.function.Function;
import org.calmworkbench.app.gui.WorkbenchContext;

/**
 * A navigation entry: its title, a one-line summary (the entry's tooltip), how to build the page
 * (only when first shown), and whether the page is built yet or a placeholder that says so.
 */
public record PageSpec(String title, String summary, Function<WorkbenchContext, Page> factory, boolean built) {
  public PageSpec(String title, String summary, Function<WorkbenchContext, Page> factory) {
    this(title, summary, factory, true);
  }

  /** An entry for a page that is not built yet: it says so plainly. */
  public static PageSpec notBuiltYet(String title, String summary) {
    return new PageSpec(title, summary, ctx -> new PlaceholderPage(title, summary), false);
  }
}
