package dev.captcha.training;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.captcha.training.eval.OnnxModel;
import org.junit.jupiter.api.Test;

/** Training's package rules, checked on the main classes. */
class ArchitectureTest {
  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("dev.captcha.training");

  @Test
  void onnxRuntimeStaysInsideTheEvaluationWrapper() {
    noClasses()
        .that()
        .doNotBelongToAnyOf(OnnxModel.class)
        .should()
        .dependOnClassesThat()
        .resideInAPackage("ai.onnxruntime..")
        .because("OnnxModel wraps ONNX Runtime; its errors leave it as InferenceException")
        .check(MAIN);
  }

  @Test
  void noServerAndNoGrpc() {
    noClasses()
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.captcha.server..", "io.grpc..")
        .because("training shares only the model contract with serving")
        .check(MAIN);
  }
}
