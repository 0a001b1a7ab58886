package org.calmworkbench.app.gui.common;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A tiny typed event bus for things several pages care about (a project was opened, a checkpoint
 * was saved). Handlers run on the publishing thread; publish from the UI thread.
 */
public final class EventBus {
  private final Map<Class<?>, List<Consumer<Object>>> handlers = new ConcurrentHashMap<>();

  /** Calls {@code handler} for every event of exactly {@code type}; returns the way to unsubscribe. */
  public <E> Runnable subscribe(Class<E> type, Consumer<? super E> handler) {
    Consumer<Object> h = e -> handler.accept(type.cast(e));
    handlers.computeIfAbsent(type, t -> new CopyOnWriteArrayList<>()).add(h);
    return () -> handlers.get(type).remove(h);
  }

  public void publish(Object event) {
    for (Consumer<Object> h : handlers.getOrDefault(event.getClass(), List.of())) {
      h.accept(event);
    }
  }
}
