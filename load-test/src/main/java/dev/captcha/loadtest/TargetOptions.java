package dev.captcha.loadtest;

import java.nio.file.Path;
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

  Channels.Settings settings(int connections, int eventLoopThreads) {
    return new Channels.Settings(
        targets, connections, tlsCa, tlsCert, tlsKey, tls, tokenFile, authority, eventLoopThreads);
  }
}
