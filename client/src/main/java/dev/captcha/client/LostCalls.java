package dev.captcha.client;

import io.grpc.Status;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.channels.ClosedChannelException;

/** Tells a call lost with its connection from one refused or failed by the server. */
final class LostCalls {
  private LostCalls() {}

  /**
   * Whether the call failed because the connection it was on died after the call had started (a
   * reset or a closed channel): UNAVAILABLE or UNKNOWN with an I/O error as its cause, other than a
   * failure to connect. The server's own UNAVAILABLE (draining) carries no such cause, and a server
   * that cannot be reached at all fails with a connect error, which gRPC's retry policy already
   * handles.
   */
  static boolean lostMidCall(Status status) {
    if (status.getCode() != Status.Code.UNAVAILABLE && status.getCode() != Status.Code.UNKNOWN) {
      return false;
    }
    boolean io = false;
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return false;
      }
      if (t instanceof IOException || t instanceof ClosedChannelException) {
        io = true;
      }
    }
    return io;
  }
}
