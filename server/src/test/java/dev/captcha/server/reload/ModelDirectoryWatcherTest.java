package dev.captcha.server.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.server.testsupport.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder watcher and naming rule, polled by hand on real files. */
class ModelDirectoryWatcherTest {
  @TempDir Path dir;

  /** Records what the watcher asks for; refuses the files whose content starts with "bad". */
  private static final class Recorder implements ModelDirectoryWatcher.Target {
    final List<String> calls = new ArrayList<>();

    @Override
    public void load(String name, Path file) throws Exception {
      String content = Files.readString(file);
      calls.add("load " + name + " " + content);
      if (content.startsWith("bad")) {
        throw new IllegalArgumentException("not a model");
      }
    }

    @Override
    public void unload(String name) {
      calls.add("unload " + name);
    }
  }

  private ModelDirectoryWatcher watcher(Recorder target) throws Exception {
    return new ModelDirectoryWatcher(
        dir, ModelDirectory.scan(dir), target, Duration.ofSeconds(1), new ManualClock());
  }

  @Test
  void namesAreFileNamesWithoutTheExtension() throws Exception {
    Files.writeString(dir.resolve("shop-b.onnx"), "b");
    Files.writeString(dir.resolve("Shop-A.ONNX"), "a");
    Files.writeString(dir.resolve("notes.txt"), "x");
    Files.writeString(dir.resolve(".hidden.onnx"), "x");
    Files.createDirectories(dir.resolve("folder.onnx"));
    Map<String, Path> models = ModelDirectory.scan(dir);
    assertEquals(List.of("Shop-A", "shop-b"), List.copyOf(models.keySet()));
    assertEquals(dir.resolve("shop-b.onnx"), models.get("shop-b"));
  }

  @Test
  void twoFilesGivingOneNameAreAStartError() throws Exception {
    Files.writeString(dir.resolve("shop.onnx"), "a");
    Files.writeString(dir.resolve("shop.ONNX"), "b");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ModelDirectory.scan(dir));
    assertTrue(e.getMessage().contains("both give the model name 'shop'"), e.getMessage());
  }

  @Test
  void aFolderWithoutModelsOrNoFolderIsAStartError() throws Exception {
    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> ModelDirectory.scan(dir));
    assertTrue(empty.getMessage().contains("holds no model file"), empty.getMessage());
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class, () -> ModelDirectory.scan(dir.resolve("nowhere")));
    assertTrue(missing.getMessage().contains("is not a folder"), missing.getMessage());
  }

  @Test
  void filesAddedReplacedAndRemovedAreFollowedOnceSettled() throws Exception {
    Files.writeString(dir.resolve("a.onnx"), "a1");
    Recorder target = new Recorder();
    ModelDirectoryWatcher w = watcher(target);
    w.poll();
    assertEquals(List.of(), target.calls, "the models loaded at start are in force");

    Files.writeString(dir.resolve("b.onnx"), "b1");
    w.poll();
    assertEquals(List.of(), target.calls, "a new file waits one interval to settle");
    w.poll();
    assertEquals(List.of("load b b1"), target.calls);
    assertEquals(Set.of("a", "b"), w.inForce());

    Files.writeString(dir.resolve("a.onnx"), "a2-longer");
    w.poll();
    w.poll();
    assertEquals(List.of("load b b1", "load a a2-longer"), target.calls);

    Files.delete(dir.resolve("b.onnx"));
    w.poll();
    assertEquals(List.of("load b b1", "load a a2-longer", "unload b"), target.calls);
    assertEquals(Set.of("a"), w.inForce());
    w.poll();
    assertEquals(3, target.calls.size(), "nothing more without a change");
  }

  @Test
  void aRefusedFileIsRetriedOnlyWhenItChanges() throws Exception {
    Files.writeString(dir.resolve("a.onnx"), "a1");
    Recorder target = new Recorder();
    ModelDirectoryWatcher w = watcher(target);
    Files.writeString(dir.resolve("c.onnx"), "bad");
    w.poll();
    w.poll();
    w.poll();
    w.poll();
    assertEquals(List.of("load c bad"), target.calls, "refused once, not retried");
    assertEquals(Set.of("a"), w.inForce());

    Files.writeString(dir.resolve("c.onnx"), "c-good");
    w.poll();
    w.poll();
    assertEquals(List.of("load c bad", "load c c-good"), target.calls);
    assertEquals(Set.of("a", "c"), w.inForce());

    Files.writeString(dir.resolve("a.onnx"), "bad-replacement");
    w.poll();
    w.poll();
    assertEquals("load a bad-replacement", target.calls.get(2));
    assertEquals(Set.of("a", "c"), w.inForce(), "the model in force keeps serving");
  }

  @Test
  void theSameContentRewrittenIsNotReloaded() throws Exception {
    Files.writeString(dir.resolve("a.onnx"), "a1");
    Recorder target = new Recorder();
    ModelDirectoryWatcher w = watcher(target);
    Files.delete(dir.resolve("a.onnx"));
    Files.writeString(dir.resolve("a.onnx"), "a1");
    Files.setLastModifiedTime(
        dir.resolve("a.onnx"),
        java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
    w.poll();
    w.poll();
    w.poll();
    // The file vanished and came back between polls, or was touched: the same bytes, no reload.
    Set<String> kinds = new HashSet<>();
    for (String c : target.calls) {
      kinds.add(c.split(" ")[0]);
    }
    assertTrue(!kinds.contains("load"), target.calls.toString());
  }

  @Test
  void aSecondFileGivingANameInForceIsIgnored() throws Exception {
    Files.writeString(dir.resolve("a.onnx"), "a1");
    Recorder target = new Recorder();
    ModelDirectoryWatcher w = watcher(target);
    Files.writeString(dir.resolve("a.ONNX"), "other"); // sorts first, yet a.onnx is in force
    w.poll();
    w.poll();
    w.poll();
    assertEquals(List.of(), target.calls);
    assertEquals(Set.of("a"), w.inForce());
  }
}
