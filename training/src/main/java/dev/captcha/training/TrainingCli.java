package dev.captcha.training;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point of captcha-training.jar: dispatches to the generate, train, finetune, export,
 * calibrate, evaluate, bench, chart and lookalikes commands.
 */
@Command(
    name = "captcha-training",
    mixinStandardHelpOptions = true,
    version = "captcha-training 0.1.0",
    description =
        "Generates afocus-style captchas, trains the captcha ResNet, exports it to ONNX and evaluates it.",
    subcommands = {
      GenerateCommand.class,
      ReplayCommand.class,
      TrainCommand.class,
      FinetuneCommand.class,
      ExportCommand.class,
      QuantizeCommand.class,
      CalibrateCommand.class,
      SetInputCommand.class,
      EvaluateCommand.class,
      BenchCommand.class,
      ChartCommand.class,
      LookalikesCommand.class
    })
public final class TrainingCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    ArgsHolder.set(args);
    System.exit(commandLine().execute(args));
  }

  /**
   * The command line with the project's error convention: an {@link IllegalArgumentException} from
   * any command (bad input, missing files, wrong settings) prints {@code error: <message>} and
   * exits with 2.
   */
  static CommandLine commandLine() {
    return new CommandLine(new TrainingCli())
        .setExecutionExceptionHandler(
            (e, cmd, parseResult) -> {
              if (e instanceof IllegalArgumentException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 2;
              }
              throw e;
            });
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(),
        "a command is required (generate, replay, train, finetune, export, quantize, calibrate, evaluate,"
            + " bench, chart, lookalikes)");
  }
}
