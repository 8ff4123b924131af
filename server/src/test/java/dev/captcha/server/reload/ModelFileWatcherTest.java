package dev.captcha.server.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.server.testsupport.RecordingScheduler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileWatcherTest {
  @TempDir Path dir;

  private Path file;
  private final List<String> reloaded = new ArrayList<>();
  private String refuse;

  private final Reloadable target =
      f -> {
        String content = read(f);
        if (content.equals(refuse)) {
          throw new ModelRefusedException("refused " + content, null);
        }
        reloaded.add(content);
      };

  private final RecordingScheduler scheduler = new RecordingScheduler();
  private final List<Runnable> scheduled = scheduler.scheduled;
  private final List<Long> delays = scheduler.delays;

  private int stampSeconds = 1_000;

  @BeforeEach
  void writeModel() throws IOException {
    file = dir.resolve("model.onnx");
    write("v1");
  }

  private static String read(Path f) {
    try {
      return Files.readString(f, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Writes the file and gives it a new modification time, as a copy would. */
  private void write(String content) throws IOException {
    Files.writeString(file, content, StandardCharsets.UTF_8);
    Files.setLastModifiedTime(file, FileTime.fromMillis(1000L * stampSeconds++));
  }

  private ModelFileWatcher watcher() throws IOException {
    return new ModelFileWatcher(file, target, Duration.ofMillis(500), scheduler);
  }

  @Test
  void anUnchangedFileIsNotReloaded() throws IOException {
    ModelFileWatcher w = watcher();
    w.poll();
    w.poll();
    assertEquals(List.of(), reloaded);
  }

  @Test
  void aChangedFileIsReloadedOnceItHasSettledForOnePoll() throws IOException {
    ModelFileWatcher w = watcher();
    write("v2");
    w.poll();
    assertEquals(List.of(), reloaded, "reloaded before the file settled");
    w.poll();
    assertEquals(List.of("v2"), reloaded);
    w.poll();
    w.poll();
    assertEquals(List.of("v2"), reloaded, "reloaded the same file twice");
  }

  @Test
  void aFileStillBeingWrittenWaitsUntilItStopsChanging() throws IOException {
    ModelFileWatcher w = watcher();
    write("v2-par");
    w.poll();
    write("v2-partial");
    w.poll();
    write("v2-complete");
    w.poll();
    assertEquals(List.of(), reloaded);
    w.poll();
    assertEquals(List.of("v2-complete"), reloaded);
  }

  @Test
  void aFileReplacedByAtomicRenameIsReloaded() throws IOException {
    ModelFileWatcher w = watcher();
    Path staged = dir.resolve("staged.onnx");
    Files.writeString(staged, "v3", StandardCharsets.UTF_8);
    Files.move(staged, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    w.poll();
    w.poll();
    assertEquals(List.of("v3"), reloaded);
  }

  @Test
  void aTouchWithTheSameContentDoesNotReload() throws IOException {
    ModelFileWatcher w = watcher();
    write("v1");
    w.poll();
    w.poll();
    assertEquals(List.of(), reloaded);
  }

  @Test
  void aRefusedContentIsNotRetriedUntilTheFileChangesAgain() throws IOException {
    ModelFileWatcher w = watcher();
    refuse = "broken";
    write("broken");
    w.poll();
    w.poll();
    write("broken");
    w.poll();
    w.poll();
    assertEquals(List.of(), reloaded);
    write("v2");
    w.poll();
    w.poll();
    assertEquals(List.of("v2"), reloaded);
  }

  @Test
  void aMissingFileKeepsTheModelInForceUntilTheFileReturns() throws IOException {
    ModelFileWatcher w = watcher();
    Files.delete(file);
    w.poll();
    w.poll();
    assertEquals(List.of(), reloaded);
    write("v2");
    w.poll();
    w.poll();
    assertEquals(List.of("v2"), reloaded);
  }

  @Test
  void pollsRunOnTheSchedulerEveryIntervalUntilClosed() throws IOException {
    ModelFileWatcher w = watcher();
    w.start();
    assertEquals(1, scheduled.size());
    assertEquals(List.of(500_000_000L), delays);
    write("v2");
    runScheduled();
    runScheduled();
    assertEquals(List.of("v2"), reloaded);
    assertEquals(1, scheduled.size(), "each poll schedules the next one");
    w.close();
    assertTrue(scheduled.isEmpty(), "close withdraws the next poll");
  }

  @Test
  void refusesANonPositiveInterval() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new ModelFileWatcher(file, target, Duration.ZERO, scheduler));
  }

  private void runScheduled() {
    Runnable task = scheduled.remove(0);
    task.run();
  }
}
