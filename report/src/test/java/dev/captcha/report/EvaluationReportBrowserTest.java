package dev.captcha.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Opens the evaluation report in headless Chromium (Debian's chromium and chromium-driver,
 * installed by scripts/setup.sh) with networking off, and checks that every image loads; saves a
 * screenshot under target/surefire-reports.
 */
class EvaluationReportBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @Test
  void everyImageOfThePageLoadsInHeadlessChromium(@TempDir Path profile) throws Exception {
    if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
      String why =
          "needs " + CHROMIUM + " and " + CHROMEDRIVER + " (scripts/setup.sh installs them)";
      if (System.getenv("CI") != null) {
        fail(why);
      }
      assumeTrue(false, why);
    }
    Path dir = Path.of("target", "report-in-browser").toAbsolutePath();
    Path page =
        EvaluationReportTest.sample()
            .write(
                dir,
                "Evaluation in a browser",
                EvaluationReport.facts("model", "test", "data", "200 made-up readings"));

    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(CHROMEDRIVER.toFile())
            .usingAnyFreePort()
            .withTimeout(Duration.ofMinutes(3))
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--user-data-dir=" + profile.toAbsolutePath(),
        "--window-size=1400,2400");
    ChromeDriver browser = new ChromeDriver(service, options);
    try {
      browser.manage().timeouts().pageLoadTimeout(Duration.ofMinutes(3));
      browser.get(page.toUri().toString());
      assertEquals("complete", browser.executeScript("return document.readyState"));
      List<WebElement> images = browser.findElements(By.tagName("img"));
      assertEquals(2 + 5, images.size(), "two charts and five misread captchas");
      for (WebElement img : images) {
        Object width =
            browser.executeScript(
                "return arguments[0].complete ? arguments[0].naturalWidth : -1", img);
        assertTrue(
            ((Number) width).intValue() > 0, "image " + img.getAttribute("src") + " did not load");
      }
      Path shots = Files.createDirectories(Path.of("target", "surefire-reports"));
      Files.write(
          shots.resolve("evaluation-report.png"), browser.getScreenshotAs(OutputType.BYTES));
    } finally {
      browser.quit();
    }
  }
}
