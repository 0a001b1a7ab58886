package org.calmworkbench.app.gui.common;

/**
 * One point for a chart: which chart, which series, x (a step, a sigma) and y. View models publish
 * these; views feed them to a {@code LiveLineChart}. Keeping them in the view model lets tests
 * check the curves without a screen.
 */
public record MetricPoint(String chart, String series, double x, double y) {}
