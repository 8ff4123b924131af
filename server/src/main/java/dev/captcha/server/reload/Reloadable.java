package dev.captcha.server.reload;

import java.nio.file.Path;

/** Something that can take a new model file into service; implementations are thread-safe. */
@FunctionalInterface
public interface Reloadable {

  /**
   * Loads {@code file} beside the model in force and, if it is valid, switches to it.
   *
   * @throws ModelRefusedException when the file is refused; the model in force keeps serving
   */
  void reload(Path file) throws ModelRefusedException;
}
