package dev.captcha.client.cli;

import java.io.PrintWriter;

/** Lets tests in other packages run the CLI against the network. */
public final class CliAccess {
  private CliAccess() {}

  /** Runs the CLI with the real network client factory, non-interactively. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return CaptchaCli.run(args, ClientFactory.network(), false, out, err);
  }
}
