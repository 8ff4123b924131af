package dev.captcha.it;

import ai.onnx.proto.OnnxMl;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rewrites {@code metadata_props} entries of an ONNX model with the ONNX protobuf classes ({@code
 * OnnxMl}), keeping every other field, so a test can make a second version of a model. Stateless.
 */
final class OnnxMetadataEditor {
  private OnnxMetadataEditor() {}

  /** The model with the given entries' values replaced (entries not present are appended). */
  static byte[] withMetadata(byte[] model, Map<String, String> changes) throws IOException {
    OnnxMl.ModelProto proto = OnnxMl.ModelProto.parseFrom(model);
    Map<String, String> left = new LinkedHashMap<>(changes);
    OnnxMl.ModelProto.Builder b = proto.toBuilder().clearMetadataProps();
    for (OnnxMl.StringStringEntryProto e : proto.getMetadataPropsList()) {
      String value = left.containsKey(e.getKey()) ? left.remove(e.getKey()) : e.getValue();
      b.addMetadataProps(e.toBuilder().setValue(value));
    }
    for (Map.Entry<String, String> e : left.entrySet()) {
      b.addMetadataProps(
          OnnxMl.StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
    }
    return b.build().toByteArray();
  }

  /** The model's metadata entries. */
  static Map<String, String> metadata(byte[] model) throws IOException {
    Map<String, String> all = new LinkedHashMap<>();
    for (OnnxMl.StringStringEntryProto e :
        OnnxMl.ModelProto.parseFrom(model).getMetadataPropsList()) {
      all.put(e.getKey(), e.getValue());
    }
    return all;
  }
}
