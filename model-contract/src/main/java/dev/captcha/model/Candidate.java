package dev.captcha.model;

/** One possible character at a position and its probability; immutable. */
public record Candidate(String character, float probability) {}
