package dev.captcha.training;

import dev.captcha.model.ColorMode;
import dev.captcha.model.ResizeRule;

/**
 * Parsing of the preprocessing options the commands share ({@code --input-color}, {@code
 * --resize}).
 */
final class InputOptions {
  private InputOptions() {}

  /** The colour transform named by {@code --input-color}; an unknown name is a usage error. */
  static ColorMode color(String value) {
    ColorMode mode = ColorMode.parse(value.trim());
    if (mode == null) {
      throw new IllegalArgumentException(
          "--input-color is '" + value + "'; known: " + ColorMode.labels());
    }
    return mode;
  }

  /** The resize rule named by {@code --resize}; an unknown name is a usage error. */
  static ResizeRule resize(String value) {
    ResizeRule rule = ResizeRule.parse(value.trim());
    if (rule == null) {
      throw new IllegalArgumentException(
          "--resize is '" + value + "'; known: bilinear-stretch, area-stretch");
    }
    return rule;
  }
}
