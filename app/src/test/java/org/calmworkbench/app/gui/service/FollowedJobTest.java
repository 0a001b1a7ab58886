package org.calmworkbench.app.gui.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The progress line under a page's bar: one wording, with or without the job's name. */
class FollowedJobTest {
  @Test
  void theLineFollowsTheJobThroughItsStates() {
    Job j = new Job(JobSpec.of("Train CALM lm-1", "lm-train"));
    FollowedJob plain = new FollowedJob();
    FollowedJob named = new FollowedJob(FollowedJob::namedText);
    plain.follow(j);
    named.follow(j);
    assertEquals("waiting for the job before it", plain.textProperty().get());
    assertEquals("Train CALM lm-1: waiting for the job before it", named.textProperty().get());

    j.setState(JobState.RUNNING);
    j.setProgress(0.5, 95, "step 10/20");
    assertEquals("step 10/20 · ETA " + Durations.format(95), plain.textProperty().get());
    assertEquals(plain.textProperty().get(), named.textProperty().get(), "a running job's line is the same");
    j.setState(JobState.PAUSED);
    assertEquals("paused · step 10/20 · ETA " + Durations.format(95), named.textProperty().get());

    j.setState(JobState.CANCELLED);
    j.setMessage("stopped by request");
    assertEquals("cancelled: stopped by request", plain.textProperty().get());
    assertEquals("Train CALM lm-1: cancelled: stopped by request", named.textProperty().get());
  }

  @Test
  void aDoneMessageIsNotRepeated() {
    Job j = new Job(JobSpec.of("Train AR baseline ar-1", "ar-train"));
    FollowedJob named = new FollowedJob(FollowedJob::namedText);
    named.follow(j);
    j.setMessage("done in 1:35");
    j.setState(JobState.DONE);
    assertEquals("Train AR baseline ar-1: done in 1:35", named.textProperty().get());
  }
}
