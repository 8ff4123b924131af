package dev.captcha.client.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/** Expands the command line's files and directories into image files. */
final class ImageFiles {
  static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "gif", "bmp");

  private ImageFiles() {}

  /**
   * Files given by name are taken as they are; directories are searched recursively for files whose
   * extension is an image one (case-insensitive), in name order.
   *
   * @throws CliFailure when a path does not exist or nothing is found
   */
  static List<Path> collect(List<Path> paths) {
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> walk = Files.walk(p)) {
          walk.filter(Files::isRegularFile)
              .filter(ImageFiles::isImageName)
              .sorted()
              .forEach(files::add);
        } catch (IOException | UncheckedIOException e) {
          throw new CliFailure(
              ExitCodes.USAGE_OR_CONNECTION, "cannot list directory " + p + ": " + e.getMessage());
        }
      } else if (Files.exists(p)) {
        files.add(p);
      } else {
        throw new CliFailure(ExitCodes.USAGE_OR_CONNECTION, "no such file or directory: " + p);
      }
    }
    if (files.isEmpty()) {
      throw new CliFailure(
          ExitCodes.USAGE_OR_CONNECTION,
          "no images found in "
              + paths
              + " (looked for files ending in .png, .jpg, .jpeg, .gif, .bmp)");
    }
    return files;
  }

  static boolean isImageName(Path p) {
    String name = p.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }
}
