package dev.captcha.server.solve;

import java.util.List;

/**
 * A request named a model the server does not serve; the message names the models it serves.
 * Immutable.
 */
public final class UnknownModelException extends Exception {
  private static final long serialVersionUID = 1L;

  private final String model;

  UnknownModelException(String model, List<String> known) {
    super(
        "unknown model '"
            + model
            + "'; this server serves "
            + (known.isEmpty() ? "no model at present" : String.join(", ", known)));
    this.model = model;
  }

  /** The name that was asked for. */
  public String model() {
    return model;
  }
}
