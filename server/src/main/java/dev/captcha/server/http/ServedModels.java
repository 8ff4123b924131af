package dev.captcha.server.http;

import dev.captcha.api.v1.ModelInfo;
import dev.captcha.server.solve.Solution;
import dev.captcha.server.solve.Solver;
import dev.captcha.server.solve.SolverRegistry;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The models the HTTP adapter answers with, by name (an empty name stands for the default model):
 * one solver, or every model of a {@link SolverRegistry}. Implementations are thread-safe.
 */
public interface ServedModels {
  /** Solves one image with the named model; fails as the solver does, or for an unknown name. */
  CompletableFuture<Solution> solve(String model, byte[] image, long deadlineNanos);

  /** The current time in the solvers' clock, the time base of deadlines. */
  long nanoTime();

  /** The named model's description, or empty when no such model is served. */
  Optional<ModelInfo> info(String model);

  /** The names served now, the default first. */
  List<String> names();

  /** One solver under the name its description gives. */
  static ServedModels single(Solver solver, Supplier<ModelInfo> info) {
    Objects.requireNonNull(solver, "solver");
    Objects.requireNonNull(info, "info");
    return new ServedModels() {
      @Override
      public CompletableFuture<Solution> solve(String model, byte[] image, long deadlineNanos) {
        return solver.solve(image, deadlineNanos);
      }

      @Override
      public long nanoTime() {
        return solver.nanoTime();
      }

      @Override
      public Optional<ModelInfo> info(String model) {
        ModelInfo current = info.get();
        return model == null || model.isEmpty() || model.equals(current.getName())
            ? Optional.of(current)
            : Optional.empty();
      }

      @Override
      public List<String> names() {
        return List.of(info.get().getName());
      }
    };
  }

  /**
   * Every model of {@code registry}; {@code describe} gives a served model's description by its
   * registry name.
   */
  static ServedModels of(SolverRegistry registry, Function<String, ModelInfo> describe) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(describe, "describe");
    return new ServedModels() {
      @Override
      public CompletableFuture<Solution> solve(String model, byte[] image, long deadlineNanos) {
        return registry.solve(model, image, deadlineNanos);
      }

      @Override
      public long nanoTime() {
        return registry.nanoTime();
      }

      @Override
      public Optional<ModelInfo> info(String model) {
        String name = registry.resolve(model);
        if (!registry.contains(name)) {
          return Optional.empty();
        }
        try {
          return Optional.of(describe.apply(name));
        } catch (RuntimeException e) {
          // removed between the check and the description
          return Optional.empty();
        }
      }

      @Override
      public List<String> names() {
        return registry.names();
      }
    };
  }
}
