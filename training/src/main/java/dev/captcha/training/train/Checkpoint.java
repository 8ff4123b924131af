package dev.captcha.training.train;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.captcha.training.model.CaptchaResNet;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One checkpoint file of a run folder: a header (step, wall time, validation figures, network), the
 * network's parameters and, for the last checkpoint, the optimiser's state; stateless and
 * thread-safe.
 *
 * <p>Files are written to a temporary file and moved into place, so a crash mid-write leaves the
 * previous checkpoint intact and the parameters and optimiser state always belong to the same step.
 *
 * <p>Loading must happen before a DJL {@code Trainer} is created for the network: loading replaces
 * each parameter's array with a new one, while a trainer's parameter store keeps the arrays it saw
 * when it was initialised and trains and evaluates those.
 */
public final class Checkpoint {

  /** What a checkpoint records besides the tensors. */
  public record Header(
      int step,
      double wallSeconds,
      double validationExact,
      double validationChar,
      String network) {}

  private static final String MAGIC = "captcha-checkpoint";
  private static final int VERSION = 1;

  private Checkpoint() {}

  /** A one-line description of a network, compared on load. */
  public static String describe(CaptchaResNet.Spec spec) {
    return "input="
        + spec.channels()
        + "x"
        + spec.height()
        + "x"
        + spec.width()
        + " length="
        + spec.length()
        + " classes="
        + spec.classes()
        + " widths="
        + Arrays.stream(spec.widths()).mapToObj(Integer::toString).collect(Collectors.joining(","))
        + (spec.head() == CaptchaResNet.Head.MEAN_HEIGHT ? "" : " head=" + spec.head().label());
  }

  /**
   * The network of a {@link #describe} line.
   *
   * @throws IllegalArgumentException if the line is not one
   */
  public static CaptchaResNet.Spec parseNetwork(String line) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "input=(\\d+)x(\\d+)x(\\d+) length=(\\d+) classes=(\\d+) widths=(\\d+(?:,\\d+)*)(?: head=(\\w+))?")
            .matcher(line);
    if (!m.matches()) {
      throw new IllegalArgumentException("not a network description: " + line);
    }
    return new CaptchaResNet.Spec(
        Integer.parseInt(m.group(1)),
        Integer.parseInt(m.group(2)),
        Integer.parseInt(m.group(3)),
        Integer.parseInt(m.group(4)),
        Integer.parseInt(m.group(5)),
        Arrays.stream(m.group(6).split(",")).mapToInt(Integer::parseInt).toArray(),
        m.group(7) == null ? CaptchaResNet.Head.MEAN_HEIGHT : CaptchaResNet.Head.of(m.group(7)));
  }

  /**
   * Writes the parameters of {@code block} (and {@code adam}'s state unless null) atomically to
   * {@code file}.
   */
  static void write(Path file, Header header, Block block, ResumableAdam adam) throws IOException {
    Path tmp =
        Files.createTempFile(
            file.toAbsolutePath().getParent(), file.getFileName().toString(), ".tmp");
    try {
      try (OutputStream os = Files.newOutputStream(tmp);
          DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os))) {
        out.writeUTF(MAGIC);
        out.writeInt(VERSION);
        out.writeInt(header.step());
        out.writeDouble(header.wallSeconds());
        out.writeDouble(header.validationExact());
        out.writeDouble(header.validationChar());
        out.writeUTF(header.network());
        block.saveParameters(out);
        out.writeBoolean(adam != null);
        if (adam != null) {
          adam.save(out);
        }
      }
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Reads only the header of {@code file}. */
  public static Header header(Path file) throws IOException {
    try (InputStream is = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(is))) {
      return readHeader(in, file);
    }
  }

  /**
   * Loads the parameters of {@code file} into {@code net}, whose block must be initialised (and no
   * trainer created for it yet), and returns the header.
   *
   * @throws IllegalArgumentException if the checkpoint is of a different network
   * @throws IOException if the file cannot be read or is not a checkpoint
   */
  public static Header load(Path file, CaptchaResNet net, NDManager manager) throws IOException {
    return load(file, net, manager, null);
  }

  /**
   * As {@link #load(Path, CaptchaResNet, NDManager)}, also restoring {@code adam} when not null.
   */
  static Header load(Path file, CaptchaResNet net, NDManager manager, ResumableAdam adam)
      throws IOException {
    try (InputStream is = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(is))) {
      Header h = readHeader(in, file);
      String expected = describe(net.spec());
      if (!h.network().equals(expected)) {
        throw new IllegalArgumentException(
            file + " holds a network " + h.network() + ", expected " + expected);
      }
      try {
        net.block().loadParameters(manager, in);
      } catch (MalformedModelException e) {
        throw new IOException("cannot read the parameters in " + file + ": " + e.getMessage(), e);
      }
      boolean hasOptimizer = in.readBoolean();
      if (adam != null) {
        if (!hasOptimizer) {
          throw new IOException(file + " has no optimiser state");
        }
        adam.load(in, net.block().getParameters());
      }
      return h;
    }
  }

  private static Header readHeader(DataInputStream in, Path file) throws IOException {
    String magic;
    try {
      magic = in.readUTF();
    } catch (IOException e) {
      throw new IOException(file + " is not a checkpoint file", e);
    }
    if (!MAGIC.equals(magic)) {
      throw new IOException(file + " is not a checkpoint file");
    }
    int version = in.readInt();
    if (version != VERSION) {
      throw new IOException(
          file + " is a checkpoint of format " + version + ", this version reads " + VERSION);
    }
    return new Header(
        in.readInt(), in.readDouble(), in.readDouble(), in.readDouble(), in.readUTF());
  }
}
