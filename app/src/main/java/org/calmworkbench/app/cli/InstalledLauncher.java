package org.calmworkbench.app.cli;

/**
 * Main class of the installed app's {@code calm-workbench} launcher (installers/). With no argument
 * it opens the window, as a desktop entry expects; with arguments it is the same command line as
 * {@code ./calm} (same commands, options and exit codes). Not an {@code Application} subclass: see
 * {@link org.calmworkbench.app.gui.WorkbenchLauncher}.
 */
public final class InstalledLauncher {
  private InstalledLauncher() {}

  public static void main(String[] args) {
    CalmCli.main(commandLine(args));
  }

  /** {@code gui} when there are no arguments, else the arguments unchanged. */
  static String[] commandLine(String[] args) {
    return args.length == 0 ? new String[] {"gui"} : args;
  }
}
