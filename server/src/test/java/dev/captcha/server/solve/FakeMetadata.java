package dev.captcha.server.solve;

import dev.captcha.model.ModelFormatException;
import dev.captcha.model.ModelMetadata;
import java.util.LinkedHashMap;
import java.util.Map;

/** Valid metadata of a 4-character model named after its answer; for tests. Stateless. */
final class FakeMetadata {
  private FakeMetadata() {}

  static ModelMetadata of(String version) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("captcha.format", "1");
    m.put("captcha.model.name", "fake");
    m.put("captcha.model.version", version);
    m.put("captcha.charset", "0123456789");
    m.put("captcha.length", "4");
    m.put("captcha.decoder", "heads");
    m.put("captcha.input.name", "image");
    m.put("captcha.output.name", "logits");
    m.put("captcha.input.channels", "1");
    m.put("captcha.input.height", "64");
    m.put("captcha.input.width", "128");
    m.put("captcha.input.color", "min-rgb");
    m.put("captcha.input.scale", "0.00392156862745098");
    m.put("captcha.input.mean", "0");
    m.put("captcha.input.std", "1");
    m.put("captcha.input.resize", "bilinear-stretch");
    try {
      return ModelMetadata.parse(m);
    } catch (ModelFormatException e) {
      throw new IllegalStateException(e);
    }
  }
}
