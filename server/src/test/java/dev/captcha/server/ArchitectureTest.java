package dev.captcha.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.captcha.server.testsupport.FakeSolver;
import org.junit.jupiter.api.Test;

/** The server's package rules (server/README.md, Code), checked on the main classes. */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.captcha.server");

  private static ArchRule onlyTheAdapterImportsGrpc() {
    return noClasses()
        .that()
        .resideOutsideOfPackage("dev.captcha.server.grpc..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("io.grpc..")
        .because("transport concerns live in the gRPC adapter package");
  }

  @Test
  void onlyTheAdapterImportsGrpc_holds() {
    onlyTheAdapterImportsGrpc().check(MAIN);
  }

  @Test
  void onlyTheAdapterImportsGrpc_catchesAViolation() {
    // A test class outside the adapter that implements a gRPC service.
    JavaClasses offender = new ClassFileImporter().importClasses(FakeSolver.class);
    assertThrows(AssertionError.class, () -> onlyTheAdapterImportsGrpc().check(offender));
  }

  @Test
  void onlyTheHttpAdapterImportsTheHttpLibrary() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.captcha.server.http..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.eclipse.jetty..", "com.fasterxml.jackson..")
        .because("the HTTP/JSON adapter package owns Jetty and JSON")
        .check(MAIN);
  }

  @Test
  void theHttpAdapterKnowsNoGrpc() {
    noClasses()
        .that()
        .resideInAPackage("dev.captcha.server.http..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.captcha.server.grpc..", "io.grpc..")
        .because("HTTP is a second adapter over the solver, beside gRPC, not on top of it")
        .check(MAIN);
  }

  @Test
  void onlyTheEngineImportsOnnxRuntime() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.captcha.server.engine..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("ai.onnxruntime..")
        .because("ONNX Runtime lives in the engine package")
        .check(MAIN);
  }

  @Test
  void theBatcherKnowsNoTransportAndNoEngine() {
    noClasses()
        .that()
        .resideInAPackage("dev.captcha.server.batch..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.captcha.server.grpc..", "dev.captcha.server.engine..", "dev.captcha.api..")
        .because("the batcher is policy and mechanism, tested on a fake clock and engine")
        .check(MAIN);
  }
}
