package dev.captcha.server.security;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the server's TLS material lives, validated; immutable and thread-safe. Without a
 * certificate the server speaks plaintext; with a client CA it requires client certificates signed
 * by that CA (mutual TLS). The gRPC adapter ({@code grpc.GrpcTransport}) turns it into server
 * credentials.
 *
 * @param certChain PEM certificate chain of the server, or empty for plaintext
 * @param privateKey PEM PKCS#8 private key of the server; present exactly when certChain is
 * @param clientCa PEM CA certificates that sign client certificates; only with certChain
 */
public record TlsSettings(
    Optional<Path> certChain, Optional<Path> privateKey, Optional<Path> clientCa) {

  /** Validates that the pieces fit together and the files are readable. */
  public TlsSettings {
    if (certChain.isPresent() != privateKey.isPresent()) {
      throw new IllegalArgumentException("--tls-cert and --tls-key must be given together");
    }
    if (clientCa.isPresent() && certChain.isEmpty()) {
      throw new IllegalArgumentException("--tls-client-ca requires --tls-cert and --tls-key");
    }
    certChain.ifPresent(p -> requireReadable("TLS certificate", p));
    privateKey.ifPresent(p -> requireReadable("TLS private key", p));
    clientCa.ifPresent(p -> requireReadable("TLS client CA", p));
  }

  /** Settings for plaintext. */
  public static TlsSettings plaintext() {
    return new TlsSettings(Optional.empty(), Optional.empty(), Optional.empty());
  }

  /** Settings from possibly-null command line values. */
  public static TlsSettings of(Path certChain, Path privateKey, Path clientCa) {
    return new TlsSettings(
        Optional.ofNullable(certChain),
        Optional.ofNullable(privateKey),
        Optional.ofNullable(clientCa));
  }

  public boolean enabled() {
    return certChain.isPresent();
  }

  public boolean mutual() {
    return clientCa.isPresent();
  }

  /** A one-line description for the start-up log. */
  public String describe() {
    if (!enabled()) {
      return "plaintext";
    }
    return mutual() ? "mutual TLS" : "TLS";
  }

  private static void requireReadable(String what, Path path) {
    if (!Files.isReadable(path)) {
      throw new IllegalArgumentException(what + " " + path + " is not a readable file");
    }
  }
}
