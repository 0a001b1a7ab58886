package org.calmworkbench.app.gui;

import java.nio.file.Path;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import org.calmworkbench.app.gui.common.AppSettings;
import org.calmworkbench.app.gui.common.EventBus;
import org.calmworkbench.app.gui.common.Events;
import org.calmworkbench.app.gui.service.WorkbenchService;
import org.calmworkbench.backend.project.Project;

/**
 * What every page gets: the job service (all engine work), the event bus, the remembered settings
 * and the current project. One per window; view models take it in their constructor.
 */
public final class WorkbenchContext {
  private final WorkbenchService service;
  private final EventBus bus;
  private final AppSettings settings;
  private final ReadOnlyObjectWrapper<Project> project = new ReadOnlyObjectWrapper<>(this, "project");

  public WorkbenchContext(WorkbenchService service, EventBus bus, AppSettings settings) {
    this.service = service;
    this.bus = bus;
    this.settings = settings;
  }

  public WorkbenchService service() {
    return service;
  }

  public EventBus bus() {
    return bus;
  }

  public AppSettings settings() {
    return settings;
  }

  /** The open project; null until one is opened. */
  public ReadOnlyObjectProperty<Project> projectProperty() {
    return project.getReadOnlyProperty();
  }

  public Project project() {
    return project.get();
  }

  /** Makes {@code p} the current project, remembers it, and tells the pages. UI thread. */
  public void setProject(Project p) {
    settings.projectOpened(p.folder()); // first, so pages that list recent projects see it
    settings.save();
    project.set(p);
    service.log().info("opened project '" + p.name() + "' in " + p.folder());
    bus.publish(new Events.ProjectOpened(p));
  }

  /** The project's runs/ folder; null without a project. */
  public Path runsFolder() {
    return project.get() == null ? null : project.get().folder().resolve(Project.RUNS);
  }
}
