package io.fleetkit.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import io.fleetkit.cli.FleetkitCommand;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
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
 * {@code fleetkit demo} runs, opened at the URL the demo prints: the fleet page shows devices going
 * online; a direct method invoked from the devices page returns the device's answer, a desired patch shows in its twin
 * and a cloud-to-device message is queued; an override set
 * on the swarm page changes the next answer; the provisioning page lists the registrations and
 * switches the throttle profile; a claim with the simulated button pressed from the ownership page
 * puts the device under "my devices"; the console stays free of errors. Then the same pages in
 * Firefox ESR (over WebDriver BiDi, see {@link FirefoxBidi}). The demo then stops by itself with
 * its summary. Screenshots of each page go to {@code target/screenshots/}.
 */
@Timeout(300)
class DashboardIT {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    /** The fleet chart has five samples, each one's time a number of seconds in this decade (browsers parse ISO instants differently). */
    private static final String CHART_TIMES_READ = "fleet.counts !== null && fleet.counts.data[0].length >= 5 && fleet.counts.data[0].every(t => t > 1.7e9 && t < 2.1e9)";

    /**
     * How long the demo runs: the page checks take about 35 s on the 2-core CI machine, then the test waits for the demo to
     * stop by itself (its summary is checked), so this is their time with a margin of about twice it.
     */
    private static final int DEMO_SECONDS = 75;

    /** The user the demo's dashboard claims devices as ({@code fleetkit demo} names it). */
    private static final String DEV_USER = "alice";

    @TempDir
    Path tmp;

    @Test
    void everyPageWorksWhileTheDemoRuns() throws Exception {
        assertThat(CHROMIUM).as("Debian's chromium (apt-get install chromium chromium-driver; .ci/run does)").exists();
        assertThat(CHROMEDRIVER).as("Debian's chromium-driver (apt-get install chromium-driver; .ci/run does)").exists();
        int httpPort;
        try (ServerSocket s = new ServerSocket(0)) {
            httpPort = s.getLocalPort();
        }
        StringWriter demoOut = new StringWriter();
        int[] exit = {-1};
        // the command as a user types it: fleetkit demo …
        Thread demo = new Thread(() -> exit[0] = FleetkitCommand.execute(new String[]{"demo", "--data", tmp.resolve("data").toString(),
                "--devices", "30", "--duration", DEMO_SECONDS + "s", "--http-port", Integer.toString(httpPort)},
                new PrintWriter(demoOut, true), new PrintWriter(new StringWriter(), true)), "demo");
        demo.setDaemon(true);
        demo.start();
        String dashboard = awaitLine(demoOut, "dashboard: (\\S+)");
        assertThat(dashboard).startsWith("http://127.0.0.1:" + httpPort + "/dashboard/#token=").contains("&user=");
        String base = "http://127.0.0.1:" + httpPort + "/dashboard/";

        Files.createDirectories(SCREENSHOTS);
        WebDriver browser = chromium();
        try {
            browser.get(dashboard);
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
            wait.ignoring(StaleElementReferenceException.class); // live parts are redrawn every second
            // fleet: devices going online
            wait.until(b -> b.findElement(By.id("connection")).getText().equals("live"));
            wait.until(b -> number(b.findElement(By.id("connected"))) >= 30);
            assertThat(number(browser.findElement(By.id("registered")))).isGreaterThanOrEqualTo(30);
            wait.until(b -> b.findElement(By.cssSelector("#states [data-state=ONLINE]")).getText().equals("online 30"));
            wait.until(b -> !b.findElements(By.cssSelector("#errors tbody tr")).isEmpty());
            wait.until(b -> number(b.findElement(By.id("stored"))) > 0); // telemetry flowing into the store
            wait.until(b -> Boolean.TRUE.equals(((org.openqa.selenium.JavascriptExecutor) b).executeScript("return " + CHART_TIMES_READ)));
            // where the time goes: the store processor's three stages and its end to end in the table, and a second with all four stacked
            wait.until(b -> b.findElements(By.cssSelector("#stages tbody tr")).stream().map(WebElement::getText)
                    .filter(t -> t.startsWith("store ")).count() == 4);
            assertThat(browser.findElements(By.cssSelector("#stages tbody tr")).stream().map(WebElement::getText))
                    .anyMatch(t -> t.startsWith("hub accepted → appended")).anyMatch(t -> t.startsWith("hub appended → puback"))
                    .anyMatch(t -> t.startsWith("store handed → handled")).anyMatch(t -> t.startsWith("store accepted → stored"));
            wait.until(b -> Boolean.TRUE.equals(((org.openqa.selenium.JavascriptExecutor) b).executeScript(
                    "return fleet.stages !== null && fleet.stages.data[1].some(v => v !== null && v > 0)")));
            screenshot(browser, "fleet");

            // devices: a method invoked from the page returns the device's answer
            List<String> ids = deviceIds(browser, base, wait);
            String device = ids.get(0);
            assertThat(invokeIdentify(browser, wait, device)).startsWith("status 200 in ").contains("\"blinkingForSeconds\": 1");
            wait.until(b -> !b.findElements(By.cssSelector("#readings-chart canvas")).isEmpty());
            // its twin: a desired patch from the page is in the twin the page shows; a broken one says why
            type(browser, "desired-patch", "{\"targetTemperature\": 19.5}");
            browser.findElement(By.cssSelector("#desired-form button")).click();
            wait.until(b -> b.findElement(By.id("twin-result")).getText().startsWith("desired properties at $version "));
            assertThat(browser.findElement(By.id("twin")).getText()).contains("\"targetTemperature\": 19.5");
            type(browser, "desired-patch", "{\"targetTemperature\": ");
            browser.findElement(By.cssSelector("#desired-form button")).click();
            wait.until(b -> b.findElement(By.id("twin-result")).getText().startsWith("the patch is not JSON"));
            // a cloud-to-device message, queued for the device (and delivered: it is online)
            type(browser, "c2d-body", "{\"display\": \"hello\"}");
            type(browser, "c2d-properties", "{\"kind\": \"note\"}");
            browser.findElement(By.cssSelector("#c2d-form button")).click();
            wait.until(b -> b.findElement(By.id("c2d-result")).getText().startsWith("queued as "));
            type(browser, "c2d-properties", "{kind: note}"); // refused by the page, before the API (whose 400 the console would log)
            browser.findElement(By.cssSelector("#c2d-form button")).click();
            wait.until(b -> b.findElement(By.id("c2d-result")).getText().startsWith("the properties are not JSON"));
            screenshot(browser, "devices");
            type(browser, "search-text", "0003");
            browser.findElement(By.cssSelector("#search button")).click();
            wait.until(b -> b.findElements(By.cssSelector("#devices tbody tr")).stream().map(r -> r.getAttribute("data-id")).toList()
                    .equals(List.of("dev-00003", "dev-00030")));
            browser.findElement(By.id("search-text")).clear();
            browser.findElement(By.cssSelector("#search button")).click();
            wait.until(b -> b.findElements(By.cssSelector("#devices tbody tr")).size() == 30);

            // swarm: an override set on the page changes the next answer
            browser.get(base + "#swarm");
            wait.until(b -> b.findElement(By.id("swarm-active")).getText().equals("30"));
            type(browser, "override-method", "identify");
            type(browser, "override-device", device);
            type(browser, "override-status", "503");
            type(browser, "override-payload", "{\"busy\": true}");
            browser.findElement(By.cssSelector("#override-form button:not([type=button])")).click();
            wait.until(b -> b.findElements(By.cssSelector("#overrides tbody tr")).size() == 1);
            String overrideRow = wait.until(b -> b.findElement(By.cssSelector("#overrides tbody tr")).getText());
            assertThat(overrideRow).contains(device, "identify", "503");
            screenshot(browser, "swarm");
            deviceIds(browser, base, wait);
            assertThat(invokeIdentify(browser, wait, device)).startsWith("status 503 in ").contains("\"busy\": true");

            // provisioning: recent registrations, and the throttle switch
            browser.get(base + "#provisioning");
            wait.until(b -> b.findElements(By.cssSelector("#registrations tbody tr")).size() >= 30);
            assertThat(browser.findElement(By.cssSelector("#enrollments tbody")).getText()).contains("factory", "group");
            new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("throttle-profile"))).selectByVisibleText("s1");
            browser.findElement(By.cssSelector("#throttle-form button")).click();
            wait.until(b -> b.findElement(By.id("provisioning-summary")).getText().contains("profile s1"));
            screenshot(browser, "provisioning");
            new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("throttle-profile"))).selectByVisibleText("off");
            browser.findElement(By.cssSelector("#throttle-form button")).click();
            wait.until(b -> b.findElement(By.id("provisioning-summary")).getText().contains("profile off"));

            // ownership: the dev user claims a device, the simulated button is pressed, it is under "my devices"
            String claimed = ids.get(1);
            browser.get(base + "#ownership");
            wait.until(b -> b.findElement(By.id("user-name")).getText().equals(DEV_USER));
            assertThat(browser.findElements(By.cssSelector("#my-devices tbody tr"))).isEmpty();
            type(browser, "claim-device", claimed);
            browser.findElement(By.cssSelector("#claim-form button:not([type=button])")).click();
            wait.until(b -> b.findElement(By.id("claim-status")).getText().contains("PENDING"));
            browser.findElement(By.id("press-button")).click();
            wait.until(b -> b.findElement(By.id("claim-status")).getText().contains("GRANTED"));
            wait.until(b -> b.findElements(By.cssSelector("#my-devices tbody tr[data-id='" + claimed + "']")).size() == 1);
            screenshot(browser, "ownership");

            List<LogEntry> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                    .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
            assertThat(errors).as("console errors").isEmpty();

            firefoxShowsEveryPage(dashboard, base, ids.get(2));
            assertThat(demo.isAlive()).as("the demo still ran when the last page was checked (the checks take about 35 s here;"
                    + " if they now take longer than its %d s, raise DEMO_SECONDS)", DEMO_SECONDS).isTrue();
        } catch (Throwable failed) {
            demo.interrupt(); // the demo stops as on Ctrl-C: not its files deleted under it
            demo.join(Duration.ofSeconds(60).toMillis());
            throw failed;
        } finally {
            browser.quit();
        }
        // the demo stops by itself after --duration, with its summary
        demo.join(Duration.ofSeconds(150).toMillis());
        assertThat(exit[0]).as("demo exit status; output:\n%s", demoOut).isZero();
        assertThat(demoOut.toString()).contains("devices 30: 30 online, 0 gave up", "telemetry rows and 30 devices in the store");
    }

    /** The same pages in Firefox ESR (read and one method call): they render, fill from the API, and log no errors. */
    private void firefoxShowsEveryPage(String dashboard, String base, String device) throws Exception {
        assertThat(FirefoxBidi.FIREFOX).as("Debian's firefox-esr (apt-get install firefox-esr; .ci/run does)").exists();
        Duration wait = Duration.ofSeconds(30);
        try (FirefoxBidi firefox = FirefoxBidi.launch(tmp.resolve("firefox-profile"))) {
            firefox.navigate(dashboard);
            firefox.awaitText("#connection", "live"::equals, wait);
            firefox.awaitText("#connected", t -> t.equals("30"), wait);
            firefox.awaitText("#states [data-state=ONLINE]", "online 30"::equals, wait);
            firefox.awaitTrue(CHART_TIMES_READ, wait);
            firefox.screenshot(SCREENSHOTS.resolve("firefox-fleet.png"));

            firefox.navigate(base + "#devices");
            firefox.awaitText("#devices tbody", t -> t.contains(device), wait);
            firefox.evaluate("document.querySelector(\"#devices tbody tr[data-id='" + device + "']\").click()");
            firefox.awaitText("#device-id", device::equals, wait);
            firefox.evaluate("document.getElementById('method').value = 'getDiagnostics'; "
                    + "document.querySelector('#invoke button').click()");
            firefox.awaitText("#result", t -> t.startsWith("status 200 in ") && t.contains("\"modelId\": \"thermostat\""), wait);
            firefox.screenshot(SCREENSHOTS.resolve("firefox-devices.png"));

            firefox.navigate(base + "#swarm");
            firefox.awaitText("#swarm-active", "30"::equals, wait);
            firefox.navigate(base + "#provisioning");
            firefox.awaitText("#registrations tbody", t -> t.contains("dev-00001"), wait);
            firefox.navigate(base + "#ownership");
            firefox.awaitText("#my-devices tbody", t -> !t.isEmpty(), wait); // the device claimed in Chromium
            firefox.screenshot(SCREENSHOTS.resolve("firefox-ownership.png"));
            assertThat(firefox.consoleErrors()).as("Firefox console errors").isEmpty();
            firefox.evaluate("console.error('a probe of the console check')");
            firefox.awaitConsoleError("a probe", wait);
        }
    }

    /** Opens the devices page and gives the ids it lists (the first page, in order). */
    private static List<String> deviceIds(WebDriver browser, String base, WebDriverWait wait) {
        browser.get(base + "#devices");
        // read in one script: the page re-renders its table every 5 s, so row elements fetched one by one can go stale
        return wait.until(b -> {
            @SuppressWarnings("unchecked")
            List<String> ids = (List<String>) ((JavascriptExecutor) b).executeScript(
                    "return Array.from(document.querySelectorAll('#devices tbody tr')).map(r => r.getAttribute('data-id'));");
            return ids.size() >= 30 ? ids : null;
        });
    }

    /** Calls identify on one device from the devices page; gives what the page shows. */
    private static String invokeIdentify(WebDriver browser, WebDriverWait wait, String device) {
        wait.until(b -> { // the row can be redrawn between finding and clicking: the wait (ignoring stale elements) tries again
            b.findElement(By.cssSelector("#devices tbody tr[data-id='" + device + "']")).click();
            return true;
        });
        wait.until(b -> b.findElement(By.id("device-id")).getText().equals(device));
        type(browser, "method", "identify");
        type(browser, "payload", "{\"durationSeconds\": 1}");
        browser.findElement(By.cssSelector("#invoke button")).click();
        wait.until(b -> b.findElement(By.id("result")).getText().startsWith("status"));
        return browser.findElement(By.id("result")).getText();
    }

    private static void type(WebDriver browser, String id, String text) {
        WebElement e = browser.findElement(By.id(id));
        e.clear();
        e.sendKeys(text);
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

    private static String awaitLine(StringWriter out, String pattern) {
        Pattern p = Pattern.compile(pattern);
        return new FluentWait<>(out).withTimeout(Duration.ofSeconds(60)).pollingEvery(Duration.ofMillis(100))
                .withMessage(() -> "the demo printed nothing matching " + pattern + "; its output:\n" + out)
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
