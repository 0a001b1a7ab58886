package org.calmworkbench.app.gui;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.calmworkbench.app.gui.common.AppSettings;
import org.calmworkbench.app.gui.common.EventBus;
import org.calmworkbench.app.gui.service.Notifier;
import org.calmworkbench.app.gui.service.SameThreadUiExecutor;
import org.calmworkbench.app.gui.service.UiExecutor;
import org.calmworkbench.app.gui.service.WorkbenchService;

/** Workbench contexts for tests without a screen: UI updates and (by default) jobs on the calling thread. */
public final class TestContexts {
  private TestContexts() {}

  /** Notifications, recorded. */
  public static final class RecordingNotifier implements Notifier {
    public final List<String> shown = new ArrayList<>();

    @Override
    public synchronized void show(Kind kind, String title, String text) {
      shown.add(kind + ": " + title + ": " + text);
    }
  }

  public static WorkbenchContext sameThread(Path configDir, RecordingNotifier notifier) {
    return context(configDir, notifier, new SameThreadUiExecutor(), Runnable::run);
  }

  public static WorkbenchContext context(Path configDir, Notifier notifier, UiExecutor ui, Executor worker) {
    WorkbenchService service = new WorkbenchService(ui, worker, () -> ai.djl.engine.Engine.getEngine("PyTorch"), notifier);
    return new WorkbenchContext(service, new EventBus(), AppSettings.load(configDir.resolve(AppSettings.FILE_NAME)));
  }
}
