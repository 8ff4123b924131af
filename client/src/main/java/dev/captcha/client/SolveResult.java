package dev.captcha.client;

import dev.captcha.api.v1.SolveResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The server's reading of one captcha; immutable and thread-safe.
 *
 * @param id the request's identifier (the caller's, or the one the client assigned)
 * @param text the recognised text, one character per position
 * @param confidence overall confidence in [0, 1]: the product of the per-position maxima
 * @param positions per position, in reading order, the most probable characters, best first
 * @param timing where the server spent time on this request
 */
public record SolveResult(
    String id, String text, float confidence, List<Position> positions, Timing timing) {

  /** Validates and copies. */
  public SolveResult {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(text, "text");
    positions = List.copyOf(positions);
    Objects.requireNonNull(timing, "timing");
  }

  /** The candidates at one position, most probable first. */
  public record Position(List<Candidate> candidates) {
    /** Copies the list. */
    public Position {
      candidates = List.copyOf(candidates);
    }
  }

  /** One possible character (a single code point, as a string) and its probability. */
  public record Candidate(String character, float probability) {
    /** Validates. */
    public Candidate {
      Objects.requireNonNull(character, "character");
    }
  }

  /**
   * Server-side timing.
   *
   * @param queueTime from arrival at the batcher to the start of the inference batch
   * @param inferenceTime wall time of the whole inference batch the request ran in
   * @param preprocessTime decoding and input preparation
   * @param batchSize the number of requests in that batch
   */
  public record Timing(
      Duration queueTime, Duration inferenceTime, Duration preprocessTime, int batchSize) {
    /** Validates. */
    public Timing {
      Objects.requireNonNull(queueTime, "queueTime");
      Objects.requireNonNull(inferenceTime, "inferenceTime");
      Objects.requireNonNull(preprocessTime, "preprocessTime");
    }
  }

  /** Converts a successful response; {@code id} overrides the response's own id when non-null. */
  static SolveResult fromProto(SolveResponse r, String id) {
    List<Position> positions =
        r.getPositionsList().stream()
            .map(
                p ->
                    new Position(
                        p.getCandidatesList().stream()
                            .map(c -> new Candidate(c.getCharacter(), c.getProbability()))
                            .toList()))
            .toList();
    Timing timing =
        new Timing(
            Durations.fromProto(r.getTiming().getQueueTime()),
            Durations.fromProto(r.getTiming().getInferenceTime()),
            Durations.fromProto(r.getTiming().getPreprocessTime()),
            r.getTiming().getBatchSize());
    return new SolveResult(
        id != null ? id : r.getId(), r.getText(), r.getConfidence(), positions, timing);
  }
}
