package dev.captcha.loadtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** How to reach the server(s); filled by picocli. */
final class TargetOptions {

  @Option(
      names = "--target",
      paramLabel = "HOST:PORT",
      defaultValue = "localhost:50051",
      description =
          "Server address; repeat for several replicas (balanced round-robin), or give a"
              + " DNS name (dns:///name:port) resolving to several. Default: ${DEFAULT-VALUE}.")
  List<String> targets;

  @Option(
      names = "--http-target",
      paramLabel = "URL",
      defaultValue = "http://localhost:8080",
      description =
          "The server's HTTP/JSON address, for --protocol http; https:// uses the --tls-*"
              + " files. Default: ${DEFAULT-VALUE}.")
  String httpTarget;

  @Option(
      names = "--tls",
      description = "Use TLS, trusting the system's CAs (implied by --tls-ca).")
  boolean tls;

  @Option(names = "--tls-ca", paramLabel = "PEM", description = "CA certificate(s) to trust (PEM).")
  Path tlsCa;

  @Option(
      names = "--tls-cert",
      paramLabel = "PEM",
      description = "Client certificate chain for mutual TLS (PEM); needs --tls-key.")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "PEM",
      description = "Client private key for mutual TLS (PKCS#8 PEM).")
  Path tlsKey;

  @Option(
      names = "--authority",
      description = "Authority (host name) to expect in the server's certificate.")
  String authority;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "File holding a bearer token, sent as 'authorization: Bearer <token>'.")
  Path tokenFile;

  /**
   * The HTTP/JSON target: a client speaking HTTP/1.1 and the bearer token of --token-file; an
   * https:// address uses the TLS files of the gRPC channels (--tls-ca, --tls-cert, --tls-key).
   */
  HttpTarget httpTarget() throws IOException {
    URI base;
    try {
      base = URI.create(httpTarget);
    } catch (IllegalArgumentException e) {
      base = null;
    }
    if (base == null
        || base.getScheme() == null
        || !base.getScheme().matches("https?")
        || base.getHost() == null) {
      throw new IllegalArgumentException(
          "--http-target must be an http:// or https:// URL, got " + httpTarget);
    }
    String token =
        tokenFile == null
            ? null
            : Files.readString(tokenFile).strip().lines().findFirst().orElse("").strip();
    HttpClient.Builder client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10));
    if (base.getScheme().equals("https")) {
      client.sslContext(HttpTls.context(tlsCa, tlsCert, tlsKey));
    }
    return new HttpTarget(client.build(), base, token);
  }

  Channels.Settings settings(int connections, int eventLoopThreads) {
    return new Channels.Settings(
        targets, connections, tlsCa, tlsCert, tlsKey, tls, tokenFile, authority, eventLoopThreads);
  }
}
