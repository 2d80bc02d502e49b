package io.colloquy.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.colloquy.support.Fixtures;
import io.colloquy.support.ServiceTestBase;
import io.colloquy.usage.CallOutcome;
import io.colloquy.usage.CallPurpose;
import io.colloquy.usage.ModelCall;
import io.colloquy.usage.UsageLedger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Grafana dashboard kept in the repository (ops/grafana/dashboards/colloquy.json) asks only for meters the
 * service exports: the service is made to produce a turn, a streamed turn, a handoff, a budget crossing and a
 * cost anomaly, then every PromQL query's metric names (with the standard suffixes a family's series carry) and
 * the labels it selects and groups by are looked up in /actuator/prometheus. No Grafana runs here: this is
 * what stands in for rendering the dashboard.
 */
class DashboardIntegrationTest extends ServiceTestBase {

    static final Path DASHBOARD = Path.of("ops/grafana/dashboards/colloquy.json");
    private static final List<String> SUFFIXES = List.of("_bucket", "_count", "_sum", "_total", "_max");
    /** Labels Prometheus adds when it scrapes: not in the service's own exposition. */
    private static final Set<String> SCRAPE_LABELS = Set.of("instance", "job");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan");
    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern SELECTOR = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\s*\\{([^}]*)}");
    private static final Pattern MATCHER_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern SERIES = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s");
    private static final Pattern SERIES_LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"(?:[^\"\\\\]|\\\\.)*\"");

    @Autowired
    UsageLedger ledger;

    @Test
    void everyQueryOfTheDashboardNamesMetricsAndLabelsTheServiceExports() throws IOException {
        produceWhatTheDashboardShows();
        Exposition exported = new Exposition(management.get("/actuator/prometheus", null).text());

        List<String> queries = queries();
        assertThat(queries).hasSizeGreaterThan(20);
        Set<String> used = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        for (String query : queries) {
            Set<String> names = metricNames(query);
            assertThat(names).as("metrics in %s", query).isNotEmpty();
            used.addAll(names);
            for (String name : names) {
                if (!exported.has(name)) {
                    problems.add("no metric " + name + " in: " + query);
                }
            }
            String text = STRING.matcher(query).replaceAll("\"\"");
            Matcher selector = SELECTOR.matcher(text);
            while (selector.find()) {
                Matcher label = MATCHER_LABEL.matcher(selector.group(2));
                while (label.find()) {
                    if (!exported.labels(selector.group(1)).contains(label.group(1))) {
                        problems.add("no label " + label.group(1) + " on " + selector.group(1) + " in: " + query);
                    }
                }
            }
            Matcher grouping = GROUPING.matcher(text);
            while (grouping.find()) {
                for (String label : grouping.group(2).split(",")) {
                    String l = label.strip();
                    if (!l.isEmpty() && !SCRAPE_LABELS.contains(l)
                            && names.stream().noneMatch(n -> exported.labels(n).contains(l))) {
                        problems.add("no metric of the query has label " + l + ": " + query);
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
        assertThat(used).as("what the dashboard must show").contains("http_server_requests_seconds_count",
                "http_server_requests_seconds_bucket", "colloquy_llm_calls_total", "resilience4j_circuitbreaker_state",
                "colloquy_handoffs_pending", "colloquy_handoffs_oldest_wait_seconds", "colloquy_jobs_queued",
                "colloquy_llm_cost_usd_total", "colloquy_budget_used_ratio", "colloquy_cost_anomalies_total",
                "colloquy_events_streams");

        JsonNode variable = dashboard().get("templating").get("list").get(0);
        assertThat(variable.get("definition").asString()).isEqualTo("label_values(colloquy_llm_calls_total, tenant)");
        assertThat(exported.labels("colloquy_llm_calls_total")).contains("tenant");
    }

    @Test
    void theMetricNameReaderSkipsFunctionsLabelsRangesAndVariables() {
        assertThat(metricNames("histogram_quantile(0.95, sum by (le) (rate(http_server_requests_seconds_bucket"
                + "{method=\"POST\", uri=\"/api/v1/conversations/{conversationId}/messages\"}[$__rate_interval])))"))
                .containsExactly("http_server_requests_seconds_bucket");
        assertThat(metricNames("max by (name) (a_state{state=~\"open|forced_open\"}) * 2 + max by (name) (b_state)"))
                .containsExactly("a_state", "b_state");
        assertThat(metricNames("sum by (tenant) (rate(x_total{tenant=~\"$tenant\"}[5m])) * 3600 or vector(0)"))
                .containsExactly("x_total");
        Exposition exposition = new Exposition("""
                # TYPE t_seconds histogram
                t_seconds_bucket{le="0.1",uri="/a"} 1
                t_seconds_count{uri="/a"} 1
                # TYPE c_total counter
                c_total{tenant="x"} 2
                """);
        assertThat(exposition.has("t_seconds_bucket")).isTrue();
        assertThat(exposition.has("t_seconds_sum")).as("a suffix of an exported family").isTrue();
        assertThat(exposition.has("c_total")).isTrue();
        assertThat(exposition.has("c")).isFalse();
        assertThat(exposition.labels("t_seconds_bucket")).containsExactlyInAnyOrder("le", "uri");
    }

    @Test
    void theDashboardIsWellFormedForGrafana() throws IOException {
        JsonNode dashboard = dashboard();
        assertThat(dashboard.get("uid").asString()).isEqualTo("colloquy");
        assertThat(dashboard.get("title").asString()).isEqualTo("Colloquy");
        assertThat(dashboard.get("schemaVersion").asInt()).isGreaterThanOrEqualTo(36);
        String datasource = ContainerFilesTest.provisionedDatasourceUid();
        Set<Integer> ids = new HashSet<>();
        Map<Integer, List<int[]>> cellsByRow = new HashMap<>();
        for (JsonNode panel : dashboard.get("panels")) {
            assertThat(ids.add(panel.get("id").asInt())).as("panel ids are unique").isTrue();
            JsonNode grid = panel.get("gridPos");
            int x = grid.get("x").asInt();
            int w = grid.get("w").asInt();
            assertThat(x + w).as("panel %s fits the 24 columns", panel.get("title")).isLessThanOrEqualTo(24);
            for (int[] other : cellsByRow.computeIfAbsent(grid.get("y").asInt(), y -> new ArrayList<>())) {
                assertThat(x >= other[0] + other[1] || x + w <= other[0]).as("panel %s overlaps another",
                        panel.get("title")).isTrue();
            }
            cellsByRow.get(grid.get("y").asInt()).add(new int[] {x, w});
            if (panel.get("type").asString().equals("row")) {
                continue;
            }
            assertThat(panel.get("title").asString()).isNotBlank();
            assertThat(panel.get("description").asString()).isNotBlank();
            assertThat(panel.get("datasource").get("uid").asString()).isEqualTo(datasource);
            Set<String> refs = new HashSet<>();
            for (JsonNode target : panel.get("targets")) {
                assertThat(refs.add(target.get("refId").asString())).isTrue();
                assertThat(target.get("datasource").get("uid").asString()).isEqualTo(datasource);
                assertThat(target.get("expr").asString()).isNotBlank();
            }
            assertThat(refs).as("queries of %s", panel.get("title")).isNotEmpty();
        }
    }

    // ---- producing what the dashboard shows

    private void produceWhatTheDashboardShows() {
        // a turn, a streamed turn, a budget crossed (the ratio gauge and the alerts), a handoff
        // room for a call or two; the first crosses the low soft threshold (an alert), then the hard cap holds
        var tenant = fixtures.tenant(Map.of("monthlyBudgetUsd", "0.001", "softBudgetRatio", "0.05",
                "hardLimitAction", "HANDOFF"));
        UUID conversation = fixtures.conversation(tenant);
        fixtures.say(tenant, conversation, "Where is my order A-12345?");
        var streamed = http.post("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey(),
                Map.of("content", "And the refund?"), Map.of("Accept", "text/event-stream"));
        assertThat(streamed.status()).isEqualTo(200);
        UUID other = fixtures.conversation(tenant);
        assertThat(fixtures.say(tenant, other, "Can I talk to a human please?").get("handoff").isNull()).isFalse();

        // a day's spend far above the days before it: a cost anomaly
        var spiky = fixtures.tenant();
        String model = "dashboard-model-" + UUID.randomUUID();
        var price = http.post("/api/v1/model-prices", Fixtures.ADMIN_KEY, Map.of("provider", "test", "model", model,
                "inputUsdPerMillion", "100", "outputUsdPerMillion", "100", "effectiveFrom", "2024-01-01T00:00:00Z"));
        assertThat(price.status()).as(price.text()).isEqualTo(201);
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        for (int day = 5; day >= 1; day--) {
            record(spiky.id(), model, now.minus(Duration.ofDays(day)), 2000);   // $0.20 a day
        }
        record(spiky.id(), model, now, 30_000);   // $3.00 today

        // the queue gauges are refreshed from the database on a schedule
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                management.get("/actuator/prometheus", null).text()
                        .contains("colloquy_handoffs_pending{application=\"colloquy\",tenant=\"" + tenant.id() + "\"}"));
    }

    private void record(UUID tenant, String model, Instant at, int promptTokens) {
        ledger.record(new ModelCall(UUID.randomUUID(), at, TenantId.of(tenant), ConversationId.of(UUID.randomUUID()),
                CallPurpose.CHAT, "test", "test", model, 1, CallOutcome.SUCCESS, null, null, promptTokens, 0, 0, false,
                Duration.ofMillis(100), null));
    }

    // ---- reading the dashboard and the exposition

    static JsonNode dashboard() throws IOException {
        return JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
    }

    static List<String> queries() throws IOException {
        List<String> queries = new ArrayList<>();
        for (JsonNode panel : dashboard().get("panels")) {
            for (JsonNode target : panel.path("targets")) {
                queries.add(target.get("expr").asString());
            }
        }
        return queries;
    }

    /** The metric names a PromQL query reads: identifiers that are not functions, keywords or label names. */
    static Set<String> metricNames(String query) {
        String text = STRING.matcher(query).replaceAll("\"\"");
        text = text.replaceAll("\\[[^]]*]", " ").replaceAll("\\{[^}]*}", " ");
        text = GROUPING.matcher(text).replaceAll(" ");
        Set<String> names = new LinkedHashSet<>();
        Matcher id = IDENTIFIER.matcher(text);
        while (id.find()) {
            int next = id.end();
            while (next < text.length() && Character.isWhitespace(text.charAt(next))) {
                next++;
            }
            boolean function = next < text.length() && text.charAt(next) == '(';
            boolean number = id.start() > 0 && (Character.isDigit(text.charAt(id.start() - 1))
                    || text.charAt(id.start() - 1) == '.');
            if (!function && !number && !KEYWORDS.contains(id.group().toLowerCase())) {
                names.add(id.group());
            }
        }
        return names;
    }

    /** What /actuator/prometheus exports: series names with their labels, and the families' declared names. */
    static final class Exposition {
        private final Map<String, Set<String>> labels = new HashMap<>();
        private final Set<String> families = new HashSet<>();

        Exposition(String text) {
            for (String line : text.split("\n")) {
                if (line.startsWith("# TYPE ")) {
                    families.add(line.split(" ")[2]);
                    continue;
                }
                Matcher series = SERIES.matcher(line);
                if (line.startsWith("#") || !series.find()) {
                    continue;
                }
                Set<String> names = labels.computeIfAbsent(series.group(1), n -> new HashSet<>());
                if (series.group(3) != null) {
                    Matcher label = SERIES_LABEL.matcher(series.group(3));
                    while (label.find()) {
                        names.add(label.group(1));
                    }
                }
            }
        }

        boolean has(String name) {
            return labels.containsKey(name) || SUFFIXES.stream()
                    .anyMatch(s -> name.endsWith(s) && families.contains(name.substring(0, name.length() - s.length())));
        }

        Set<String> labels(String name) {
            Set<String> found = new HashSet<>(labels.getOrDefault(name, Set.of()));
            for (String s : SUFFIXES) {
                if (name.endsWith(s)) {
                    String family = name.substring(0, name.length() - s.length());
                    labels.forEach((series, l) -> {
                        if (series.startsWith(family)) {
                            found.addAll(l);
                        }
                    });
                }
            }
            return found;
        }
    }
}
