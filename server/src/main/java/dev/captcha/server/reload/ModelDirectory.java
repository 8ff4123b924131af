package dev.captcha.server.reload;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The naming rule of a folder of models: every regular file whose name ends in {@code .onnx} (in
 * any case, and not starting with a dot) is a model, named by its file name without that extension
 * ({@code shop-a.onnx} is the model {@code shop-a}). Stateless.
 */
public final class ModelDirectory {
  private static final String EXTENSION = ".onnx";

  private ModelDirectory() {}

  /** Whether {@code file}'s name marks it as a model file. */
  public static boolean isModelFile(Path file) {
    String name = file.getFileName().toString();
    return !name.startsWith(".")
        && name.length() > EXTENSION.length()
        && name.toLowerCase(Locale.ROOT).endsWith(EXTENSION);
  }

  /** The name requests use for the model in {@code file}: its file name without ".onnx". */
  public static String modelName(Path file) {
    String name = file.getFileName().toString();
    return name.toLowerCase(Locale.ROOT).endsWith(EXTENSION)
        ? name.substring(0, name.length() - EXTENSION.length())
        : name;
  }

  /** The model files in {@code dir}, by file name. */
  static List<Path> modelFiles(Path dir) throws IOException {
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        if (isModelFile(p) && Files.isRegularFile(p)) {
          files.add(p);
        }
      }
    }
    files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    return files;
  }

  /**
   * The models in {@code dir} by name, in alphabetical order of name.
   *
   * @throws IllegalArgumentException when {@code dir} is not a readable folder, holds no model
   *     file, or two files give the same name (such as {@code a.onnx} and {@code a.ONNX})
   */
  public static Map<String, Path> scan(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("--model-dir " + dir + " is not a folder");
    }
    List<Path> files;
    try {
      files = modelFiles(dir);
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot list --model-dir " + dir + ": " + e, e);
    }
    Map<String, Path> byName = new TreeMap<>();
    for (Path file : files) {
      Path other = byName.putIfAbsent(modelName(file), file);
      if (other != null) {
        throw new IllegalArgumentException(
            "--model-dir "
                + dir
                + ": model files "
                + other.getFileName()
                + " and "
                + file.getFileName()
                + " both give the model name '"
                + modelName(file)
                + "'; rename one");
      }
    }
    if (byName.isEmpty()) {
      throw new IllegalArgumentException("--model-dir " + dir + " holds no model file (*.onnx)");
    }
    return new LinkedHashMap<>(byName);
  }
}
