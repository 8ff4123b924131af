package dev.captcha.it;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Rewrites {@code metadata_props} entries of an ONNX model (field 14 of {@code ModelProto}, each a
 * {@code StringStringEntryProto} with key 1 and value 2), copying every other field byte for byte,
 * so a test can make a second version of a model. Stateless.
 */
final class OnnxMetadataEditor {
  private static final int METADATA_PROPS = 14;

  private OnnxMetadataEditor() {}

  /** The model with the given entries' values replaced (entries not present are appended). */
  static byte[] withMetadata(byte[] model, Map<String, String> changes) throws IOException {
    Map<String, String> left = new LinkedHashMap<>(changes);
    CodedInputStream in = CodedInputStream.newInstance(model);
    in.setSizeLimit(Integer.MAX_VALUE);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(model.length + 256);
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) == METADATA_PROPS
          && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        String[] entry = readEntry(in.readBytes().toByteArray());
        String value = left.containsKey(entry[0]) ? left.remove(entry[0]) : entry[1];
        writeEntry(out, entry[0], value);
      } else {
        in.skipField(tag, out);
      }
    }
    for (Map.Entry<String, String> e : left.entrySet()) {
      writeEntry(out, e.getKey(), e.getValue());
    }
    out.flush();
    return bytes.toByteArray();
  }

  /** The model's metadata entries. */
  static Map<String, String> metadata(byte[] model) throws IOException {
    Map<String, String> all = new LinkedHashMap<>();
    CodedInputStream in = CodedInputStream.newInstance(model);
    in.setSizeLimit(Integer.MAX_VALUE);
    for (int tag; (tag = in.readTag()) != 0; ) {
      if (WireFormat.getTagFieldNumber(tag) == METADATA_PROPS
          && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        String[] entry = readEntry(in.readBytes().toByteArray());
        all.put(entry[0], entry[1]);
      } else {
        in.skipField(tag);
      }
    }
    return all;
  }

  private static String[] readEntry(byte[] message) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(message);
    String key = "";
    String value = "";
    for (int tag; (tag = in.readTag()) != 0; ) {
      switch (WireFormat.getTagFieldNumber(tag)) {
        case 1 -> key = in.readString();
        case 2 -> value = in.readString();
        default -> in.skipField(tag);
      }
    }
    return new String[] {key, value};
  }

  private static void writeEntry(CodedOutputStream out, String key, String value)
      throws IOException {
    ByteArrayOutputStream entry = new ByteArrayOutputStream();
    CodedOutputStream e = CodedOutputStream.newInstance(entry);
    e.writeString(1, key);
    e.writeString(2, value);
    e.flush();
    out.writeByteArray(METADATA_PROPS, entry.toByteArray());
  }
}
