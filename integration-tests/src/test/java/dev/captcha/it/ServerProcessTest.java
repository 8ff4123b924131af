package dev.captcha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Reading a scrape: a missing series fails instead of reading as 0. */
class ServerProcessTest {

  @Test
  void aSampleIsReadAndAMissingOneFails() {
    String scrape = "# TYPE captcha_queue_depth gauge\ncaptcha_queue_depth 7.0\n";
    assertEquals(7.0, ServerProcess.sample(scrape, "captcha_queue_depth"));
    AssertionError e =
        assertThrows(AssertionError.class, () -> ServerProcess.sample(scrape, "captcha_queue"));
    assertEquals("no sample of captcha_queue in the metrics", e.getMessage());
  }
}
