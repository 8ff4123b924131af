package dev.captcha.server;

import dev.captcha.cli.DurationConverter;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The default of every server option: the environment variable {@code CAPTCHA_<OPTION>} where it is
 * set, otherwise the option's initial value, which the option groups take from the defaults of
 * their settings records (the one source of defaults); durations read as {@code 5ms}, {@code 10s}
 * or {@code 1m}. Immutable and thread-safe.
 */
final class EnvDefaults implements IDefaultValueProvider {
  private final Map<String, String> environment;

  EnvDefaults(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  /**
   * The environment variable of an option: {@code --max-batch-size} reads CAPTCHA_MAX_BATCH_SIZE.
   */
  static String variable(OptionSpec option) {
    return "CAPTCHA_"
        + option.longestName().replaceFirst("^-+", "").replace('-', '_').toUpperCase(Locale.ROOT);
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || option.usageHelp() || option.versionHelp()) {
      return null;
    }
    String value = environment.get(variable(option));
    if (value != null && !value.isBlank()) {
      return value;
    }
    return option.initialValue() instanceof Duration d ? DurationConverter.format(d) : null;
  }
}
