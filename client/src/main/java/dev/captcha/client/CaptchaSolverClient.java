package dev.captcha.client;

import com.google.protobuf.ByteString;
import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.GetModelInfoRequest;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import io.grpc.CallCredentials;
import io.grpc.Channel;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A client of the captcha solver service. Built from a {@link Channel} it does not own, or by
 * {@link #builder()} from one or several targets, in which case it owns its channel and {@link
 * #close()} shuts it down. Thread-safe: share one instance.
 *
 * <p>Every call carries a deadline (configurable). Errors are thrown as subclasses of {@link
 * CaptchaSolverException}. When the client makes its own channel, calls that fail with UNAVAILABLE,
 * RESOURCE_EXHAUSTED or UNKNOWN (a connection closed under the call) are retried with backoff by
 * gRPC's retry policy, and several targets (or a DNS name with several addresses) are balanced
 * round-robin.
 */
public final class CaptchaSolverClient implements AutoCloseable {

  /** The deadline of each unary call unless configured. */
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

  /** The deadline of a whole batch stream unless configured. */
  public static final Duration DEFAULT_STREAM_DEADLINE = Duration.ofMinutes(30);

  private final Channel channel;
  private final ManagedChannel owned;
  private final Duration deadline;
  private final Duration streamDeadline;

  /**
   * How many times a unary call whose connection died under it is sent again, on top of gRPC's
   * retry policy: gRPC does not retry a call once the server has begun to answer it, and a replica
   * killed at that moment would otherwise lose the call. Solving is idempotent, so sending it again
   * (to another replica) is safe.
   */
  private static final int LOST_CALL_RESENDS = 1;

  private final RetrySettings retry;
  private final CallCredentials credentials;
  private final ErrorMapper mapper;

  /** A client with default settings over a channel the caller owns (and shuts down). */
  public CaptchaSolverClient(Channel channel) {
    this(builder().channel(channel));
  }

  private CaptchaSolverClient(Builder b) {
    this.deadline = b.deadline;
    this.streamDeadline = b.streamDeadline;
    this.retry = b.retry;
    this.credentials = b.token != null ? new BearerToken(b.token) : null;
    if (b.channel != null) {
      this.channel = b.channel;
      this.owned = null;
      this.mapper = new ErrorMapper(b.channel.authority());
    } else {
      this.owned = b.buildChannel();
      this.channel = owned;
      this.mapper = new ErrorMapper(String.join(", ", b.targets));
    }
  }

  /** A builder; give it targets (or a channel) and optional settings. */
  public static Builder builder() {
    return new Builder();
  }

  /** The deadline applied to each unary call. */
  public Duration deadline() {
    return deadline;
  }

  /** Solves one encoded image (PNG, JPEG, GIF or BMP bytes), blocking until the answer. */
  public SolveResult solve(byte[] image) {
    return solve(request("", image), deadline);
  }

  /** Solves one image file, blocking; the result's id is the path. */
  public SolveResult solve(Path file) {
    return solve(request(file.toString(), readFile(file)), deadline);
  }

  private SolveResult solve(SolveRequest request, Duration callDeadline) {
    Deadline end = Deadline.after(callDeadline.toNanos(), TimeUnit.NANOSECONDS);
    for (int resend = 0; ; resend++) {
      try {
        SolveResponse response = blockingStub().withDeadline(end).solve(request);
        return SolveResult.fromProto(response, request.getId());
      } catch (StatusRuntimeException e) {
        if (resend >= LOST_CALL_RESENDS
            || !LostCalls.lostMidCall(e.getStatus())
            || end.isExpired()) {
          throw mapper.fromThrowable(e, callDeadline);
        }
      }
    }
  }

  /**
   * Solves one encoded image without blocking. The future fails with a {@link
   * CaptchaSolverException}; cancelling it cancels the call. It completes on a gRPC thread, so
   * chain heavy work with the {@code *Async} variants.
   */
  public CompletableFuture<SolveResult> solveAsync(byte[] image) {
    return solveAsync(request("", image));
  }

  /** Solves one image file without blocking (the file is read now); the result's id is the path. */
  public CompletableFuture<SolveResult> solveAsync(Path file) {
    try {
      return solveAsync(request(file.toString(), readFile(file)));
    } catch (CaptchaSolverException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private CompletableFuture<SolveResult> solveAsync(SolveRequest request) {
    CompletableFuture<SolveResult> future = new CompletableFuture<>();
    sendAsync(request, Deadline.after(deadline.toNanos(), TimeUnit.NANOSECONDS), 0, future);
    return future;
  }

  private void sendAsync(
      SolveRequest request, Deadline end, int resend, CompletableFuture<SolveResult> future) {
    CaptchaSolverGrpc.CaptchaSolverStub stub = asyncStub().withDeadline(end);
    stub.solve(
        request,
        new ClientResponseObserver<SolveRequest, SolveResponse>() {
          private SolveResponse response;

          @Override
          public void beforeStart(ClientCallStreamObserver<SolveRequest> call) {
            future.whenComplete(
                (r, t) -> {
                  if (future.isCancelled()) {
                    call.cancel("cancelled by the caller", null);
                  }
                });
          }

          @Override
          public void onNext(SolveResponse value) {
            response = value;
          }

          @Override
          public void onError(Throwable t) {
            if (resend < LOST_CALL_RESENDS
                && t instanceof StatusRuntimeException e
                && LostCalls.lostMidCall(e.getStatus())
                && !end.isExpired()
                && !future.isDone()) {
              sendAsync(request, end, resend + 1, future);
              return;
            }
            future.completeExceptionally(mapper.fromThrowable(t, deadline));
          }

          @Override
          public void onCompleted() {
            if (response == null) {
              future.completeExceptionally(
                  new ServerErrorException(
                      "OK", "the server ended the call without an answer", null));
            } else {
              future.complete(SolveResult.fromProto(response, request.getId()));
            }
          }
        });
  }

  /**
   * Streams a batch through SolveStream and hands each item's outcome to {@code callback} as it
   * comes (or in input order when the options say so), one at a time on a gRPC thread; blocks until
   * every item has its outcome. Items are read and sent only while fewer than {@code
   * options.maxInFlight()} are waiting for the callback and the transport is ready. A failed item
   * is handed over with its error; the batch goes on.
   *
   * @return the batch's counts
   * @throws CancelledException if interrupted (the stream is cancelled)
   * @throws RuntimeException what the input iterator or the callback threw (the batch stops)
   */
  public BatchSummary solveAll(
      Iterable<CaptchaImage> images, BatchOptions options, Consumer<SolveOutcome> callback) {
    Objects.requireNonNull(callback, "callback");
    StreamBatch batch = newBatch(images, options);
    CompletableFuture<BatchSummary> done = new CompletableFuture<>();
    StreamBatch.Sink sink =
        new StreamBatch.Sink() {
          @Override
          public void accept(SolveOutcome outcome) {
            try {
              callback.accept(outcome);
            } finally {
              batch.release(1);
            }
          }

          @Override
          public void complete(BatchSummary summary) {
            done.complete(summary);
          }

          @Override
          public void fail(RuntimeException error) {
            done.completeExceptionally(error);
          }
        };
    batch.start(options.ordered() ? new ReorderingSink(sink) : sink);
    try {
      return done.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      batch.abort(new CancelledException("CANCELLED", "interrupted", e));
      throw new CancelledException("CANCELLED", "interrupted while the batch was running", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new ServerErrorException("CLIENT", "batch failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Streams a batch through SolveStream and returns its outcomes as an iterator, as they come or in
   * input order. Close the iterator to cancel the rest.
   */
  public SolveOutcomeIterator solveAll(Iterable<CaptchaImage> images, BatchOptions options) {
    StreamBatch batch = newBatch(images, options);
    SolveOutcomeIterator iterator = new SolveOutcomeIterator(batch);
    StreamBatch.Sink sink = iterator.sink();
    batch.start(options.ordered() ? new ReorderingSink(sink) : sink);
    return iterator;
  }

  private StreamBatch newBatch(Iterable<CaptchaImage> images, BatchOptions options) {
    Objects.requireNonNull(images, "images");
    Objects.requireNonNull(options, "options");
    Deadline streamEnd = Deadline.after(streamDeadline.toNanos(), TimeUnit.NANOSECONDS);
    CaptchaSolverGrpc.CaptchaSolverStub stub = asyncStub();
    return new StreamBatch(
        images.iterator(),
        options.maxInFlight(),
        responses -> stub.withDeadline(streamEnd).solveStream(responses),
        mapper,
        streamDeadline,
        retry);
  }

  /** Describes the model the server runs and its batching settings. */
  public ModelDescription modelInfo() {
    try {
      return ModelDescription.fromProto(
          blockingStub()
              .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
              .getModelInfo(GetModelInfoRequest.getDefaultInstance()));
    } catch (StatusRuntimeException e) {
      throw mapper.fromThrowable(e, deadline);
    }
  }

  /** Shuts down the channel if this client made it (waiting up to 5 s for calls to end). */
  @Override
  public void close() {
    if (owned == null) {
      return;
    }
    owned.shutdown();
    try {
      if (!owned.awaitTermination(5, TimeUnit.SECONDS)) {
        owned.shutdownNow();
      }
    } catch (InterruptedException e) {
      owned.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private CaptchaSolverGrpc.CaptchaSolverBlockingStub blockingStub() {
    CaptchaSolverGrpc.CaptchaSolverBlockingStub stub = CaptchaSolverGrpc.newBlockingStub(channel);
    return credentials != null ? stub.withCallCredentials(credentials) : stub;
  }

  private CaptchaSolverGrpc.CaptchaSolverStub asyncStub() {
    CaptchaSolverGrpc.CaptchaSolverStub stub = CaptchaSolverGrpc.newStub(channel);
    return credentials != null ? stub.withCallCredentials(credentials) : stub;
  }

  private static SolveRequest request(String id, byte[] image) {
    Objects.requireNonNull(image, "image");
    if (image.length == 0) {
      throw new InvalidImageException(
          "CLIENT", "image" + (id.isEmpty() ? "" : " " + id) + " is empty (0 bytes)", null);
    }
    return SolveRequest.newBuilder().setId(id).setImage(ByteString.copyFrom(image)).build();
  }

  private static byte[] readFile(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (IOException e) {
      throw new InvalidImageException("CLIENT", "cannot read " + file + ": " + e, e);
    }
  }

  /** Validated settings for a {@link CaptchaSolverClient}; not thread-safe. */
  public static final class Builder {
    private final List<String> targets = new ArrayList<>();
    private Channel channel;
    private Duration deadline = DEFAULT_DEADLINE;
    private Duration streamDeadline = DEFAULT_STREAM_DEADLINE;
    private RetrySettings retry = RetrySettings.defaults();
    private String token;
    private Path trustCa;
    private Path clientCert;
    private Path clientKey;
    private boolean tls;
    private String authority;

    private Builder() {}

    /**
     * Adds a server target: {@code host:port}, {@code host} (port 50051), {@code [::1]:port}, or a
     * gRPC target URI such as {@code dns:///solver.example:50051}. Several {@code host:port}
     * targets are balanced round-robin; so are the addresses of a DNS name.
     */
    public Builder target(String target) {
      Objects.requireNonNull(target, "target");
      if (!Targets.isUri(target)) {
        Targets.parse(target);
      }
      targets.add(target.trim());
      return this;
    }

    /** Adds several targets (see {@link #target}). */
    public Builder targets(List<String> list) {
      list.forEach(this::target);
      return this;
    }

    /** Uses a channel the caller owns instead of targets; TLS settings then do not apply. */
    public Builder channel(Channel channel) {
      this.channel = Objects.requireNonNull(channel, "channel");
      return this;
    }

    /** The deadline of each unary call (default 10 s). */
    public Builder deadline(Duration d) {
      this.deadline = positive(d, "deadline");
      return this;
    }

    /** The deadline of a whole batch stream (default 30 min). */
    public Builder streamDeadline(Duration d) {
      this.streamDeadline = positive(d, "stream deadline");
      return this;
    }

    /**
     * Retries on UNAVAILABLE, RESOURCE_EXHAUSTED and UNKNOWN (default: 4 attempts, 100 ms to 2 s).
     */
    public Builder retry(RetrySettings settings) {
      this.retry = Objects.requireNonNull(settings, "retry settings");
      return this;
    }

    /** Sends {@code authorization: Bearer <token>} with every call. */
    public Builder bearerToken(String token) {
      this.token = BearerToken.validate(token);
      return this;
    }

    /** Uses TLS, trusting the system's certificate authorities unless {@link #trustCa} is given. */
    public Builder tls() {
      this.tls = true;
      return this;
    }

    /** Uses TLS and trusts the CA certificates in this PEM file. */
    public Builder trustCa(Path caPem) {
      this.trustCa = readable(caPem, "CA certificate");
      this.tls = true;
      return this;
    }

    /** Uses TLS and presents this client certificate (PEM) and PKCS#8 PEM private key (mTLS). */
    public Builder clientCertificate(Path certPem, Path keyPem) {
      this.clientCert = readable(certPem, "client certificate");
      this.clientKey = readable(keyPem, "client key");
      this.tls = true;
      return this;
    }

    /**
     * The authority (host name) checked against the server's certificate, instead of the target's.
     */
    public Builder overrideAuthority(String authority) {
      this.authority = Objects.requireNonNull(authority, "authority");
      return this;
    }

    /** Builds the client (making and owning a channel when given targets). */
    public CaptchaSolverClient build() {
      if (channel != null && !targets.isEmpty()) {
        throw new IllegalStateException("give either targets or a channel, not both");
      }
      if (channel != null && (tls || authority != null)) {
        throw new IllegalStateException(
            "TLS settings apply only when the client makes its channel from targets");
      }
      if (channel == null && targets.isEmpty()) {
        throw new IllegalStateException(
            "no target: give at least one, for example localhost:" + Targets.DEFAULT_PORT);
      }
      if (targets.size() > 1 && targets.stream().anyMatch(Targets::isUri)) {
        throw new IllegalStateException(
            "several targets must each be host:port; a URI target (such as dns:///name:port) must be the only one");
      }
      return new CaptchaSolverClient(this);
    }

    private ManagedChannel buildChannel() {
      return ClientChannels.forTargets(targets)
          .tls(tls)
          .trustCa(trustCa)
          .clientCertificate(clientCert, clientKey)
          .overrideAuthority(authority)
          .retry(retry)
          .build();
    }

    private static Duration positive(Duration d, String what) {
      Objects.requireNonNull(d, what);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + d);
      }
      return d;
    }

    private static Path readable(Path p, String what) {
      Objects.requireNonNull(p, what);
      if (!Files.isReadable(p)) {
        throw new IllegalArgumentException("cannot read the " + what + " file " + p);
      }
      return p;
    }
  }
}
