package dev.captcha.training.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.nn.ParameterList;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.util.Pair;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Adam whose state (first and second moments and the update count of every parameter) can be
 * written to and read from a checkpoint, so a resumed run continues with the optimiser it stopped
 * with; owned by one training loop, not thread-safe.
 *
 * <p>DJL's own {@code Adam} keeps its moments and counts in private fields with no way to read or
 * set them, so a resumed run would restart Adam from zero moments and count 1 (large bias-corrected
 * first steps on a trained network). This class keeps the same state itself, keyed by the
 * parameter's path in the block (stable across processes, unlike DJL's per-process parameter ids),
 * and applies the update with the same fused engine kernel DJL's Adam calls, with the same
 * arguments, so training behaves exactly as with {@code Optimizer.adam()}.
 */
final class ResumableAdam extends Optimizer {
  static final float BETA1 = 0.9f;
  static final float BETA2 = 0.999f;
  static final float EPSILON = 1e-8f;

  private static final String MAGIC = "captcha-adam";
  private static final int VERSION = 1;

  private final ProgressSchedule schedule;
  private final NDManager manager;
  private final Map<String, String> pathsById = new HashMap<>();
  private final Map<String, NDArray> means = new TreeMap<>();
  private final Map<String, NDArray> variances = new TreeMap<>();
  private final Map<String, Integer> counts = new TreeMap<>();

  /**
   * Adam for {@code parameters} at the learning rate of {@code schedule}; {@code manager} creates
   * the arrays of a loaded state.
   *
   * <p>As in DJL's Adam, the state arrays belong to no manager (so closing a step's or an
   * evaluation's sub-manager can never free them); they live as long as this optimiser.
   */
  ResumableAdam(ProgressSchedule schedule, ParameterList parameters, NDManager manager) {
    super(new Builder());
    this.schedule = schedule;
    this.manager = manager;
    for (Pair<String, Parameter> p : parameters) {
      pathsById.put(p.getValue().getId(), p.getKey());
    }
  }

  @Override
  public void update(String parameterId, NDArray weight, NDArray grad) {
    String path = pathsById.get(parameterId);
    if (path == null) {
      throw new IllegalStateException(
          "parameter " + parameterId + " is not part of the network this optimiser was built for");
    }
    int t = counts.merge(path, 1, Integer::sum);
    float lr = schedule.current();
    float lrCorrected = (float) (lr * Math.sqrt(1 - Math.pow(BETA2, t)) / (1 - Math.pow(BETA1, t)));
    if (!Float.isFinite(lr) || !Float.isFinite(lrCorrected)) {
      throw new IllegalStateException("learning rate is not finite: " + lr);
    }
    NDArray m = means.computeIfAbsent(path, k -> zeros(weight));
    NDArray v = variances.computeIfAbsent(path, k -> zeros(weight));
    weight
        .getNDArrayInternal()
        .adamUpdate(
            new NDList(weight, grad, m, v),
            new NDList(weight),
            lr,
            lrCorrected,
            getWeightDecay(),
            rescaleGrad,
            clipGrad,
            BETA1,
            BETA2,
            EPSILON,
            true,
            false);
  }

  private NDArray zeros(NDArray like) {
    NDArray z = like.zerosLike();
    z.detach();
    return z;
  }

  /** Updates applied so far to the parameter at {@code path} (0 if none). */
  int count(String path) {
    return counts.getOrDefault(path, 0);
  }

  /** Writes the moments and counts of every parameter updated so far. */
  void save(DataOutputStream out) throws IOException {
    out.writeUTF(MAGIC);
    out.writeInt(VERSION);
    out.writeInt(counts.size());
    for (Map.Entry<String, Integer> e : counts.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeInt(e.getValue());
      writeArray(out, means.get(e.getKey()));
      writeArray(out, variances.get(e.getKey()));
    }
  }

  /**
   * Replaces the state with the one read from {@code in}.
   *
   * @throws IOException if the stream is not an optimiser state or names parameters the network
   *     lacks, or a moment's shape differs from its parameter's
   */
  void load(DataInputStream in, ParameterList parameters) throws IOException {
    if (!MAGIC.equals(in.readUTF()) || in.readInt() != VERSION) {
      throw new IOException("not an optimiser state written by this version");
    }
    Map<String, Parameter> byPath = new HashMap<>();
    for (Pair<String, Parameter> p : parameters) {
      byPath.put(p.getKey(), p.getValue());
    }
    int n = in.readInt();
    Map<String, NDArray> m = new TreeMap<>();
    Map<String, NDArray> v = new TreeMap<>();
    Map<String, Integer> c = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      String path = in.readUTF();
      int count = in.readInt();
      NDArray mean = readArray(in, manager);
      NDArray variance = readArray(in, manager);
      Parameter p = byPath.get(path);
      if (p == null) {
        throw new IOException("the optimiser state has a parameter the network lacks: " + path);
      }
      if (!p.getArray().getShape().equals(mean.getShape())
          || !p.getArray().getShape().equals(variance.getShape())) {
        throw new IOException(
            "optimiser state of "
                + path
                + " has shape "
                + mean.getShape()
                + ", the parameter "
                + p.getArray().getShape());
      }
      m.put(path, mean);
      v.put(path, variance);
      c.put(path, count);
    }
    means.values().forEach(NDArray::close);
    variances.values().forEach(NDArray::close);
    means.clear();
    variances.clear();
    counts.clear();
    means.putAll(m);
    variances.putAll(v);
    counts.putAll(c);
  }

  private static void writeArray(DataOutputStream out, NDArray a) throws IOException {
    byte[] bytes = a.encode();
    out.writeInt(bytes.length);
    out.write(bytes);
  }

  private static NDArray readArray(DataInputStream in, NDManager manager) throws IOException {
    int length = in.readInt();
    if (length < 0 || length > (1 << 30)) {
      throw new IOException("corrupt optimiser state (array of " + length + " bytes)");
    }
    byte[] bytes = in.readNBytes(length);
    if (bytes.length != length) {
      throw new IOException("truncated optimiser state");
    }
    NDArray a = manager.decode(bytes);
    a.detach();
    return a;
  }

  private static final class Builder extends OptimizerBuilder<Builder> {
    @Override
    protected Builder self() {
      return this;
    }
  }
}
