package dev.captcha.client;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one item of a batch: its result or the error that stopped it; immutable and
 * thread-safe.
 */
public final class SolveOutcome {
  private final int index;
  private final CaptchaImage input;
  private final SolveResult result;
  private final CaptchaSolverException error;

  private SolveOutcome(
      int index, CaptchaImage input, SolveResult result, CaptchaSolverException error) {
    this.index = index;
    this.input = Objects.requireNonNull(input, "input");
    this.result = result;
    this.error = error;
  }

  static SolveOutcome success(int index, CaptchaImage input, SolveResult result) {
    return new SolveOutcome(index, input, Objects.requireNonNull(result), null);
  }

  static SolveOutcome failure(int index, CaptchaImage input, CaptchaSolverException error) {
    return new SolveOutcome(index, input, null, Objects.requireNonNull(error));
  }

  /** The item's position in the input sequence, from 0. */
  public int index() {
    return index;
  }

  /** The input this outcome belongs to. */
  public CaptchaImage input() {
    return input;
  }

  /** Whether the item was solved. */
  public boolean succeeded() {
    return result != null;
  }

  /** The result; throws the item's error when it failed. */
  public SolveResult result() {
    if (error != null) {
      throw error;
    }
    return result;
  }

  /** The error, when the item failed. */
  public Optional<CaptchaSolverException> error() {
    return Optional.ofNullable(error);
  }

  @Override
  public String toString() {
    return input.id() + (succeeded() ? " -> " + result.text() : " failed: " + error.getMessage());
  }
}
