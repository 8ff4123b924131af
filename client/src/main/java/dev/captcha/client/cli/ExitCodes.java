package dev.captcha.client.cli;

/** The CLI's exit codes. */
final class ExitCodes {
  /** Every item was solved. */
  static final int OK = 0;

  /** Some items failed; each was reported on stderr. */
  static final int ITEM_FAILURES = 1;

  /** Bad usage, or the server could not be used (unreachable, credentials refused). */
  static final int USAGE_OR_CONNECTION = 2;

  private ExitCodes() {}
}
