package org.calmworkbench.app.gui.common;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.backend.io.AtomicFiles;

/**
 * What the workbench remembers between sessions: recent projects, the last project, the window's
 * size and place. A small JSON file, by default {@code ~/.config/calm-workbench/workbench.json}
 * ({@code $XDG_CONFIG_HOME} is honoured; the system property {@code calm.config.dir} moves it, which
 * tests use). A missing or unreadable file means defaults, never an error.
 */
public final class AppSettings {
  public static final String FILE_NAME = "workbench.json";
  static final int MAX_RECENT = 8;
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create();

  /** The stored fields (Gson fills them). */
  static final class Data {
    List<String> recentProjects = new ArrayList<>();
    String lastProject;
    double windowWidth = 1280;
    double windowHeight = 820;
    Double windowX; // null: let the system place the window
    Double windowY;
    boolean maximized;
  }

  private final Path file;
  private Data data;

  private AppSettings(Path file, Data data) {
    this.file = file;
    this.data = data;
  }

  public static Path defaultFile() {
    String dir = System.getProperty("calm.config.dir");
    if (dir != null && !dir.isBlank()) {
      return Path.of(dir).resolve(FILE_NAME);
    }
    String xdg = System.getenv("XDG_CONFIG_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".config");
    return base.resolve("calm-workbench").resolve(FILE_NAME);
  }

  public static AppSettings load(Path file) {
    Data d = null;
    if (Files.isRegularFile(file)) {
      try {
        d = GSON.fromJson(Files.readString(file), Data.class);
      } catch (IOException | JsonParseException e) {
        d = null; // a damaged settings file must not stop the app; it is rewritten on the next save
      }
    }
    if (d == null) {
      d = new Data();
    }
    if (d.recentProjects == null) {
      d.recentProjects = new ArrayList<>();
    }
    return new AppSettings(file, d);
  }

  public Path file() {
    return file;
  }

  /** Most recent first, existing folders only. */
  public List<Path> recentProjects() {
    List<Path> out = new ArrayList<>();
    for (String s : data.recentProjects) {
      Path p = Path.of(s);
      if (Files.isDirectory(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /** The project open when the workbench last closed, if its folder still exists. */
  public Path lastProject() {
    if (data.lastProject == null) {
      return null;
    }
    Path p = Path.of(data.lastProject);
    return Files.isDirectory(p) ? p : null;
  }

  /** Moves {@code folder} to the front of the recent list and makes it the last project. */
  public void projectOpened(Path folder) {
    String s = folder.toAbsolutePath().normalize().toString();
    data.recentProjects.remove(s);
    data.recentProjects.add(0, s);
    while (data.recentProjects.size() > MAX_RECENT) {
      data.recentProjects.remove(data.recentProjects.size() - 1);
    }
    data.lastProject = s;
  }

  public double windowWidth() {
    return data.windowWidth;
  }

  public double windowHeight() {
    return data.windowHeight;
  }

  /** NaN until the window was placed once. */
  public double windowX() {
    return data.windowX == null ? Double.NaN : data.windowX;
  }

  public double windowY() {
    return data.windowY == null ? Double.NaN : data.windowY;
  }

  public boolean maximized() {
    return data.maximized;
  }

  public void window(double x, double y, double width, double height, boolean maximized) {
    if (!maximized) { // keep the normal size to restore to
      data.windowX = Double.isFinite(x) ? x : null;
      data.windowY = Double.isFinite(y) ? y : null;
      data.windowWidth = width;
      data.windowHeight = height;
    }
    data.maximized = maximized;
  }

  /** Writes the file atomically; a failure only loses the remembered state, so it is returned, not thrown. */
  public IOException save() {
    try {
      Files.createDirectories(file.getParent());
      AtomicFiles.writeString(file, GSON.toJson(data, Data.class) + "\n");
      return null;
    } catch (IOException e) {
      return e;
    }
  }
}
