package dev.captcha.loadtest;

/** Which server port carries the requests. */
enum Protocol {
  /** The gRPC port, with the RPC of {@code --rpc}. */
  GRPC,
  /** The HTTP/JSON port: one {@code POST /v1/solve} per image, the image as the body. */
  HTTP
}
