package dev.captcha.training.quantize;

import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.captcha.training.eval.OnnxModel;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs a float model over calibration inputs with the tensors to calibrate exposed as extra graph
 * outputs (on a copy of the model), gathers their histograms in two passes and picks each tensor's
 * range; stateless and thread-safe.
 */
final class Calibrator {

  private Calibrator() {}

  /**
   * The range of each of {@code tensors}: graph inputs get their observed minimum and maximum (the
   * input is a fixed grid of pixel values), the others the range chosen by {@code method}.
   *
   * @param inputs calibration images, {@code imageSize} floats each, in batches of at most {@code
   *     batch}
   */
  static Map<String, TensorRange> calibrate(
      ModelProto model,
      List<String> tensors,
      float[] inputs,
      int imageSize,
      int batch,
      CalibrationMethod method,
      double percentile,
      ActivationType type,
      int threads) {
    GraphProto graph = model.getGraph();
    Set<String> graphInputs = new HashSet<>();
    graph.getInputList().forEach(i -> graphInputs.add(i.getName()));
    String inputName = graph.getInput(0).getName();
    GraphProto.Builder exposed = graph.toBuilder();
    Set<String> outputs = new HashSet<>();
    graph.getOutputList().forEach(o -> outputs.add(o.getName()));
    for (String t : tensors) {
      if (!graphInputs.contains(t) && !outputs.contains(t)) {
        exposed.addOutput(
            ValueInfoProto.newBuilder()
                .setName(t)
                .setType(
                    TypeProto.newBuilder()
                        .setTensorType(
                            TypeProto.Tensor.newBuilder()
                                .setElemType(TensorProto.DataType.FLOAT_VALUE))));
      }
    }
    byte[] bytes = model.toBuilder().setGraph(exposed).build().toByteArray();
    Map<String, Histogram> histograms = new LinkedHashMap<>();
    tensors.forEach(t -> histograms.put(t, new Histogram()));
    int images = inputs.length / imageSize;
    try (OnnxModel.Graph session = OnnxModel.openGraph(bytes, threads)) {
      Set<String> fetch = new HashSet<>(tensors);
      fetch.removeAll(graphInputs);
      for (int pass = 0; pass < 2; pass++) {
        for (int start = 0; start < images; start += batch) {
          int n = Math.min(batch, images - start);
          for (String t : tensors) {
            if (graphInputs.contains(t)) {
              float[] v = new float[n * imageSize];
              System.arraycopy(inputs, start * imageSize, v, 0, v.length);
              feed(histograms.get(t), v, v.length, pass);
            }
          }
          if (fetch.isEmpty()) {
            continue;
          }
          Map<String, OnnxModel.Tensor> r =
              session.run(
                  inputName, inputs, start * imageSize, n * imageSize, shape(graph, n), fetch);
          for (String t : fetch) {
            float[] v = r.get(t).values();
            feed(histograms.get(t), v, v.length, pass);
          }
        }
      }
    }
    Map<String, TensorRange> ranges = new LinkedHashMap<>();
    int levels = type.max() - type.min();
    histograms.forEach(
        (t, h) ->
            ranges.put(
                t,
                graphInputs.contains(t)
                    ? h.range(CalibrationMethod.MINMAX, 100, levels)
                    : h.range(method, percentile, levels)));
    return ranges;
  }

  private static void feed(Histogram h, float[] v, int n, int pass) {
    if (pass == 0) {
      h.observe(v, n);
    } else {
      h.add(v, n);
    }
  }

  private static long[] shape(GraphProto graph, int n) {
    var dims = graph.getInput(0).getType().getTensorType().getShape().getDimList();
    long[] shape = new long[dims.size()];
    shape[0] = n;
    for (int i = 1; i < shape.length; i++) {
      shape[i] = dims.get(i).getDimValue();
    }
    return shape;
  }
}
