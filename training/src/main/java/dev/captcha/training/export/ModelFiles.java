package dev.captcha.training.export;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Where model files are written before they are moved into place; stateless. */
public final class ModelFiles {
  private ModelFiles() {}

  /**
   * A new temporary file in {@code dir} for a model about to be moved to its name: readable by
   * everyone (rw-r--r-- where the file system has POSIX permissions), as a model a server running
   * as another user must read, rather than the owner-only mode of {@link Files#createTempFile}.
   */
  public static Path temporary(Path dir, String prefix) throws IOException {
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      return Files.createTempFile(
          dir,
          prefix,
          ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
    }
    return Files.createTempFile(dir, prefix, ".tmp");
  }
}
