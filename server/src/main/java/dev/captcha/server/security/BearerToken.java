package dev.captcha.server.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Objects;

/**
 * The bearer token every transport checks ({@code Authorization: Bearer <token>}), compared in
 * constant time; immutable and thread-safe.
 */
public final class BearerToken {
  private static final String SCHEME = "Bearer ";

  private final byte[] expectedDigest;

  /** A token that accepts {@code token}, which must not be blank. */
  public BearerToken(String token) {
    Objects.requireNonNull(token, "token");
    if (token.isBlank()) {
      throw new IllegalArgumentException("the bearer token must not be empty");
    }
    this.expectedDigest = sha256(token);
  }

  /**
   * Reads the token from a file: its first line, surrounding white space removed.
   *
   * @throws IllegalArgumentException if the file holds no token
   */
  public static BearerToken fromFile(Path tokenFile) throws IOException {
    String content = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
    int newline = content.indexOf('\n');
    String token = (newline < 0 ? content : content.substring(0, newline)).strip();
    if (token.isEmpty()) {
      throw new IllegalArgumentException("token file " + tokenFile + " holds no token");
    }
    return new BearerToken(token);
  }

  /**
   * Checks the value of an authorization header.
   *
   * @param authorization the header's value, or null when absent
   * @return null when it carries this token, otherwise what is wrong, for the caller
   */
  public String problem(String authorization) {
    if (authorization == null) {
      return "missing bearer token (send the header 'authorization: Bearer <token>')";
    }
    if (!authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return "the authorization header must use the Bearer scheme";
    }
    if (!MessageDigest.isEqual(expectedDigest, sha256(authorization.substring(SCHEME.length())))) {
      return "invalid bearer token";
    }
    return null;
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
