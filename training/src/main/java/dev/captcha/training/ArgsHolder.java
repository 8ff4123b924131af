package dev.captcha.training;

import java.util.List;

/** The raw command-line arguments, recorded as training provenance; written once by main. */
final class ArgsHolder {
  private static volatile List<String> args = List.of();

  private ArgsHolder() {}

  static void set(String[] a) {
    args = List.of(a);
  }

  static List<String> args() {
    return args.size() > 0 && args.get(0).equals("train") ? args.subList(1, args.size()) : args;
  }
}
