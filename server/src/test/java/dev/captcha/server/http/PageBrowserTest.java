package dev.captcha.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.server.ServingStack;
import dev.captcha.server.testsupport.Images;
import dev.captcha.server.testsupport.TinyOnnxModel;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The page at {@code /} in a real headless Chromium (Debian's chromium and chromium-driver, which
 * scripts/setup.sh installs; no network needed): picking an image shows its answer, candidates and
 * the model's info, and the live view fills in. Saves a screenshot to target/screenshots/.
 */
class PageBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir Path dir;

  @Test
  void pickingAnImageShowsItsAnswerAndTheModel() throws Exception {
    assertTrue(
        Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "this test needs chromium and chromium-driver: run scripts/setup.sh");
    Path image = Files.write(dir.resolve("captcha.png"), Images.white());
    try (ServingStack stack = new ServingStack(dir)) {
      ChromeOptions options = new ChromeOptions();
      options.setBinary(CHROMIUM.toFile());
      options.addArguments(
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--disable-dev-shm-usage",
          "--window-size=1280,900",
          "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(DRIVER.toFile())
              .usingAnyFreePort()
              .build();
      ChromeDriver driver = new ChromeDriver(service, options);
      try {
        driver.manage().timeouts().pageLoadTimeout(Duration.ofMinutes(2));
        driver.get(stack.httpBase() + "/");
        driver.findElement(By.id("file")).sendKeys(image.toString());
        String text =
            await(() -> driver.findElement(By.id("text")).getText(), TinyOnnxModel.WHITE_TEXT);
        assertEquals(TinyOnnxModel.WHITE_TEXT, text);
        assertEquals(
            TinyOnnxModel.LENGTH, driver.findElements(By.cssSelector("#candidates tr")).size());
        assertTrue(driver.findElement(By.id("confidence")).getText().endsWith("%"));
        assertTrue(
            await(() -> driver.findElement(By.id("model")).getText(), stack.model.metadata().name())
                .contains(stack.model.metadata().name()));
        // The live view reads the server's metrics: the solve above ran as one batch of one.
        assertEquals("1", await(() -> driver.findElement(By.id("batches")).getText(), "1"));
        assertEquals("1.00", driver.findElement(By.id("meanBatchAll")).getText());
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Path target = Files.createDirectories(Path.of("target", "screenshots"));
        Files.copy(shot.toPath(), target.resolve("page.png"), StandardCopyOption.REPLACE_EXISTING);
      } finally {
        driver.quit();
      }
    }
  }

  /** Polls {@code read} until it contains {@code expected}, for up to two minutes. */
  private static String await(Supplier<String> read, String expected) throws InterruptedException {
    long giveUp = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    String value = read.get();
    while (!value.contains(expected) && System.nanoTime() < giveUp) {
      Thread.sleep(50);
      value = read.get();
    }
    return value;
  }
}
