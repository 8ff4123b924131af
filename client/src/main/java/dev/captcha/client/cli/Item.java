package dev.captcha.client.cli;

import dev.captcha.client.CaptchaSolverException;
import dev.captcha.client.SolveResult;
import java.nio.file.Path;

/** The outcome for one image file: a result or an error. */
record Item(int index, Path path, SolveResult result, CaptchaSolverException error) {
  boolean succeeded() {
    return result != null;
  }
}
