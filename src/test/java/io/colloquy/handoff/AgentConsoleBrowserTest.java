package io.colloquy.handoff;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.web.server.LocalServerPort;

import io.colloquy.support.Fixtures;
import io.colloquy.support.Http;
import io.colloquy.support.IntegrationTest;

/**
 * The agent console in a real headless Chromium: an agent signs in with an AGENT key, sees the queue,
 * claims, reads the package, replies to the customer and resolves back to the assistant.
 */
@IntegrationTest
class AgentConsoleBrowserTest {

    @LocalServerPort
    int port;

    Http http;
    Fixtures fixtures;
    WebDriver browser;

    @BeforeEach
    void startBrowser() {
        http = new Http(port);
        fixtures = new Fixtures(http);
        String driver = firstExisting(System.getenv("CHROMEDRIVER"),
                System.getenv("CHROMEWEBDRIVER") == null ? null : System.getenv("CHROMEWEBDRIVER") + "/chromedriver",
                "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
        String chrome = firstExisting(System.getenv("CHROME_BIN"), "/usr/bin/chromium", "/usr/bin/chromium-browser",
                "/usr/bin/google-chrome");
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        if (driver == null || chrome == null) {
            // CI must run this test (.ci/run installs the browser); a developer machine without one skips it
            assertThat(ci).as("CI needs chromium and chromedriver for the console test").isFalse();
            Assumptions.abort("no chromium/chromedriver on this machine");
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chrome);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1400,1000");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(new File(driver)).build(),
                options);
        browser.manage().window().setSize(new Dimension(1400, 1000));
    }

    @AfterEach
    void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void anAgentClaimsReadsRepliesAndResolvesInTheConsole() throws Exception {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        fixtures.say(tenant, conversation, "Hi, I want a refund for order A-12345, it arrived broken.");
        fixtures.say(tenant, conversation, "My email is kim@example.com");
        var handoff = fixtures.say(tenant, conversation, "Can I please talk to a human?");
        assertThat(handoff.get("status").asString()).isEqualTo("AWAITING_AGENT");
        fixtures.say(tenant, conversation, "I'll wait, thanks.");

        browser.get("http://127.0.0.1:" + port + "/console");
        browser.findElement(By.id("agent-key")).sendKeys(tenant.agentKey());
        browser.findElement(By.id("agent-name")).sendKeys("Ada");
        browser.findElement(By.id("signin-button")).click();

        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(15));
        WebElement item = wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#queue li.queue-item")));
        assertThat(item.getText()).contains("customer request");
        item.click();

        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail")));
        assertThat(browser.findElement(By.id("detail-conversation")).getText()).isEqualTo(conversation.toString());
        assertThat(browser.findElement(By.id("detail-next-action")).getText()).contains("A-12345");
        assertThat(browser.findElement(By.id("detail-facts")).getText()).contains("A-12345", "kim@example.com");
        assertThat(browser.findElement(By.id("detail-intent")).getText()).contains("refund");
        List<WebElement> transcript = browser.findElements(By.cssSelector("#transcript li"));
        assertThat(transcript).hasSizeGreaterThanOrEqualTo(7);
        assertThat(browser.findElement(By.cssSelector("#transcript li.waiting")).getText()).contains("I'll wait, thanks.");
        assertThat(browser.findElement(By.id("detail-last-answer")).getText()).contains("(simulated)");
        assertThat(browser.findElement(By.id("detail-confidence")).getText()).isEqualTo("0.86 \u2192 0.86");

        browser.findElement(By.id("reply-text")).sendKeys("Hi, I'm Ada. Your refund for A-12345 is approved.");
        browser.findElement(By.id("reply-send")).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("transcript"), "Your refund for A-12345 is approved."));
        Path screenshot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.createDirectories(Path.of("target"));
        Files.copy(screenshot, Path.of("target", "console.png"), StandardCopyOption.REPLACE_EXISTING);

        browser.findElement(By.id("resolve-note")).sendKeys("Refund approved by Ada.");
        browser.findElement(By.id("resolve")).click();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("detail")));

        var messages = http.get("/api/v1/conversations/" + conversation + "/messages?after=0", tenant.chatKey()).body();
        assertThat(messages.get("status").asString()).isEqualTo("BOT");
        assertThat(messages.get("messages").toString()).contains("Your refund for A-12345 is approved.")
                .contains("Refund approved by Ada.");
        var agentMessage = messages.get("messages").valueStream()
                .filter(m -> m.get("role").asString().equals("AGENT")).findFirst().orElseThrow();
        assertThat(agentMessage.get("author").asString()).as("the name the agent claimed with").isEqualTo("Ada");
        assertThat(http.get("/api/v1/handoffs?status=RESOLVED", tenant.agentKey()).body().get("handoffs")).hasSize(1);
    }

    /** The console follows the queue and the open conversation live: nothing is reloaded or polled. */
    @Test
    void theConsoleShowsANewHandoffAndTheCustomersMessagesAsTheyHappen() {
        var tenant = fixtures.tenant();
        browser.get("http://127.0.0.1:" + port + "/console");
        browser.findElement(By.id("agent-key")).sendKeys(tenant.agentKey());
        browser.findElement(By.id("agent-name")).sendKeys("Ada");
        browser.findElement(By.id("signin-button")).click();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("queue-empty")));

        UUID conversation = fixtures.conversation(tenant);
        fixtures.say(tenant, conversation, "My parcel A-777 is lost. Can I talk to a human?");
        WebElement item = wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("#queue li.queue-item")));
        item.click();
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("detail")));

        fixtures.say(tenant, conversation, "It was sent to 12 Elm Street.");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("transcript"), "It was sent to 12 Elm Street."));
        assertThat(browser.findElement(By.id("queue-count")).getText()).isEqualTo("0");
    }

    @Test
    void aKeyWithoutTheAgentRoleIsTurnedAway() {
        var tenant = fixtures.tenant();
        browser.get("http://127.0.0.1:" + port + "/console/index.html");
        browser.findElement(By.id("agent-key")).sendKeys(tenant.chatKey());
        browser.findElement(By.id("signin-button")).click();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(10));
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
        assertThat(browser.findElement(By.id("error")).getText()).contains("cannot open the agent console");
        assertThat(browser.findElement(By.id("workspace")).isDisplayed()).isFalse();
    }

    private static String firstExisting(String... paths) {
        for (String p : paths) {
            if (p != null && new File(p).canExecute()) {
                return p;
            }
        }
        return null;
    }
}
