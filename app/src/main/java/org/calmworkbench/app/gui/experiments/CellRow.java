package org.calmworkbench.app.gui.experiments;

import org.calmworkbench.backend.experiment.CellResult;
import org.calmworkbench.backend.experiment.ExperimentCell;

/**
 * One row of the Experiments page's results table: a cell of the grid and its result once it has
 * one. Numbers not measured yet (or not at all: a failed cell) are NaN, shown blank.
 *
 * @param result null until the cell finished (this run or an earlier one)
 * @param state what the cell is doing while it has no result: {@link #PENDING} or "running: ..."
 */
public record CellRow(ExperimentCell cell, CellResult result, String state) {
  public static final String PENDING = "pending";

  public static CellRow pending(ExperimentCell cell) {
    return new CellRow(cell, null, PENDING);
  }

  public String id() {
    return cell.id();
  }

  public boolean finished() {
    return result != null;
  }

  public boolean ok() {
    return result != null && result.ok();
  }

  /** K ("4"), or "AR" for the baseline (one token per step). */
  public String model() {
    return cell.ar() ? "AR" : Integer.toString(cell.patchSize());
  }

  public String latent() {
    return cell.ar() ? "" : Integer.toString(cell.latentSize());
  }

  public double brierLm() {
    return result == null ? Double.NaN : result.brierLm();
  }

  public double trainFlops() {
    return result == null ? Double.NaN : result.trainFlops();
  }

  public double inferFlopsPerToken() {
    return result == null ? Double.NaN : result.inferFlopsPerToken();
  }

  /** Known before the cell runs: 100 / K (100 for the AR baseline). */
  public double stepsPer100Tokens() {
    return cell.stepsPer100Tokens();
  }

  public double tokensPerSecond() {
    return result == null ? Double.NaN : result.tokensPerSecond();
  }

  /** "ok", "failed: why", "pending" or "running NN%" (of the cell). */
  public String status() {
    if (result == null) {
      return state;
    }
    return result.ok() ? CellResult.OK : CellResult.FAILED + ": " + result.error();
  }
}
