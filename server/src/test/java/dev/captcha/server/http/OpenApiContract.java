package dev.captcha.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * The OpenAPI description the server publishes, used to check real responses: each JSON body must
 * match the schema the description gives for its path, method and status. For tests; thread-safe.
 */
final class OpenApiContract {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final SchemaRegistry SCHEMAS =
      SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

  private final JsonNode document;

  OpenApiContract(String openApiJson) {
    try {
      this.document = MAPPER.readTree(openApiJson);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertTrue(document.path("openapi").asText().startsWith("3."), "an OpenAPI 3 document");
  }

  /** Asserts that {@code body} is what the description promises for this response. */
  void check(String method, String path, int status, String contentType, String body) {
    JsonNode operation = document.path("paths").path(path).path(method.toLowerCase(Locale.ROOT));
    JsonNode response;
    if (operation.isObject()) {
      response = operation.path("responses").path(Integer.toString(status));
    } else {
      // A route the description does not name answers 404 (or 405) with the common error body.
      assertTrue(status == 404 || status == 405, method + " " + path + " is described");
      response =
          MAPPER
              .createObjectNode()
              .set(
                  "content",
                  MAPPER
                      .createObjectNode()
                      .set(
                          "application/json",
                          MAPPER
                              .createObjectNode()
                              .set(
                                  "schema",
                                  MAPPER
                                      .createObjectNode()
                                      .put("$ref", "#/components/schemas/Error"))));
    }
    assertTrue(
        response.isObject(),
        method + " " + path + " describes status " + status + " (body " + body + ")");
    String type = contentType == null ? "" : contentType.split(";")[0].strip();
    JsonNode media = response.path("content").path(type);
    assertTrue(
        media.isObject(), method + " " + path + " " + status + " describes content type " + type);
    if (!type.equals("application/json")) {
      return;
    }
    Schema schema = SCHEMAS.getSchema(schemaDocument(media.path("schema")), InputFormat.JSON);
    List<Error> errors = schema.validate(body, InputFormat.JSON);
    assertEquals(
        List.of(),
        errors.stream().map(Error::toString).toList(),
        method + " " + path + " " + status + " matches its schema: " + body);
  }

  /** Whether the description names {@code header} in the response {@code status} of a route. */
  boolean describesHeader(String method, String path, int status, String header) {
    return document
        .path("paths")
        .path(path)
        .path(method.toLowerCase(Locale.ROOT))
        .path("responses")
        .path(Integer.toString(status))
        .path("headers")
        .has(header);
  }

  JsonNode document() {
    return document;
  }

  /** The response schema as a standalone JSON Schema, the components moved under $defs. */
  private String schemaDocument(JsonNode responseSchema) {
    assertNotNull(responseSchema);
    ObjectNode schema = MAPPER.createObjectNode();
    schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    schema.setAll((ObjectNode) responseSchema.deepCopy());
    schema.set("$defs", document.path("components").path("schemas").deepCopy());
    return schema.toString().replace("#/components/schemas/", "#/$defs/");
  }
}
