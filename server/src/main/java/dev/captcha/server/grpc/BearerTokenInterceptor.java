package dev.captcha.server.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;
import java.util.Set;

/**
 * Requires {@code authorization: Bearer <token>} on every call except those to exempt services (the
 * health service, so probes work without a secret), comparing tokens in constant time; immutable
 * and thread-safe.
 */
public final class BearerTokenInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private static final String SCHEME = "Bearer ";

  /** The standard gRPC health service, open to unauthenticated probes. */
  public static final String HEALTH_SERVICE = "grpc.health.v1.Health";

  private final byte[] expectedDigest;
  private final Set<String> exemptServices;

  /**
   * Creates an interceptor accepting {@code token}.
   *
   * @param exemptServices fully qualified service names callable without a token
   */
  public BearerTokenInterceptor(String token, Set<String> exemptServices) {
    Objects.requireNonNull(token, "token");
    if (token.isBlank()) {
      throw new IllegalArgumentException("the bearer token must not be empty");
    }
    this.expectedDigest = sha256(token);
    this.exemptServices = Set.copyOf(exemptServices);
  }

  /**
   * Reads the token from a file (its first line, surrounding white space removed) and exempts the
   * health service.
   *
   * @throws IllegalArgumentException if the file holds no token
   */
  public static BearerTokenInterceptor fromFile(Path tokenFile) throws IOException {
    String content = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
    int newline = content.indexOf('\n');
    String token = (newline < 0 ? content : content.substring(0, newline)).strip();
    if (token.isEmpty()) {
      throw new IllegalArgumentException("token file " + tokenFile + " holds no token");
    }
    return new BearerTokenInterceptor(token, Set.of(HEALTH_SERVICE));
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (exemptServices.contains(call.getMethodDescriptor().getServiceName())) {
      return next.startCall(call, headers);
    }
    String value = headers.get(AUTHORIZATION);
    String problem;
    if (value == null) {
      problem = "missing bearer token (send the header 'authorization: Bearer <token>')";
    } else if (!value.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      problem = "the authorization header must use the Bearer scheme";
    } else if (!MessageDigest.isEqual(expectedDigest, sha256(value.substring(SCHEME.length())))) {
      problem = "invalid bearer token";
    } else {
      return next.startCall(call, headers);
    }
    call.close(Status.UNAUTHENTICATED.withDescription(problem), new Metadata());
    return new ServerCall.Listener<>() {};
  }

  /** Digests first, so the comparison takes the same time whatever the lengths. */
  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is always available", e);
    }
  }
}
