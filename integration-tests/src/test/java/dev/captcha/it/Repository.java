package dev.captcha.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths of the repository the tests run in; stateless. */
final class Repository {
  private Repository() {}

  /** The repository root: the working directory, or its parent when Maven runs in the module. */
  static Path root() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    return Files.isDirectory(dir.resolve("integration-tests")) ? dir : dir.getParent();
  }

  static Path serverJar() {
    return root().resolve("server/target/captcha-server.jar");
  }

  static Path loadTestJar() {
    return root().resolve("load-test/target/captcha-load-test.jar");
  }

  /**
   * The bundled model, or the file named by the system property {@code captcha.it.model} (to run
   * these tests against another model).
   */
  static Path bundledModel() {
    String other = System.getProperty("captcha.it.model");
    return other != null && !other.isBlank()
        ? Path.of(other).toAbsolutePath()
        : root().resolve("models/captcha-resnet.onnx");
  }
}
