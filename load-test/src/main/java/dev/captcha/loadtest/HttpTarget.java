package dev.captcha.loadtest;

import java.net.URI;
import java.net.http.HttpClient;

/**
 * The server's HTTP/JSON port as the load test reaches it: a shared client, the base address and
 * the bearer token (or null); immutable, the client thread-safe.
 */
record HttpTarget(HttpClient client, URI base, String token) {}
