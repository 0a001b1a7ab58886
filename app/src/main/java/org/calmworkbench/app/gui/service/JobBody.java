package org.calmworkbench.app.gui.service;

/** The work of a job; runs on the service thread, reports through {@code ctx}. */
@FunctionalInterface
public interface JobBody<T> {
  T run(JobContext ctx) throws Exception;
}
