package dev.captcha.client;

import java.util.List;
import java.util.Locale;

/**
 * Parses server targets: {@code host:port}, {@code host} or a gRPC URI such as {@code
 * dns:///host:port}.
 */
final class Targets {
  /** The server's default port. */
  static final int DEFAULT_PORT = 50051;

  private Targets() {}

  /** A host and port. */
  record HostPort(String host, int port) {
    @Override
    public String toString() {
      return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** Whether the target is a URI handled by a gRPC name resolver (it has a scheme). */
  static boolean isUri(String target) {
    return target.contains(":/") || target.toLowerCase(Locale.ROOT).startsWith("unix:");
  }

  /** Parses {@code host}, {@code host:port}, {@code [v6]:port} or {@code [v6]}. */
  static HostPort parse(String target) {
    String t = target.trim();
    if (t.isEmpty()) {
      throw new IllegalArgumentException(
          "empty target: give host:port, for example localhost:" + DEFAULT_PORT);
    }
    String host;
    String port = null;
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      if (close < 0) {
        throw new IllegalArgumentException("bad target '" + target + "': missing ']'");
      }
      host = t.substring(1, close);
      String rest = t.substring(close + 1);
      if (!rest.isEmpty()) {
        if (!rest.startsWith(":")) {
          throw new IllegalArgumentException("bad target '" + target + "': expected ':' after ']'");
        }
        port = rest.substring(1);
      }
    } else {
      int colon = t.lastIndexOf(':');
      if (colon >= 0 && t.indexOf(':') != colon) {
        throw new IllegalArgumentException(
            "bad target '"
                + target
                + "': write IPv6 addresses in brackets, as [::1]:"
                + DEFAULT_PORT);
      }
      host = colon >= 0 ? t.substring(0, colon) : t;
      port = colon >= 0 ? t.substring(colon + 1) : null;
    }
    if (host.isEmpty()) {
      throw new IllegalArgumentException("bad target '" + target + "': no host");
    }
    int p = DEFAULT_PORT;
    if (port != null) {
      try {
        p = Integer.parseInt(port);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "bad target '" + target + "': port '" + port + "' is not a number");
      }
      if (p < 1 || p > 65535) {
        throw new IllegalArgumentException("bad target '" + target + "': port must be 1..65535");
      }
    }
    return new HostPort(host, p);
  }

  static List<HostPort> parseAll(List<String> targets) {
    return targets.stream().map(Targets::parse).toList();
  }
}
