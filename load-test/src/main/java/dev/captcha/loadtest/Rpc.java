package dev.captcha.loadtest;

/** Which RPC carries the requests. */
enum Rpc {
  /** One {@code Solve} call per image. */
  UNARY,
  /** Images as items of long-lived {@code SolveStream} calls. */
  STREAM
}
