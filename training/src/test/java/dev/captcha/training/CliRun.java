package dev.captcha.training;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;

/** One run of the training CLI in this JVM: its exit code, standard output and error output. */
record CliRun(int code, String out, String err) {

  /** Runs {@code args} through {@link TrainingCli#commandLine()}, capturing both streams. */
  static CliRun of(String... args) {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      int code = TrainingCli.commandLine().setErr(new PrintWriter(err, true)).execute(args);
      return new CliRun(code, captured.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(stdout);
    }
  }
}
