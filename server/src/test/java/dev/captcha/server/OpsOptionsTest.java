package dev.captcha.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.server.ops.ServerLimits;
import dev.captcha.server.security.TlsSettings;
import dev.captcha.server.testsupport.TestCertificates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The operations and security options of the command line. */
class OpsOptionsTest {
  @TempDir Path dir;

  private static Main parse(String... args) {
    CommandLine cl = Main.commandLine();
    cl.parseArgs(args);
    return cl.getCommand();
  }

  @Test
  void defaults() {
    Main m = parse();
    ServerLimits limits = m.serverLimits();
    assertEquals(m.limits.maxImageBytes + 64 * 1024, limits.maxInboundMessageSize());
    assertEquals(256, limits.maxConcurrentCallsPerConnection());
    assertEquals(512, limits.streamItemsPerConnection());
    assertEquals(Duration.ofMinutes(1), limits.keepAliveTime());
    assertEquals(Duration.ofSeconds(20), limits.keepAliveTimeout());
    assertEquals(Duration.ofSeconds(10), limits.permitKeepAliveTime());
    assertEquals(Duration.ofMinutes(10), limits.maxConnectionIdle());
    assertEquals(Duration.ofMinutes(30), limits.maxConnectionAge());
    assertEquals(Duration.ofMinutes(1), limits.maxConnectionAgeGrace());
    assertFalse(m.tlsSettings().enabled());
    assertNull(m.tokenFile);
    assertTrue(m.reflection);
    assertEquals(9464, m.metricsPort);
    assertEquals(8080, m.httpPort(), "the HTTP/JSON port is on by default");
  }

  @Test
  void theHttpPortComesFromTheOptionOrItsVariableAndIsChecked() {
    assertEquals(-1, parse("--http-port", "-1").httpPort());
    assertEquals(0, parse("--http-port", "0").httpPort());
    CommandLine fromEnvironment = Main.commandLine(Map.of("CAPTCHA_HTTP_PORT", "8181"));
    fromEnvironment.parseArgs();
    assertEquals(8181, ((Main) fromEnvironment.getCommand()).httpPort());
    assertThrows(CommandLine.ParameterException.class, () -> parse("--http-port", "-2").httpPort());
    assertThrows(
        CommandLine.ParameterException.class, () -> parse("--http-port", "65536").httpPort());
  }

  @Test
  void optionsBecomeValidatedSettings() throws Exception {
    TestCertificates ca = TestCertificates.newCa(dir, "ca");
    TestCertificates.Issued server = ca.server(dir, "server");
    Main m =
        parse(
            "--max-message-bytes",
            "100000",
            "--max-calls-per-connection",
            "7",
            "--stream-items-per-connection",
            "9",
            "--keepalive-time",
            "30s",
            "--max-connection-age",
            "5m",
            "--no-reflection",
            "--metrics-port",
            "-1",
            "--tls-cert",
            server.cert().toString(),
            "--tls-key",
            server.key().toString(),
            "--tls-client-ca",
            ca.caCert().toString());
    ServerLimits limits = m.serverLimits();
    assertEquals(100000, limits.maxInboundMessageSize());
    assertEquals(7, limits.maxConcurrentCallsPerConnection());
    assertEquals(9, limits.streamItemsPerConnection());
    assertEquals(Duration.ofSeconds(30), limits.keepAliveTime());
    assertEquals(Duration.ofMinutes(5), limits.maxConnectionAge());
    assertFalse(m.reflection);
    TlsSettings tls = m.tlsSettings();
    assertTrue(tls.enabled());
    assertTrue(tls.mutual());
  }

  @Test
  void inconsistentOrInvalidValuesAreUsageErrors() throws Exception {
    TestCertificates ca = TestCertificates.newCa(dir, "ca");
    TestCertificates.Issued server = ca.server(dir, "server");
    assertThrows(
        CommandLine.ParameterException.class,
        () -> parse("--tls-cert", server.cert().toString()).tlsSettings());
    assertThrows(
        CommandLine.ParameterException.class,
        () -> parse("--tls-client-ca", ca.caCert().toString()).tlsSettings());
    assertThrows(
        CommandLine.ParameterException.class,
        () -> parse("--max-calls-per-connection", "0").serverLimits());
    assertThrows(
        CommandLine.ParameterException.class,
        () -> parse("--keepalive-timeout", "0s").serverLimits());
  }
}
