package dev.captcha.server.grpc;

import dev.captcha.server.security.BearerToken;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * Requires {@code authorization: Bearer <token>} on every call except those to exempt services (the
 * health service, so probes work without a secret), checked by {@link BearerToken}; immutable and
 * thread-safe.
 */
public final class BearerTokenInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** The standard gRPC health service, open to unauthenticated probes. */
  public static final String HEALTH_SERVICE = "grpc.health.v1.Health";

  private final BearerToken token;
  private final Set<String> exemptServices;

  /**
   * Creates an interceptor accepting {@code token}.
   *
   * @param exemptServices fully qualified service names callable without a token
   */
  public BearerTokenInterceptor(String token, Set<String> exemptServices) {
    this(new BearerToken(token), exemptServices);
  }

  /** Creates an interceptor accepting {@code token}, with the given exempt services. */
  public BearerTokenInterceptor(BearerToken token, Set<String> exemptServices) {
    this.token = Objects.requireNonNull(token, "token");
    this.exemptServices = Set.copyOf(exemptServices);
  }

  /**
   * Reads the token from a file (its first line, surrounding white space removed) and exempts the
   * health service.
   *
   * @throws IllegalArgumentException if the file holds no token
   */
  public static BearerTokenInterceptor fromFile(Path tokenFile) throws IOException {
    return new BearerTokenInterceptor(BearerToken.fromFile(tokenFile), Set.of(HEALTH_SERVICE));
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    if (exemptServices.contains(call.getMethodDescriptor().getServiceName())) {
      return next.startCall(call, headers);
    }
    String problem = token.problem(headers.get(AUTHORIZATION));
    if (problem == null) {
      return next.startCall(call, headers);
    }
    call.close(Status.UNAUTHENTICATED.withDescription(problem), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
