package io.kafkasnap.samples.dashboard;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium through its chromedriver, both given to Selenium by path so that it never fetches a
 * browser or a driver of its own.
 */
final class Browser {

    static final String REQUIRE = "KAFKASNAP_REQUIRE_BROWSER";
    private static final String[] BROWSERS = {"/usr/bin/chromium", "/usr/bin/chromium-browser"};
    private static final String[] DRIVERS = {"/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"};

    private Browser() {
    }

    /** A fresh headless browser with its own profile; skips the test (or fails it, under REQUIRE=1) without one. */
    static ChromeDriver open(Path profile) throws Exception {
        Optional<String> browser = find("CHROME_BIN", BROWSERS);
        Optional<String> driver = find("CHROMEDRIVER", DRIVERS);
        if (browser.isEmpty() || driver.isEmpty()) {
            String message = "no headless Chromium here (looked for " + String.join(", ", BROWSERS) + " and "
                    + String.join(", ", DRIVERS) + "); install it with: "
                    + "sudo apt-get install -y chromium chromium-driver";
            if ("1".equals(System.getenv(REQUIRE))) {
                fail(message + " (" + REQUIRE + "=1 makes a missing browser a failure)");
            }
            Assumptions.abort(message);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.get());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                "--window-size=1400,1300", "--user-data-dir=" + Files.createDirectories(profile).toAbsolutePath());
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(driver.get())).usingAnyFreePort().build();
        return new ChromeDriver(service, options);
    }

    private static Optional<String> find(String env, String[] candidates) {
        String given = System.getenv(env);
        if (given != null && Files.isExecutable(Path.of(given))) {
            return Optional.of(given);
        }
        for (String candidate : candidates) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
