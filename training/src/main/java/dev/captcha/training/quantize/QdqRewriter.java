package dev.captcha.training.quantize;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.captcha.training.export.OnnxTensors;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites a float ONNX graph into QDQ form (QuantizeLinear/DequantizeLinear pairs around the
 * quantized operators, which ONNX Runtime fuses into integer kernels); stateless and thread-safe.
 *
 * <p>Quantized operators: Conv and Gemm with constant weights (weights int8, symmetric, one scale
 * per output channel; bias int32 with scale input-scale x weight-scale) and Add of two activations.
 * Their activation inputs get one QuantizeLinear each and a DequantizeLinear per consumer; their
 * outputs are quantized after the ReLU that follows them where there is one (so the range starts at
 * 0 and ONNX Runtime folds the ReLU into the integer operator). Every other operator (ReduceMean,
 * Flatten, Reshape) stays float and reads dequantized values. Nodes named in {@code keepFloat} are
 * left float.
 */
final class QdqRewriter {

  private QdqRewriter() {}

  /** The activation tensors that need a calibrated range, in graph order. */
  static List<String> tensorsToCalibrate(GraphProto graph, Set<String> keepFloat) {
    return List.copyOf(plan(graph, keepFloat));
  }

  /** The names of the nodes that would be quantized. */
  static List<String> quantizedNodes(GraphProto graph, Set<String> keepFloat) {
    Set<String> inits = initializerNames(graph);
    return graph.getNodeList().stream()
        .filter(n -> quantizable(n, inits, keepFloat))
        .map(NodeProto::getName)
        .toList();
  }

  private static Set<String> plan(GraphProto graph, Set<String> keepFloat) {
    Set<String> inits = initializerNames(graph);
    Set<String> graphOutputs = new HashSet<>();
    graph.getOutputList().forEach(o -> graphOutputs.add(o.getName()));
    Map<String, List<NodeProto>> consumers = consumers(graph);
    Set<String> tensors = new LinkedHashSet<>();
    for (NodeProto n : graph.getNodeList()) {
      if (!quantizable(n, inits, keepFloat)) {
        continue;
      }
      for (int i : activationInputs(n)) {
        tensors.add(n.getInput(i));
      }
      if (n.getOpType().equals("Gemm")) {
        continue; // the head's logits stay float
      }
      String out = n.getOutput(0);
      List<NodeProto> next = consumers.getOrDefault(out, List.of());
      if (next.size() == 1
          && next.get(0).getOpType().equals("Relu")
          && !graphOutputs.contains(out)) {
        out = next.get(0).getOutput(0);
      }
      if (!graphOutputs.contains(out)) {
        tensors.add(out);
      }
    }
    // keep graph order: inputs first, then outputs of nodes in order
    List<String> order = new ArrayList<>();
    graph.getInputList().forEach(i -> order.add(i.getName()));
    graph.getNodeList().forEach(n -> order.addAll(n.getOutputList()));
    Set<String> ordered = new LinkedHashSet<>();
    for (String t : order) {
      if (tensors.contains(t)) {
        ordered.add(t);
      }
    }
    return ordered;
  }

  /**
   * The QDQ model: {@code model}'s graph with every planned tensor quantized to {@code type} over
   * its range in {@code ranges}, and the weights and biases of quantized operators stored as
   * integers.
   *
   * @throws IllegalArgumentException if a planned tensor has no range
   */
  static ModelProto rewrite(
      ModelProto model,
      Map<String, TensorRange> ranges,
      ActivationType type,
      Set<String> keepFloat) {
    GraphProto graph = model.getGraph();
    Set<String> planned = plan(graph, keepFloat);
    for (String t : planned) {
      if (!ranges.containsKey(t)) {
        throw new IllegalArgumentException("no calibrated range for tensor '" + t + "'");
      }
    }
    Set<String> inits = initializerNames(graph);
    Map<String, TensorProto> weights = new HashMap<>();
    graph.getInitializerList().forEach(t -> weights.put(t.getName(), t));
    Map<String, ActivationType.QuantParams> params = new HashMap<>();
    for (String t : planned) {
      params.put(t, type.params(ranges.get(t)));
    }

    GraphProto.Builder out = graph.toBuilder().clearNode().clearInitializer();
    Set<String> replacedInits = new HashSet<>();
    List<TensorProto> newInits = new ArrayList<>();
    Map<String, Integer> dqCount = new HashMap<>();

    for (ValueInfoProto in : graph.getInputList()) {
      if (planned.contains(in.getName())) {
        quantize(out, newInits, in.getName(), params.get(in.getName()), type);
      }
    }
    for (NodeProto n : graph.getNodeList()) {
      NodeProto.Builder node = n.toBuilder();
      boolean q = quantizable(n, inits, keepFloat);
      for (int i = 0; i < n.getInputCount(); i++) {
        String t = n.getInput(i);
        if (planned.contains(t)) {
          int k = dqCount.merge(t, 1, Integer::sum);
          String dq = t + "_dq" + (k == 1 ? "" : "_" + k);
          out.addNode(
              NodeProto.newBuilder()
                  .setOpType("DequantizeLinear")
                  .setName(dq)
                  .addInput(t + "_q")
                  .addInput(t + "_q_scale")
                  .addInput(t + "_q_zero_point")
                  .addOutput(dq));
          node.setInput(i, dq);
        }
      }
      if (q && !n.getOpType().equals("Add")) {
        TensorProto w = weights.get(n.getInput(1));
        int axis = n.getOpType().equals("Gemm") && intAttr(n, "transB", 0) == 0 ? 1 : 0;
        WeightQuant wq = quantizeWeights(w, axis);
        String wName = w.getName() + "_int8";
        newInits.add(int8Tensor(wName, wq.values(), w.getDimsList()));
        newInits.add(floatTensor(wName + "_scale", wq.scales()));
        newInits.add(
            int8Tensor(
                wName + "_zero_point",
                new byte[wq.scales().length],
                List.of((long) wq.scales().length)));
        out.addNode(dq(wName, w.getName() + "_dq", axis));
        node.setInput(1, w.getName() + "_dq");
        replacedInits.add(w.getName());
        if (n.getInputCount() > 2 && !n.getInput(2).isEmpty()) {
          TensorProto b = weights.get(n.getInput(2));
          float inputScale = params.get(n.getInput(0)).scale();
          float[] bias = OnnxTensors.floats(b);
          if (bias.length != wq.scales().length) {
            throw new IllegalArgumentException(
                "bias "
                    + b.getName()
                    + " has "
                    + bias.length
                    + " values for "
                    + wq.scales().length
                    + " output channels");
          }
          float[] bScales = new float[bias.length];
          int[] bq = new int[bias.length];
          for (int c = 0; c < bias.length; c++) {
            bScales[c] = inputScale * wq.scales()[c];
            double v = Math.rint(bias[c] / (double) bScales[c]);
            bq[c] = (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, v));
          }
          String bName = b.getName() + "_int32";
          newInits.add(int32Tensor(bName, bq, b.getDimsList()));
          newInits.add(floatTensor(bName + "_scale", bScales));
          newInits.add(
              int32Tensor(
                  bName + "_zero_point", new int[bias.length], List.of((long) bias.length)));
          out.addNode(dq(bName, b.getName() + "_dq", 0));
          node.setInput(2, b.getName() + "_dq");
          replacedInits.add(b.getName());
        }
      }
      out.addNode(node);
      for (String o : n.getOutputList()) {
        if (planned.contains(o)) {
          quantize(out, newInits, o, params.get(o), type);
        }
      }
    }
    for (TensorProto t : graph.getInitializerList()) {
      if (!replacedInits.contains(t.getName())) {
        out.addInitializer(t);
      }
    }
    out.addAllInitializer(newInits);
    return model.toBuilder().setGraph(out).build();
  }

  private static void quantize(
      GraphProto.Builder out,
      List<TensorProto> inits,
      String t,
      ActivationType.QuantParams p,
      ActivationType type) {
    inits.add(
        TensorProto.newBuilder()
            .setName(t + "_q_scale")
            .setDataType(TensorProto.DataType.FLOAT_VALUE)
            .addFloatData(p.scale())
            .build());
    TensorProto.Builder zp =
        TensorProto.newBuilder().setName(t + "_q_zero_point").setDataType(type.onnxType());
    zp.setRawData(ByteString.copyFrom(new byte[] {(byte) p.zeroPoint()}));
    inits.add(zp.build());
    out.addNode(
        NodeProto.newBuilder()
            .setOpType("QuantizeLinear")
            .setName(t + "_q")
            .addInput(t)
            .addInput(t + "_q_scale")
            .addInput(t + "_q_zero_point")
            .addOutput(t + "_q"));
  }

  private static NodeProto dq(String quantized, String output, int axis) {
    return NodeProto.newBuilder()
        .setOpType("DequantizeLinear")
        .setName(output)
        .addInput(quantized)
        .addInput(quantized + "_scale")
        .addInput(quantized + "_zero_point")
        .addOutput(output)
        .addAttribute(
            AttributeProto.newBuilder()
                .setName("axis")
                .setType(AttributeProto.AttributeType.INT)
                .setI(axis))
        .build();
  }

  /** Per-channel symmetric int8 weights: scale = max |w| / 127 over the channel. */
  record WeightQuant(byte[] values, float[] scales) {}

  static WeightQuant quantizeWeights(TensorProto w, int axis) {
    float[] v = OnnxTensors.floats(w);
    List<Long> dims = w.getDimsList();
    int channels = (int) (long) dims.get(axis);
    int inner = 1;
    for (int d = axis + 1; d < dims.size(); d++) {
      inner *= (int) (long) dims.get(d);
    }
    float[] maxAbs = new float[channels];
    for (int i = 0; i < v.length; i++) {
      int c = (i / inner) % channels;
      maxAbs[c] = Math.max(maxAbs[c], Math.abs(v[i]));
    }
    float[] scales = new float[channels];
    for (int c = 0; c < channels; c++) {
      scales[c] = maxAbs[c] > 0 ? maxAbs[c] / 127f : 1f;
    }
    byte[] q = new byte[v.length];
    for (int i = 0; i < v.length; i++) {
      int c = (i / inner) % channels;
      q[i] = (byte) Math.max(-127, Math.min(127, Math.round(v[i] / scales[c])));
    }
    return new WeightQuant(q, scales);
  }

  static boolean quantizable(NodeProto n, Set<String> inits, Set<String> keepFloat) {
    if (keepFloat.contains(n.getName())) {
      return false;
    }
    return switch (n.getOpType()) {
      case "Conv" ->
          n.getInputCount() >= 2
              && inits.contains(n.getInput(1))
              && !inits.contains(n.getInput(0))
              && intAttr(n, "group", 1) == 1;
      case "Gemm" ->
          n.getInputCount() >= 2
              && inits.contains(n.getInput(1))
              && !inits.contains(n.getInput(0))
              && intAttr(n, "transA", 0) == 0
              && floatAttr(n, "alpha", 1f) == 1f
              && floatAttr(n, "beta", 1f) == 1f;
      case "Add" ->
          n.getInputCount() == 2
              && !inits.contains(n.getInput(0))
              && !inits.contains(n.getInput(1));
      default -> false;
    };
  }

  private static int[] activationInputs(NodeProto n) {
    return n.getOpType().equals("Add") ? new int[] {0, 1} : new int[] {0};
  }

  private static long intAttr(NodeProto n, String name, long fallback) {
    return n.getAttributeList().stream()
        .filter(a -> a.getName().equals(name))
        .mapToLong(AttributeProto::getI)
        .findFirst()
        .orElse(fallback);
  }

  private static float floatAttr(NodeProto n, String name, float fallback) {
    return n.getAttributeList().stream()
        .filter(a -> a.getName().equals(name))
        .map(AttributeProto::getF)
        .findFirst()
        .orElse(fallback);
  }

  private static Set<String> initializerNames(GraphProto graph) {
    Set<String> s = new HashSet<>();
    graph.getInitializerList().forEach(t -> s.add(t.getName()));
    return s;
  }

  private static Map<String, List<NodeProto>> consumers(GraphProto graph) {
    Map<String, List<NodeProto>> m = new HashMap<>();
    for (NodeProto n : graph.getNodeList()) {
      for (String in : n.getInputList()) {
        m.computeIfAbsent(in, k -> new ArrayList<>()).add(n);
      }
    }
    return m;
  }

  private static TensorProto floatTensor(String name, float[] values) {
    ByteBuffer buf =
        ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.asFloatBuffer().put(values);
    return TensorProto.newBuilder()
        .setName(name)
        .setDataType(TensorProto.DataType.FLOAT_VALUE)
        .addDims(values.length)
        .setRawData(ByteString.copyFrom(buf.array()))
        .build();
  }

  private static TensorProto int8Tensor(String name, byte[] values, List<Long> dims) {
    return TensorProto.newBuilder()
        .setName(name)
        .setDataType(TensorProto.DataType.INT8_VALUE)
        .addAllDims(dims)
        .setRawData(ByteString.copyFrom(values))
        .build();
  }

  private static TensorProto int32Tensor(String name, int[] values, List<Long> dims) {
    ByteBuffer buf =
        ByteBuffer.allocate(values.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buf.asIntBuffer().put(values);
    return TensorProto.newBuilder()
        .setName(name)
        .setDataType(TensorProto.DataType.INT32_VALUE)
        .addAllDims(dims)
        .setRawData(ByteString.copyFrom(buf.array()))
        .build();
  }
}
