package org.calmworkbench.app.gui.pages;

import java.util.function.Function;
import org.calmworkbench.app.gui.WorkbenchContext;

/**
 * A navigation entry: its title, a one-line summary (the entry's tooltip), and how to build the
 * page (only when first shown).
 */
public record PageSpec(String title, String summary, Function<WorkbenchContext, Page> factory) {}
