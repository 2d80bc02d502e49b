package io.colloquy.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.colloquy.support.Fixtures;
import io.colloquy.support.Http;
import io.colloquy.support.ServiceTestBase;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service's edge, probed as an outsider would: the actuator is not served on the API port (only on the
 * management port), every answer carries the security headers, and every error, down to the ones Tomcat raises
 * before Spring sees the request, is problem details with a fitting status.
 */
class HttpEdgeIntegrationTest extends ServiceTestBase {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String PROBLEM_JSON = "application/problem+json";

    // ---- management off the API port

    @Test
    void theActuatorIsNotServedOnTheApiPortButOnTheManagementPort() {
        assertThat(managementPort).isNotEqualTo(port);
        for (String path : List.of("/actuator/prometheus", "/actuator/metrics", "/actuator/health", "/actuator",
                "/actuator/metrics/colloquy.usage.cost")) {
            var answer = http.get(path, null);
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.contentType()).as(path).startsWith(PROBLEM_JSON);
            assertThat(answer.body().get("type").asString()).endsWith("/not-found");
            assertThat(answer.text()).doesNotContain("jvm_", "tenant");
            // not with a platform admin key either: the API port has no actuator at all
            assertThat(http.get(path, Fixtures.ADMIN_KEY).status()).as(path + " with a key").isEqualTo(404);
        }

        var scrape = management.get("/actuator/prometheus", null);
        assertThat(scrape.status()).isEqualTo(200);
        assertThat(scrape.text()).contains("jvm_threads_live_threads");
        assertThat(management.get("/actuator/metrics", null).status()).isEqualTo(200);
    }

    @Test
    void healthOnTheApiPortShowsAStatusAndNothingElse() {
        for (String path : List.of("/livez", "/readyz")) {
            var probe = http.get(path, null);
            assertThat(probe.status()).as(path).isEqualTo(200);
            assertThat(probe.body().propertyNames()).as(path + " shows the status only").containsExactly("status");
            assertThat(probe.body().get("status").asString()).isEqualTo("UP");
        }
        // the details (the database, the model circuits) are for the management port
        var full = management.get("/actuator/health", null);
        assertThat(full.status()).isEqualTo(200);
        assertThat(full.body().get("components").has("db")).isTrue();
        assertThat(full.body().get("components").has("circuitBreakers")).isTrue();
    }

    // ---- security headers

    @Test
    void anApiAnswerCarriesTheSecurityHeadersAndIsNeverStored() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        var answer = http.get("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey());
        assertThat(answer.status()).isEqualTo(200);
        assertSecurityHeaders(answer);
        assertThat(answer.header("Content-Security-Policy")).isEqualTo("default-src 'none'; frame-ancestors 'none'");
    }

    @Test
    void problemAnswersCarryTheSecurityHeadersToo() {
        var unauthorized = http.get("/api/v1/conversations/" + UUID.randomUUID(), null);
        assertThat(unauthorized.status()).isEqualTo(401);
        assertSecurityHeaders(unauthorized);

        var tenant = fixtures.tenant();
        var missing = http.get("/api/v1/conversations/" + UUID.randomUUID(), tenant.chatKey());
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith(PROBLEM_JSON);
        assertSecurityHeaders(missing);

        // and a problem Tomcat raises itself, before any filter runs
        RawAnswer refused = raw("GET /api/v1/conversations/a%2fb HTTP/1.1");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.headers().get("x-content-type-options")).isEqualTo("nosniff");
        assertThat(refused.headers().get("cache-control")).isEqualTo("no-store");
        assertThat(refused.headers().get("x-frame-options")).isEqualTo("DENY");
    }

    @Test
    void theConsoleHasAPolicyThatItsOwnFilesSatisfy() throws IOException {
        var page = http.get("/console/index.html", null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(page.header("X-Frame-Options")).isEqualTo("DENY");
        String policy = page.header("Content-Security-Policy");
        assertThat(policy).contains("default-src 'self'", "script-src 'self'", "style-src 'self'",
                "connect-src 'self'", "frame-ancestors 'none'", "object-src 'none'");
        assertThat(policy).doesNotContain("unsafe-inline", "unsafe-eval", "*");
        assertThat(http.get("/console/console.js", null).header("Content-Security-Policy")).isEqualTo(policy);

        // the policy allows no inline script or style: the page must have none (the browser test runs it for real)
        String html = Files.readString(Path.of("src/main/resources/static/console/index.html"));
        assertThat(html.toLowerCase(Locale.ROOT)).doesNotContainPattern("<script(?![^>]*\\bsrc=)[^>]*>")
                .doesNotContain("<style").doesNotContainPattern("\\sstyle=").doesNotContainPattern("\\son[a-z]+=");
        String script = Files.readString(Path.of("src/main/resources/static/console/console.js"));
        assertThat(script).doesNotContain("eval(", "new Function(", "setAttribute(\"style\"", ".innerHTML");
    }

    // ---- every error is problem details

    @Test
    void pathsTomcatRefusesAreProblems() {
        for (String target : List.of("/api/v1/conversations/a%2fb", "/api/v1/conversations/a%2Fb/messages",
                "/api/v1/a%00b", "/api/v1/conversations/%zz", "/%")) {
            RawAnswer answer = raw("GET " + target + " HTTP/1.1");
            assertThat(answer.status()).as(target).isEqualTo(400);
            assertThat(answer.headers().get("content-type")).as(target).startsWith(PROBLEM_JSON);
            JsonNode problem = answer.json();
            assertThat(problem.get("status").asInt()).isEqualTo(400);
            assertThat(problem.get("type").asString()).endsWith("/malformed-request");
            assertThat(answer.body()).doesNotContain("<html", "Tomcat");
        }
    }

    @Test
    void traceIsRefusedWith405ProblemAndEchoesNothing() {
        RawAnswer answer = raw("TRACE /api/v1/tenants HTTP/1.1", "Authorization: Bearer " + Fixtures.ADMIN_KEY,
                "X-Secret-Probe: echo-me");
        assertThat(answer.status()).isEqualTo(405);
        assertThat(answer.headers().get("content-type")).startsWith(PROBLEM_JSON);
        assertThat(answer.json().get("status").asInt()).isEqualTo(405);
        assertThat(answer.json().get("detail").asString()).contains("TRACE");
        assertThat(answer.headers().get("allow")).doesNotContain("TRACE");
        assertThat(answer.body()).doesNotContain("echo-me", Fixtures.ADMIN_KEY, "<html");
    }

    @Test
    void theErrorPathAskedForDirectlyIsNotFound() {
        for (String method : List.of("GET", "POST", "DELETE")) {
            var answer = http.send(method, "/error", null, null, Map.of());
            assertThat(answer.status()).as(method).isEqualTo(404);
            assertThat(answer.contentType()).startsWith(PROBLEM_JSON);
            assertThat(answer.body().get("type").asString()).endsWith("/not-found");
            assertThat(answer.body().get("instance").asString()).isEqualTo("/error");
        }
    }

    @Test
    void absurdMonthsOnTheCostEndpointsAre400() {
        var tenant = fixtures.tenant();
        for (String month : List.of("%2B999999999-12", "-0001-01", "0000-12", "10000-01", "2026-13", "2026-1", "26-01")) {
            for (String path : List.of("/api/v1/costs/monthly/" + tenant.id() + "?month=" + month,
                    "/api/v1/costs/monthly?month=" + month)) {
                String key = path.contains(tenant.id().toString()) ? tenant.financeKey() : fixtures.platformKey("FINANCE");
                var answer = http.get(path, key);
                assertThat(answer.status()).as(path).isEqualTo(400);
                assertThat(answer.contentType()).startsWith(PROBLEM_JSON);
                assertThat(answer.body().get("type").asString()).endsWith("/invalid-request");
                assertThat(answer.body().get("detail").asString()).contains("YYYY-MM");
            }
        }
        // the edges of the range are reports like any other (an empty one)
        for (String month : List.of("0001-01", "9999-12")) {
            var report = http.get("/api/v1/costs/monthly/" + tenant.id() + "?month=" + month, tenant.financeKey());
            assertThat(report.status()).as(month).isEqualTo(200);
            assertThat(report.body().get("month").asString()).isEqualTo(month);
            var csv = http.get("/api/v1/costs/monthly/" + tenant.id() + "?month=" + month, tenant.financeKey(),
                    Map.of("Accept", "text/csv"));
            assertThat(csv.status()).as(month + " csv").isEqualTo(200);
        }
    }

    @Test
    void aNulCharacterInAnyTextIs400AndNothingIsStored() {
        String name = "Nul-" + UUID.randomUUID();
        var tenantWithNul = http.post("/api/v1/tenants", Fixtures.ADMIN_KEY, Map.of("name", name + "\u0000x"));
        assertInvalidNul(tenantWithNul);
        assertThat(jdbc.sql("SELECT count(*) FROM tenants WHERE name LIKE :name").param("name", name + "%")
                .query(Long.class).single()).isZero();

        var tenant = fixtures.tenant();
        assertInvalidNul(http.post("/api/v1/conversations", tenant.chatKey(),
                Map.of("externalUserRef", "user\u0000", "metadata", Map.of("label", "a"))));
        // deep inside a structure, and in a key
        assertInvalidNul(http.post("/api/v1/conversations", tenant.chatKey(),
                Map.of("metadata", Map.of("labels", List.of("ok", Map.of("deep", "x\u0000y"))))));
        assertInvalidNul(http.post("/api/v1/conversations", tenant.chatKey(),
                Map.of("metadata", Map.of("la\u0000bel", "a"))));

        UUID conversation = fixtures.conversation(tenant);
        assertInvalidNul(http.post("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey(),
                Map.of("content", "refund\u0000please")));
        assertInvalidNul(http.get("/api/v1/conversations/" + conversation + "/messages?after=%00", tenant.chatKey()));
        assertThat(http.get("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey()).body()
                .findValues("content")).as("nothing was stored").isEmpty();

        // a backslash followed by "u0000" is ordinary text, not a NUL
        var literal = http.post("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey(),
                Map.of("content", "the escape \\u0000 in my log"));
        assertThat(literal.status()).isEqualTo(200);
        assertThat(literal.body().get("reply")).isNotNull();
    }

    @Test
    void aNumberWhereTextBelongsIsRefusedNotStoredAsText() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        String path = "/api/v1/conversations/" + conversation + "/messages";
        for (String body : List.of("{\"content\": 123}", "{\"content\": 1.5}", "{\"content\": true}")) {
            var answer = http.post(path, tenant.chatKey(), body);
            assertThat(answer.status()).as(body).isEqualTo(400);
            assertThat(answer.contentType()).startsWith(PROBLEM_JSON);
            assertThat(answer.body().get("type").asString()).endsWith("/malformed-request");
        }
        assertThat(http.post("/api/v1/tenants", Fixtures.ADMIN_KEY, "{\"name\": 42}").status()).isEqualTo(400);
        assertThat(http.get(path, tenant.chatKey()).body().findValues("content")).as("nothing was stored").isEmpty();
        assertThat(http.post(path, tenant.chatKey(), "{\"content\": \"123\"}").status()).isEqualTo(200);
    }

    // ---- helpers

    private static void assertSecurityHeaders(Http.Response answer) {
        assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(answer.header("Cache-Control")).isEqualTo("no-store");
        assertThat(answer.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(answer.header("Content-Security-Policy")).contains("frame-ancestors 'none'");
    }

    private static void assertInvalidNul(Http.Response answer) {
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith(PROBLEM_JSON);
        assertThat(answer.body().get("type").asString()).endsWith("/invalid-request");
        assertThat(answer.body().get("detail").asString()).contains("NUL");
    }

    record RawAnswer(int status, Map<String, String> headers, String body) {
        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    /**
     * One request written by hand on a socket: Java's HTTP client will not send every request line an attacker
     * would (a raw {@code %00}, TRACE).
     */
    private RawAnswer raw(String requestLine, String... headers) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            StringBuilder request = new StringBuilder(requestLine).append("\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
            for (String header : headers) {
                request.append(header).append("\r\n");
            }
            request.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = text.indexOf("\r\n\r\n");
            String[] head = text.substring(0, split).split("\r\n");
            int status = Integer.parseInt(head[0].split(" ")[1]);
            Map<String, String> names = new LinkedHashMap<>();
            for (int i = 1; i < head.length; i++) {
                int colon = head[i].indexOf(':');
                names.put(head[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), head[i].substring(colon + 1).strip());
            }
            String body = text.substring(split + 4);
            if ("chunked".equalsIgnoreCase(names.get("transfer-encoding"))) {
                body = unchunk(body);
            }
            return new RawAnswer(status, names, body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String unchunk(String chunked) {
        StringBuilder body = new StringBuilder();
        int at = 0;
        while (true) {
            int lineEnd = chunked.indexOf("\r\n", at);
            int size = Integer.parseInt(chunked.substring(at, lineEnd).strip(), 16);
            if (size == 0) {
                return body.toString();
            }
            body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
            at = lineEnd + 2 + size + 2;
        }
    }
}
