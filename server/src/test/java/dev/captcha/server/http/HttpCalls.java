package dev.captcha.server.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A small client of the HTTP/JSON API for tests; every JSON answer is checked against the server's
 * OpenAPI description. Thread-safe.
 */
final class HttpCalls {
  private final HttpClient client;
  private final String base;
  private final OpenApiContract contract;

  HttpCalls(HttpClient client, String base) throws Exception {
    this.client = client;
    this.base = base;
    this.contract = new OpenApiContract(get("/openapi.json", Map.of()).body());
  }

  HttpCalls(String base) throws Exception {
    this(HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build(), base);
  }

  OpenApiContract contract() {
    return contract;
  }

  HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).GET();
    headers.forEach(b::header);
    return send(b.build(), "GET", path);
  }

  HttpResponse<String> post(
      String path, String contentType, byte[] body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(b::header);
    return send(b.build(), "POST", path);
  }

  /** A multipart form whose fields are all named {@code field}, one per image, in order. */
  HttpResponse<String> postMultipart(
      String path, String field, List<byte[]> images, Map<String, String> headers)
      throws Exception {
    String boundary = "----captcha" + UUID.randomUUID();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    int i = 0;
    for (byte[] image : images) {
      body.write(
          ("--"
                  + boundary
                  + "\r\nContent-Disposition: form-data; name=\""
                  + field
                  + "\"; filename=\"image"
                  + i++
                  + ".png\"\r\nContent-Type: image/png\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      body.write(image);
      body.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }
    body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
    return post(path, "multipart/form-data; boundary=" + boundary, body.toByteArray(), headers);
  }

  private HttpResponse<String> send(HttpRequest request, String method, String path)
      throws IOException, InterruptedException {
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
    if (contract != null) {
      String route = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
      contract.check(
          method,
          route,
          response.statusCode(),
          response.headers().firstValue("Content-Type").orElse(null),
          response.body());
    }
    return response;
  }

  static List<byte[]> list(byte[]... images) {
    return new ArrayList<>(List.of(images));
  }
}
