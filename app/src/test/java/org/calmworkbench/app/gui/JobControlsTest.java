package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.calmworkbench.app.gui.common.JobControls;
import org.calmworkbench.app.gui.service.JobState;
import org.junit.jupiter.api.Test;

/** What the one job-controls row shows for a job's state and progress (no screen). */
class JobControlsTest {
  @Test
  void beforeTheFirstJobTheBarIsEmptyAndThereIsNoPercentage() {
    assertEquals(0, JobControls.barValue(null, -1));
    assertEquals("", JobControls.percentText(null, 0.5));
  }

  @Test
  void anUnknownFractionIsAnIndeterminateBarWithoutAPercentage() {
    assertEquals(-1, JobControls.barValue(JobState.RUNNING, -1));
    assertEquals("", JobControls.percentText(JobState.RUNNING, -1));
  }

  @Test
  void aKnownFractionIsShownRoundedToAWholePercent() {
    assertEquals(0.456, JobControls.barValue(JobState.PAUSED, 0.456));
    assertEquals("46 %", JobControls.percentText(JobState.PAUSED, 0.456));
    assertEquals("0 %", JobControls.percentText(JobState.QUEUED, 0));
    assertEquals("100 %", JobControls.percentText(JobState.DONE, 1));
  }
}
