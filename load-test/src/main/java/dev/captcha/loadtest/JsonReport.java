package dev.captcha.loadtest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;

/** Writes a {@link Report} as JSON; stateless. */
final class JsonReport {

  private JsonReport() {}

  static ObjectMapper mapper() {
    return new ObjectMapper()
        .enable(SerializationFeature.INDENT_OUTPUT)
        .setDefaultPropertyInclusion(JsonInclude.Include.NON_NULL);
  }

  static String render(Report report) throws IOException {
    return mapper().writeValueAsString(report);
  }

  static void write(Report report, Path file) throws IOException {
    mapper().writeValue(file.toFile(), report);
  }
}
