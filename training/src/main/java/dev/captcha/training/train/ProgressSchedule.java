package dev.captcha.training.train;

import ai.djl.training.tracker.Tracker;

/**
 * Learning rate as a function of training progress: a linear warm-up over the first steps, then a
 * cosine decay from the peak to the floor as progress goes from 0 to 1. Progress is set by the
 * training loop (the larger of the step fraction and the time-budget fraction), so a run with a
 * wall-clock budget still ends its schedule at the floor. Written by the loop thread, read by the
 * optimiser on the same thread.
 */
final class ProgressSchedule implements Tracker {
  private final float peak;
  private final float floor;
  private final int warmupSteps;
  private volatile double progress;
  private volatile int step;

  ProgressSchedule(float peak, float floor, int warmupSteps) {
    this.peak = peak;
    this.floor = floor;
    this.warmupSteps = warmupSteps;
  }

  void update(int step, double progress) {
    this.step = step;
    this.progress = Math.min(1.0, Math.max(0.0, progress));
  }

  float current() {
    if (step < warmupSteps) {
      return peak * (step + 1) / warmupSteps;
    }
    double cos = 0.5 * (1 + Math.cos(Math.PI * progress));
    return (float) (floor + (peak - floor) * cos);
  }

  @Override
  public float getNewValue(int numUpdate) {
    return current();
  }
}
