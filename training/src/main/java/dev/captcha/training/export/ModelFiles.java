package dev.captcha.training.export;

import ai.onnx.proto.OnnxMl.ModelProto;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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

  /**
   * The absolute path of {@code out}, a new model file written from {@code model}: refused (an
   * {@link IllegalArgumentException}) when the model file does not exist, or {@code out} is a
   * folder, lies in a missing folder or is the model file itself; {@code what} names the result in
   * that message.
   */
  public static Path checkedOutput(Path out, Path model, String what) throws IOException {
    if (!Files.isRegularFile(model)) {
      throw new IllegalArgumentException("model file " + model + " does not exist");
    }
    Path target = out.toAbsolutePath().normalize();
    if (Files.isDirectory(target)) {
      throw new IllegalArgumentException("--out " + out + " is a folder; give a file name");
    }
    Path parent = target.getParent();
    if (parent == null || !Files.isDirectory(parent)) {
      throw new IllegalArgumentException("the folder of --out " + out + " does not exist");
    }
    if (Files.exists(target) && Files.isSameFile(target, model)) {
      throw new IllegalArgumentException(
          "--out is the model file itself; write the " + what + " model to a new file");
    }
    return target;
  }

  /**
   * Reads the model file a command was given: refused (an {@link IllegalArgumentException}) when it
   * does not exist or is not an ONNX model.
   */
  public static ModelProto readGiven(Path model) {
    try {
      return dev.captcha.training.quantize.Int8Quantizer.read(model);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read " + model + " as an ONNX model: " + e.getMessage(), e);
    }
  }

  /**
   * Writes {@code model} to {@code target} through a temporary file in its folder, moved into place
   * at once; returns the file's size.
   */
  public static long write(ModelProto model, Path target) throws IOException {
    Path tmp = temporary(target.getParent(), target.getFileName().toString());
    try {
      try (OutputStream os = Files.newOutputStream(tmp)) {
        model.writeTo(os);
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return Files.size(target);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
