package io.fleetkit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.FluentWait;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard in a real browser (Debian's headless Chromium through chromium-driver) while
 * {@code fleetkit demo} runs: the fleet page shows devices going online, a device's direct method
 * invoked from the page returns the device's answer, and the console stays free of errors.
 * Screenshots of each page go to {@code target/screenshots/}.
 */
@Timeout(180)
class DashboardIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    @TempDir
    Path tmp;

    @Test
    void theFleetPageShowsDevicesOnlineAndAMethodIsAnsweredFromThePage() throws Exception {
        assertThat(CHROMIUM).as("Debian's chromium (apt-get install chromium chromium-driver; .ci/run does)").exists();
        assertThat(CHROMEDRIVER).as("Debian's chromium-driver (apt-get install chromium-driver; .ci/run does)").exists();
        int httpPort;
        try (ServerSocket s = new ServerSocket(0)) {
            httpPort = s.getLocalPort();
        }
        StringWriter demoOut = new StringWriter();
        int port = httpPort;
        Thread demo = new Thread(() -> FleetkitCommand.execute(new String[]{"demo", "--data", tmp.resolve("data").toString(),
                "--devices", "30", "--duration", "60s", "--http-port", Integer.toString(port)},
                new PrintWriter(demoOut, true), new PrintWriter(new StringWriter(), true)), "demo");
        demo.setDaemon(true);
        demo.start();
        String token = awaitToken(demoOut);

        Files.createDirectories(SCREENSHOTS);
        WebDriver browser = chromium();
        try {
            browser.get("http://127.0.0.1:" + httpPort + "/dashboard/#token=" + token);
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
            wait.until(b -> b.findElement(By.id("connection")).getText().equals("live"));
            wait.until(b -> number(b.findElement(By.id("connected"))) >= 30);
            assertThat(number(browser.findElement(By.id("registered")))).isGreaterThanOrEqualTo(30);
            screenshot(browser, "fleet");

            browser.get("http://127.0.0.1:" + httpPort + "/dashboard/#devices");
            wait.until(b -> b.findElements(By.cssSelector("#devices tbody tr")).size() >= 30);
            WebElement first = browser.findElements(By.cssSelector("#devices tbody tr")).get(0);
            String deviceId = first.getAttribute("data-id");
            first.click();
            wait.until(b -> b.findElement(By.id("device-id")).getText().equals(deviceId));
            WebElement method = browser.findElement(By.id("method"));
            method.clear();
            method.sendKeys("identify");
            WebElement payload = browser.findElement(By.id("payload"));
            payload.clear();
            payload.sendKeys("{\"durationSeconds\": 1}");
            browser.findElement(By.cssSelector("#invoke button")).click();
            wait.until(b -> b.findElement(By.id("result")).getText().startsWith("status"));
            assertThat(browser.findElement(By.id("result")).getText()).startsWith("status 200 in ").contains("\"blinkingForSeconds\": 1");
            screenshot(browser, "devices");

            List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
            assertThat(errors).as("console errors").isEmpty();
        } finally {
            browser.quit();
        }
    }

    private static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        // as on this machine's closed network: no background connections, no first-run, no sandbox (root in CI)
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--window-size=1280,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static String awaitToken(StringWriter out) {
        Pattern p = Pattern.compile("operator token \\(valid [^)]*\\): (\\S+)");
        return new FluentWait<>(out).withTimeout(Duration.ofSeconds(60)).pollingEvery(Duration.ofMillis(100))
                .withMessage(() -> "the demo printed no token; its output:\n" + out)
                .until(o -> {
                    Matcher m = p.matcher(o.toString());
                    return m.find() ? m.group(1) : null;
                });
    }

    private static int number(WebElement e) {
        try {
            return Integer.parseInt(e.getText().trim());
        } catch (NumberFormatException notYet) {
            return -1;
        }
    }

    private static void screenshot(WebDriver browser, String page) throws Exception {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(page + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
