package dev.captcha.server;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the model file: as given when absolute or present relative to the working directory,
 * otherwise relative to the directories above the server jar (so the bundled {@code
 * models/captcha-resnet.onnx} is found from {@code server/target/captcha-server.jar}). Stateless.
 */
final class ModelLocator {
  private static final int LEVELS_ABOVE_JAR = 3;

  private ModelLocator() {}

  /** The places tried, in order. */
  static List<Path> candidates(Path given, Optional<Path> jarDirectory) {
    List<Path> out = new ArrayList<>();
    out.add(given.toAbsolutePath().normalize());
    if (!given.isAbsolute() && jarDirectory.isPresent()) {
      Path dir = jarDirectory.get();
      for (int i = 0; i <= LEVELS_ABOVE_JAR && dir != null; i++, dir = dir.getParent()) {
        out.add(dir.resolve(given).toAbsolutePath().normalize());
      }
    }
    return out;
  }

  /** The first existing candidate, or the path as given when none exists (the load then fails). */
  static Path locate(Path given) {
    for (Path p : candidates(given, jarDirectory())) {
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return given;
  }

  private static Optional<Path> jarDirectory() {
    try {
      var source = Main.class.getProtectionDomain().getCodeSource();
      if (source == null) {
        return Optional.empty();
      }
      Path location = Path.of(source.getLocation().toURI());
      return Optional.ofNullable(Files.isDirectory(location) ? location : location.getParent());
    } catch (URISyntaxException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
