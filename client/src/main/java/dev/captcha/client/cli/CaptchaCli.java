package dev.captcha.client.cli;

import dev.captcha.cli.DurationConverter;
import dev.captcha.client.AuthenticationException;
import dev.captcha.client.CaptchaSolverClient;
import dev.captcha.client.CaptchaSolverException;
import dev.captcha.client.DeadlineExceededException;
import dev.captcha.client.ModelDescription;
import dev.captcha.client.UnavailableException;
import dev.captcha.report.Progress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code captcha} command line: solve images, evaluate accuracy on a labelled folder, and
 * describe the server's model. Owns the global connection options; one instance per run.
 */
@Command(
    name = "captcha",
    mixinStandardHelpOptions = true,
    version = "captcha client 0.1.0",
    description = "Reads captcha images with a captcha solver server over gRPC.",
    footer = {
      "",
      "Exit codes: 0 every image solved; 1 some images failed (each reported on stderr);",
      "2 usage error, or the server could not be reached or refused the credentials."
    })
public final class CaptchaCli implements Runnable {

  /** What to do when no server answers at {@code port}. */
  static String startHint(int port) {
    return "Is the server running? Start it with `java -jar server/target/captcha-server.jar --port "
        + port
        + "`, or point --target at it";
  }

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = {"-t", "--target"},
      paramLabel = "HOST:PORT",
      scope = ScopeType.INHERIT,
      description = {
        "Server to call; repeat it for several replicas, which are balanced round-robin."
            + " Also accepts a gRPC target URI such as dns:///solver.example:50051 (all its"
            + " addresses are used). Default: localhost:50051."
      })
  List<String> targets = new ArrayList<>();

  @Option(
      names = "--deadline",
      paramLabel = "DURATION",
      scope = ScopeType.INHERIT,
      converter = DurationConverter.Positive.class,
      description = "Deadline of each call, e.g. 500ms, 5s, 2m (default: ${DEFAULT-VALUE}).",
      defaultValue = "10s")
  Duration deadline;

  @Option(
      names = "--max-attempts",
      paramLabel = "N",
      scope = ScopeType.INHERIT,
      description =
          "Attempts per call when the server is unavailable or overloaded, the first included"
              + " (1..10, default: ${DEFAULT-VALUE}).",
      defaultValue = "4")
  int maxAttempts;

  @Option(
      names = "--tls",
      scope = ScopeType.INHERIT,
      description =
          "Connect with TLS, trusting the system's certificate authorities (implied by --tls-ca).")
  boolean tls;

  @Option(
      names = "--tls-ca",
      paramLabel = "PEM",
      scope = ScopeType.INHERIT,
      description = "Connect with TLS and trust the CA certificate(s) in this PEM file.")
  Path tlsCa;

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      scope = ScopeType.INHERIT,
      description = "Client certificate (PEM) for mutual TLS; needs --tls-key.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "PEM",
      scope = ScopeType.INHERIT,
      description = "Client private key (PKCS#8 PEM) for mutual TLS; needs --tls-cert.")
  Path tlsKey;

  @Option(
      names = "--tls-authority",
      paramLabel = "HOST",
      scope = ScopeType.INHERIT,
      description = "Host name to verify in the server's certificate instead of the target's.")
  String tlsAuthority;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description =
          "File holding a bearer token, sent as 'authorization: Bearer <token>' on every call.")
  Path tokenFile;

  private final ClientFactory factory;
  private final boolean interactive;

  CaptchaCli(ClientFactory factory, boolean interactive) {
    this.factory = factory;
    this.interactive = interactive;
  }

  /** Runs the CLI and exits with its code. */
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    int code =
        run(
            args,
            ClientFactory.network(),
            Progress.Mode.detect(false) == Progress.Mode.BAR,
            out,
            err);
    out.flush();
    err.flush();
    System.exit(code);
  }

  /** Runs the CLI with the given client factory and streams; returns the exit code. */
  static int run(
      String[] args, ClientFactory factory, boolean interactive, PrintWriter out, PrintWriter err) {
    CaptchaCli cli = new CaptchaCli(factory, interactive);
    CommandLine cmd = new CommandLine(cli);
    cmd.addSubcommand("solve", new SolveCommand(cli));
    cmd.addSubcommand("eval", new EvalCommand(cli));
    cmd.addSubcommand("info", new InfoCommand(cli));
    cmd.setOut(out);
    cmd.setErr(err);
    cmd.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof CliFailure f) {
            err.println("captcha: " + f.getMessage());
            return f.exitCode();
          }
          if (e instanceof CaptchaSolverException c) {
            err.println("captcha: " + c.getMessage());
            return ExitCodes.USAGE_OR_CONNECTION;
          }
          if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            err.println("captcha: " + e.getMessage());
            return ExitCodes.USAGE_OR_CONNECTION;
          }
          err.println("captcha: unexpected error: " + e);
          return ExitCodes.USAGE_OR_CONNECTION;
        });
    return cmd.execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "give a command: solve, eval or info");
  }

  boolean interactive() {
    return interactive;
  }

  /**
   * The progress display of a command: a bar on a terminal, plain lines otherwise, nothing when
   * quiet.
   */
  Progress progress(String label, int total, boolean quiet, PrintWriter err) {
    Progress.Mode mode =
        quiet ? Progress.Mode.QUIET : interactive ? Progress.Mode.BAR : Progress.Mode.LINES;
    return Progress.of(label, "images", total, mode, err);
  }

  /** Validates the global options into connection settings. */
  ConnectionSettings settings(CommandLine commandLine) {
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new CommandLine.ParameterException(
          commandLine, "--tls-cert and --tls-key go together: give both for mutual TLS");
    }
    if (maxAttempts < 1 || maxAttempts > 10) {
      throw new CommandLine.ParameterException(
          commandLine, "--max-attempts must be 1..10, got " + maxAttempts);
    }
    for (Path p : new Path[] {tlsCa, tlsCert, tlsKey}) {
      if (p != null && !Files.isReadable(p)) {
        throw new CommandLine.ParameterException(commandLine, "cannot read TLS file " + p);
      }
    }
    String token = null;
    if (tokenFile != null) {
      try {
        token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw new CommandLine.ParameterException(
            commandLine, "cannot read --token-file " + tokenFile + ": " + e.getMessage());
      }
      if (token.isEmpty()) {
        throw new CommandLine.ParameterException(
            commandLine, "--token-file " + tokenFile + " is empty");
      }
    }
    List<String> t = targets.isEmpty() ? List.of("localhost:50051") : targets;
    boolean useTls = tls || tlsCa != null || tlsCert != null;
    return new ConnectionSettings(
        t, deadline, maxAttempts, useTls, tlsCa, tlsCert, tlsKey, tlsAuthority, token);
  }

  /** A connected client whose server answered GetModelInfo, and that answer. */
  record Connection(CaptchaSolverClient client, ModelDescription model) implements AutoCloseable {
    @Override
    public void close() {
      client.close();
    }
  }

  /**
   * Makes a client and checks the server answers, turning an unreachable server or refused
   * credentials into a message that says what to do.
   */
  Connection connect(CommandLine commandLine) {
    ConnectionSettings s = settings(commandLine);
    CaptchaSolverClient client;
    try {
      client = factory.create(s);
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new CommandLine.ParameterException(commandLine, e.getMessage());
    }
    try {
      return new Connection(client, client.modelInfo());
    } catch (CaptchaSolverException e) {
      client.close();
      throw new CliFailure(ExitCodes.USAGE_OR_CONNECTION, explain(e, s));
    }
  }

  static String explain(CaptchaSolverException e, ConnectionSettings s) {
    String where = s.describeTargets();
    if (e instanceof UnavailableException) {
      String detail = e.getMessage();
      String lower = detail.toLowerCase(Locale.ROOT);
      String hint;
      if (lower.contains("certificate_required") || lower.contains("certificate required")) {
        hint =
            "The server requires a client certificate: pass --tls-cert CERT.pem --tls-key KEY.pem";
      } else if (lower.contains("ssl")
          || lower.contains("tls")
          || lower.contains("handshake")
          || lower.contains("certificate")) {
        hint =
            s.tls()
                ? "Check --tls-ca (the CA that signed the server's certificate), --tls-authority,"
                    + " or whether the server uses TLS at all"
                : "The server may require TLS: pass --tls-ca CA.pem";
      } else if (!s.tls() && lower.contains("reset by peer")) {
        hint =
            "The server closed the connection; if it uses TLS, pass --tls-ca CA.pem"
                + " (and --tls-cert/--tls-key if it asks for a client certificate)";
      } else {
        hint = startHint(firstPort(s));
      }
      return detail + ". " + hint;
    }
    if (e instanceof AuthenticationException) {
      return e.getMessage()
          + ". Pass a valid token with --token-file FILE"
          + " (or a client certificate with --tls-cert/--tls-key)";
    }
    if (e instanceof DeadlineExceededException) {
      return "no answer from "
          + where
          + " within "
          + ClientFactory.format(s.deadline())
          + ": the server may be overloaded or stuck; try a longer --deadline";
    }
    return "the server at " + where + " failed: " + e.getMessage();
  }

  private static int firstPort(ConnectionSettings s) {
    String first = s.targets().get(0);
    int colon = first.lastIndexOf(':');
    try {
      return colon >= 0 ? Integer.parseInt(first.substring(colon + 1)) : 50051;
    } catch (NumberFormatException e) {
      return 50051;
    }
  }
}
