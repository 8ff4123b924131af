package dev.captcha.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SettingsTest {

  @Test
  void targetsParseHostPortDefaultPortAndBracketedIpv6() {
    assertEquals(new Targets.HostPort("solver", 7000), Targets.parse("solver:7000"));
    assertEquals(new Targets.HostPort("solver", 50051), Targets.parse("solver"));
    assertEquals(new Targets.HostPort("::1", 9), Targets.parse("[::1]:9"));
    assertEquals("[::1]:9", Targets.parse("[::1]:9").toString());
    assertTrue(Targets.isUri("dns:///solver:50051"));
    assertFalse(Targets.isUri("solver:50051"));
    assertThrows(IllegalArgumentException.class, () -> Targets.parse("::1"));
    assertThrows(IllegalArgumentException.class, () -> Targets.parse("host:0"));
    assertThrows(IllegalArgumentException.class, () -> Targets.parse(":80"));
    assertThrows(IllegalArgumentException.class, () -> Targets.parse(""));
  }

  @Test
  void serviceConfigCarriesRoundRobinAndTheRetryPolicy() {
    Map<String, Object> config = RetrySettings.defaults().toServiceConfig("round_robin");
    assertEquals(List.of(Map.of("round_robin", Map.of())), config.get("loadBalancingConfig"));
    @SuppressWarnings("unchecked")
    Map<String, Object> method = ((List<Map<String, Object>>) config.get("methodConfig")).get(0);
    assertEquals(List.of(Map.of("service", "captcha.v1.CaptchaSolver")), method.get("name"));
    @SuppressWarnings("unchecked")
    Map<String, Object> policy = (Map<String, Object>) method.get("retryPolicy");
    assertEquals(4.0, policy.get("maxAttempts"));
    assertEquals("0.100s", policy.get("initialBackoff"));
    assertEquals("2.000s", policy.get("maxBackoff"));
    assertEquals(
        List.of("UNAVAILABLE", "RESOURCE_EXHAUSTED", "UNKNOWN"),
        policy.get("retryableStatusCodes"));
    List<?> noRetry =
        (List<?>) RetrySettings.none().toServiceConfig("round_robin").get("methodConfig");
    assertFalse(((Map<?, ?>) noRetry.get(0)).containsKey("retryPolicy"));
  }

  @Test
  void backoffGrowsAndIsCapped() {
    RetrySettings r = new RetrySettings(5, Duration.ofMillis(100), Duration.ofMillis(300), 2.0);
    assertEquals(Duration.ofMillis(100), r.backoffBound(1));
    assertEquals(Duration.ofMillis(200), r.backoffBound(2));
    assertEquals(Duration.ofMillis(300), r.backoffBound(3));
    assertThrows(
        IllegalArgumentException.class,
        () -> new RetrySettings(0, Duration.ofMillis(1), Duration.ofMillis(1), 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new RetrySettings(2, Duration.ofMillis(5), Duration.ofMillis(1), 1));
    assertThrows(
        IllegalArgumentException.class,
        () -> new RetrySettings(2, Duration.ofMillis(1), Duration.ofMillis(1), 0.5));
  }
}
