package io.colloquy.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.colloquy.shared.ConversationId;
import io.colloquy.shared.TenantId;
import io.colloquy.support.Fixtures;
import io.colloquy.support.ServiceTestBase;
import tools.jackson.databind.JsonNode;

/**
 * Cost attribution end to end: calls are recorded through the ledger (with the moment they happened,
 * so months and price changes can be placed), and read back through the finance API.
 */
class CostReportIntegrationTest extends ServiceTestBase {

    @Autowired
    UsageLedger ledger;

    @Autowired
    DailyRollupFold fold;

    String platformFinance;

    @BeforeEach
    void setUp() {
        platformFinance = fixtures.platformKey("FINANCE");
    }

    @Test
    void aPriceChangeMidMonthSplitsTheMonthsCost() {
        var tenant = fixtures.tenant();
        String model = "test-model-" + UUID.randomUUID();
        price(model, "1", "0.5", "2", "2026-03-01T00:00:00Z");
        price(model, "3", null, "6", "2026-03-15T00:00:00Z");
        record(tenant, null, model, Instant.parse("2026-03-10T12:00:00Z"), 1000, 0, 200);
        record(tenant, null, model, Instant.parse("2026-03-20T12:00:00Z"), 1000, 0, 200);
        record(tenant, null, model, Instant.parse("2026-04-01T00:00:01Z"), 1000, 0, 200);

        JsonNode report = monthly(tenant, tenant.financeKey(), "2026-03");

        // before: (1000 x 1 + 200 x 2) / 1e6 = 0.0014; after: (1000 x 3 + 200 x 6) / 1e6 = 0.0042
        assertThat(new BigDecimal(report.get("costUsd").asString())).isEqualByComparingTo("0.0056");
        assertThat(report.get("calls").asLong()).isEqualTo(2);
        Map<String, String> byDay = new HashMap<>();
        report.get("byDay").forEach(d -> byDay.put(d.get("key").asString(), d.get("costUsd").asString()));
        assertThat(new BigDecimal(byDay.get("2026-03-10"))).isEqualByComparingTo("0.0014");
        assertThat(new BigDecimal(byDay.get("2026-03-20"))).isEqualByComparingTo("0.0042");
        assertThat(new BigDecimal(monthly(tenant, tenant.financeKey(), "2026-04").get("costUsd").asString()))
                .isEqualByComparingTo("0.0042");
    }

    @Test
    void reportTotalsEqualTheLedgersSumForTheMonth() {
        var tenant = fixtures.tenant();
        UUID conversation = fixtures.conversation(tenant);
        for (int i = 0; i < 5; i++) {
            fixtures.say(tenant, conversation, "Turn " + i + ": where is my order B-77" + i + "?");
        }
        String model = "test-model-" + UUID.randomUUID();
        price(model, "0.5", "0.25", "1.5", "2024-01-01T00:00:00Z");
        record(tenant, UUID.randomUUID(), model, Instant.now(), 5000, 1000, 300);
        record(tenant, UUID.randomUUID(), "model-without-price", Instant.now(), 800, 0, 40);

        String month = YearMonth.now(ZoneOffset.UTC).toString();
        JsonNode report = monthly(tenant, tenant.financeKey(), month);
        var ledgerSum = jdbc.sql("""
                        SELECT count(*) AS calls, sum(prompt_tokens) AS prompt, sum(cached_prompt_tokens) AS cached,
                               sum(completion_tokens) AS completion, sum(cost_usd) AS cost, count(*) FILTER (WHERE NOT priced) AS unpriced
                        FROM usage_ledger WHERE tenant_id = :t AND occurred_at >= :from AND occurred_at < :to""")
                .param("t", tenant.id())
                .param("from", java.sql.Timestamp.from(YearMonth.parse(month).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()))
                .param("to", java.sql.Timestamp.from(YearMonth.parse(month).plusMonths(1).atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant()))
                .query().singleRow();

        assertThat(report.get("calls").asLong()).isEqualTo(((Number) ledgerSum.get("calls")).longValue()).isEqualTo(7);
        assertThat(report.get("promptTokens").asLong()).isEqualTo(((Number) ledgerSum.get("prompt")).longValue());
        assertThat(report.get("cachedPromptTokens").asLong()).isEqualTo(((Number) ledgerSum.get("cached")).longValue());
        assertThat(report.get("completionTokens").asLong()).isEqualTo(((Number) ledgerSum.get("completion")).longValue());
        assertThat(new BigDecimal(report.get("costUsd").asString())).isEqualByComparingTo((BigDecimal) ledgerSum.get("cost"));
        assertThat(report.get("unpricedCalls").asLong()).isEqualTo(1);
        assertThat(report.get("byPurpose").get(0).get("key").asString()).isEqualTo("CHAT");
        assertThat(report.get("topConversations").get(0).get("conversationId")).isNotNull();
        BigDecimal sumOfModels = BigDecimal.ZERO;
        for (JsonNode m : report.get("byModel")) {
            sumOfModels = sumOfModels.add(new BigDecimal(m.get("costUsd").asString()));
        }
        assertThat(sumOfModels).isEqualByComparingTo(new BigDecimal(report.get("costUsd").asString()));

        var costs = http.get("/api/v1/conversations/" + conversation + "/costs", tenant.financeKey());
        assertThat(costs.status()).isEqualTo(200);
        assertThat(costs.body().get("calls")).hasSize(5);
        assertThat(costs.body().get("callCount").asInt()).isEqualTo(5);
    }

    @Test
    void theCsvParsesAndMatchesTheJson() {
        var tenant = fixtures.tenant();
        String model = "test,model \"quoted\"-" + UUID.randomUUID();
        price(model, "1.25", null, "10", "2024-01-01T00:00:00Z");
        record(tenant, UUID.randomUUID(), model, Instant.parse("2026-02-03T10:00:00Z"), 1200, 0, 80);
        record(tenant, UUID.randomUUID(), model, Instant.parse("2026-02-04T10:00:00Z"), 700, 0, 30);
        JsonNode json = monthly(tenant, tenant.financeKey(), "2026-02");

        var csv = http.get("/api/v1/costs/monthly/" + tenant.id() + "?month=2026-02", tenant.financeKey(),
                Map.of("Accept", "text/csv"));
        assertThat(csv.status()).isEqualTo(200);
        assertThat(csv.contentType()).startsWith("text/csv");
        List<List<String>> rows = parseCsv(csv.text());
        assertThat(rows.getFirst()).containsExactly("section", "key", "calls", "failed_calls", "unpriced_calls",
                "prompt_tokens", "cached_prompt_tokens", "completion_tokens", "cost_usd");
        List<String> total = rows.get(1);
        assertThat(total.get(0)).isEqualTo("total");
        assertThat(Long.parseLong(total.get(2))).isEqualTo(json.get("calls").asLong());
        assertThat(Long.parseLong(total.get(5))).isEqualTo(json.get("promptTokens").asLong());
        assertThat(new BigDecimal(total.get(8))).isEqualByComparingTo(new BigDecimal(json.get("costUsd").asString()));
        List<String> modelRow = rows.stream().filter(r -> r.getFirst().equals("model")).findFirst().orElseThrow();
        assertThat(modelRow.get(1)).isEqualTo(model);
        assertThat(new BigDecimal(modelRow.get(8)))
                .isEqualByComparingTo(new BigDecimal(json.get("byModel").get(0).get("costUsd").asString()));
        assertThat(rows.stream().filter(r -> r.getFirst().equals("day"))).hasSize(json.get("byDay").size());
        assertThat(rows.stream().filter(r -> r.getFirst().equals("conversation"))).hasSize(2);
    }

    @Test
    void theAllTenantsCsvHasTheJsonsRowsWithBudgetUseAndAnomalies() {
        // a month of its own, so the other tests' calls do not move this one's figures
        String month = "2025-07";
        var created = http.post("/api/v1/tenants", Fixtures.ADMIN_KEY, Map.of("name", "=Acme, \"Intl\" " + UUID.randomUUID(),
                "settings", Map.of("monthlyBudgetUsd", "10")));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        UUID budgeted = UUID.fromString(created.body().get("id").asString());
        var tenant = fixtures.tenant();
        String model = "test-model-" + UUID.randomUUID();
        price(model, "100", null, "100", "2024-01-01T00:00:00Z");
        for (int day = 1; day <= 5; day++) {
            record(budgeted, UUID.randomUUID(), model, Instant.parse("2025-07-0" + day + "T10:00:00Z"), 2000, 0, 0,
                    CallOutcome.SUCCESS);   // $0.20 a day
        }
        record(budgeted, UUID.randomUUID(), model, Instant.parse("2025-07-06T10:00:00Z"), 30_000, 0, 0,
                CallOutcome.SUCCESS);   // $3.00: a spike
        record(budgeted, UUID.randomUUID(), model, Instant.parse("2025-07-06T11:00:00Z"), 100, 0, 0,
                CallOutcome.SERVER_ERROR);
        record(tenant.id(), UUID.randomUUID(), "model-without-price", Instant.parse("2025-07-09T10:00:00Z"), 800, 100, 40,
                CallOutcome.SUCCESS);

        JsonNode json = http.get("/api/v1/costs/monthly?month=" + month, platformFinance).body();
        var response = http.get("/api/v1/costs/monthly?month=" + month, platformFinance, Map.of("Accept", "text/csv"));

        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("text/csv");
        assertThat(response.header("Content-Disposition")).contains("costs-2025-07.csv");
        List<List<String>> rows = parseCsv(response.text());
        assertThat(rows.getFirst()).containsExactly("section", "month", "tenant_id", "name", "calls", "failed_calls",
                "unpriced_calls", "prompt_tokens", "cached_prompt_tokens", "completion_tokens", "cost_usd",
                "monthly_budget_usd", "budget_used_ratio", "anomalies");
        assertThat(rows).allSatisfy(r -> assertThat(r).hasSize(14));
        Map<String, List<String>> byTenant = new HashMap<>();
        rows.stream().filter(r -> r.getFirst().equals("tenant")).forEach(r -> byTenant.put(r.get(2), r));
        assertThat(byTenant).hasSameSizeAs(json.get("tenants").valueStream().toList());
        for (JsonNode t : json.get("tenants")) {
            List<String> row = byTenant.get(t.get("tenantId").asString());
            assertThat(row).as("tenant %s", t.get("tenantId")).isNotNull();
            assertThat(row.get(1)).isEqualTo(month);
            String name = t.get("name").asString();
            assertThat(row.get(3)).as("the name, with a leading formula character neutralised")
                    .isEqualTo("=+-@".indexOf(name.charAt(0)) >= 0 ? "'" + name : name);
            assertThat(row.subList(4, 10)).containsExactly(t.get("calls").asString(), t.get("failedCalls").asString(),
                    t.get("unpricedCalls").asString(), t.get("promptTokens").asString(),
                    t.get("cachedPromptTokens").asString(), t.get("completionTokens").asString());
            assertThat(new BigDecimal(row.get(10))).isEqualByComparingTo(new BigDecimal(t.get("costUsd").asString()));
            assertSameDecimal(row.get(11), t.get("monthlyBudgetUsd"));
            assertSameDecimal(row.get(12), t.get("budgetUsedRatio"));
            assertThat(row.get(13)).isEqualTo(t.get("anomalies").asString());
        }
        List<String> mine = byTenant.get(budgeted.toString());
        assertThat(mine.get(3)).as("the name, quoted and read back whole").startsWith("'=Acme, \"Intl\" ");
        assertThat(mine.subList(4, 7)).containsExactly("7", "1", "0");
        assertThat(new BigDecimal(mine.get(10))).isEqualByComparingTo("4.01");
        assertThat(new BigDecimal(mine.get(11))).isEqualByComparingTo("10");
        assertThat(new BigDecimal(mine.get(12))).isEqualByComparingTo("0.401");
        assertThat(mine.get(13)).as("the day's spike").isEqualTo("1");
        assertThat(byTenant.get(tenant.id().toString()).subList(4, 10)).containsExactly("1", "0", "1", "800", "100", "40");
        assertThat(byTenant.get(tenant.id().toString()).subList(11, 13)).containsExactly("", "");

        List<String> total = rows.getLast();
        assertThat(total.subList(0, 4)).containsExactly("total", month, "", "");
        assertThat(new BigDecimal(total.get(10))).isEqualByComparingTo(new BigDecimal(json.get("totalCostUsd").asString()));
        assertThat(Long.parseLong(total.get(4)))
                .isEqualTo(json.get("tenants").valueStream().mapToLong(t -> t.get("calls").asLong()).sum());
        assertThat(Long.parseLong(total.get(13)))
                .isEqualTo(json.get("tenants").valueStream().mapToLong(t -> t.get("anomalies").asLong()).sum());

        var own = parseCsv(http.get("/api/v1/costs/monthly?month=" + month, tenant.financeKey(),
                Map.of("Accept", "text/csv")).text());
        assertThat(own).as("a tenant's finance key: its own row and the total").hasSize(3);
        assertThat(own.get(1).get(2)).isEqualTo(tenant.id().toString());
    }

    @Test
    void conversationRowsCountTheirFailedAndUnpricedCallsAndCachedTokens() {
        var tenant = fixtures.tenant();
        String model = "test-model-" + UUID.randomUUID();
        price(model, "1", "0.5", "2", "2024-01-01T00:00:00Z");
        UUID conversation = UUID.randomUUID();
        Instant at = Instant.parse("2025-08-05T10:00:00Z");
        record(tenant.id(), conversation, model, at, 1000, 400, 100, CallOutcome.SUCCESS);
        record(tenant.id(), conversation, model, at.plusSeconds(1), 1000, 0, 0, CallOutcome.TIMEOUT);
        record(tenant.id(), conversation, model, at.plusSeconds(2), 1000, 0, 0, CallOutcome.RATE_LIMITED);
        record(tenant.id(), conversation, "model-without-price", at.plusSeconds(3), 500, 100, 50, CallOutcome.SUCCESS);

        JsonNode top = monthly(tenant, tenant.financeKey(), "2025-08").get("topConversations").get(0);

        assertThat(top.get("conversationId").asString()).isEqualTo(conversation.toString());
        assertThat(top.get("calls").asLong()).isEqualTo(4);
        assertThat(top.get("failedCalls").asLong()).isEqualTo(2);
        assertThat(top.get("unpricedCalls").asLong()).isEqualTo(1);
        assertThat(top.get("promptTokens").asLong()).isEqualTo(3500);
        assertThat(top.get("cachedPromptTokens").asLong()).isEqualTo(500);
        assertThat(top.get("completionTokens").asLong()).isEqualTo(150);
        var csv = parseCsv(http.get("/api/v1/costs/monthly/" + tenant.id() + "?month=2025-08", tenant.financeKey(),
                Map.of("Accept", "text/csv")).text());
        List<String> row = csv.stream().filter(r -> r.getFirst().equals("conversation")).findFirst().orElseThrow();
        assertThat(row.subList(1, 8)).containsExactly(conversation.toString(), "4", "2", "1", "3500", "500", "150");
        assertThat(new BigDecimal(row.get(8))).isEqualByComparingTo(new BigDecimal(top.get("costUsd").asString()));
        List<String> total = csv.get(1);
        assertThat(total.subList(2, 5)).as("the conversation's counts agree with the month's")
                .containsExactly("4", "2", "1");
    }

    @Test
    void aTenantsFinanceKeyReadsOnlyItsOwnTenant() {
        var mine = fixtures.tenant();
        var theirs = fixtures.tenant();
        UUID theirConversation = fixtures.conversation(theirs);
        fixtures.say(theirs, theirConversation, "hello");

        assertThat(http.get("/api/v1/costs/monthly/" + theirs.id(), mine.financeKey()).status()).isEqualTo(404);
        assertThat(http.get("/api/v1/costs/monthly/" + theirs.id(), mine.financeKey(), Map.of("Accept", "text/csv"))
                .status()).isEqualTo(404);
        assertThat(http.get("/api/v1/conversations/" + theirConversation + "/costs", mine.financeKey()).status())
                .isEqualTo(404);
        var own = http.get("/api/v1/costs/monthly", mine.financeKey()).body();
        assertThat(own.get("tenants")).hasSize(1);
        assertThat(own.get("tenants").get(0).get("tenantId").asString()).isEqualTo(mine.id().toString());

        var all = http.get("/api/v1/costs/monthly", platformFinance).body();
        List<String> ids = new ArrayList<>();
        all.get("tenants").forEach(t -> ids.add(t.get("tenantId").asString()));
        assertThat(ids).contains(mine.id().toString(), theirs.id().toString());
        assertThat(http.get("/api/v1/costs/monthly/" + theirs.id(), platformFinance).status()).isEqualTo(200);
        assertThat(http.get("/api/v1/conversations/" + theirConversation + "/costs?tenantId=" + theirs.id(),
                platformFinance).status()).isEqualTo(200);
        assertThat(http.get("/api/v1/costs/monthly", mine.chatKey()).status()).isEqualTo(403);
        assertThat(http.get("/api/v1/costs/monthly?month=11-2026", platformFinance).status()).isEqualTo(400);
    }

    @Test
    void theSoftThresholdIsFlaggedAndTheHardLimitRejectsNewTurns() {
        var tenant = fixtures.tenant(Map.of("monthlyBudgetUsd", "0.01", "softBudgetRatio", 0.5, "hardLimitAction", "REJECT"));
        String model = "test-model-" + UUID.randomUUID();
        price(model, "1", null, "1", "2024-01-01T00:00:00Z");
        record(tenant, UUID.randomUUID(), model, Instant.now(), 6000, 0, 0);   // $0.006: past the soft 50 %

        JsonNode budget = monthly(tenant, tenant.financeKey(), null).get("budget");
        assertThat(budget.get("softThresholdReached").asBoolean()).isTrue();
        assertThat(budget.get("hardLimitReached").asBoolean()).isFalse();
        assertThat(budget.get("alerts").get(0).get("level").asString()).isEqualTo("SOFT");
        assertThat(new BigDecimal(budget.get("usedRatio").asString())).isEqualByComparingTo("0.6");
        UUID conversation = fixtures.conversation(tenant);
        assertThat(fixtures.say(tenant, conversation, "still allowed").get("status").asString()).isEqualTo("BOT");
        assertThat(management.get("/actuator/prometheus", null).text())
                .contains("colloquy_budget_alerts_total{application=\"colloquy\",level=\"SOFT\",tenant=\"" + tenant.id() + "\"}")
                .contains("colloquy_budget_used_ratio{application=\"colloquy\",tenant=\"" + tenant.id() + "\"}");

        record(tenant, UUID.randomUUID(), model, Instant.now(), 5000, 0, 0);   // the call that crosses is recorded
        long calls = countCalls(tenant);
        var refused = http.post("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey(),
                Map.of("content", "one more question"));

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.body().get("type").asString()).endsWith("/budget-exhausted");
        assertThat(Long.parseLong(refused.header("Retry-After"))).isPositive();
        assertThat(countCalls(tenant)).isEqualTo(calls);
        JsonNode hard = monthly(tenant, tenant.financeKey(), null).get("budget");
        assertThat(hard.get("hardLimitReached").asBoolean()).isTrue();
        assertThat(hard.get("alerts")).hasSize(2);
        assertThat(http.get("/api/v1/conversations/" + conversation + "/messages", tenant.chatKey()).body()
                .get("messages")).as("the refused message was not stored").hasSize(2);
    }

    @Test
    void aDayFarAboveTheRecentAverageIsFlaggedAsItHappens() {
        var tenant = fixtures.tenant();
        String model = "test-model-" + UUID.randomUUID();
        price(model, "100", null, "100", "2024-01-01T00:00:00Z");
        Instant now = Instant.now();
        for (int day = 5; day >= 1; day--) {
            record(tenant, UUID.randomUUID(), model, now.minus(Duration.ofDays(day)), 2000, 0, 0);   // $0.20 a day
        }
        assertThat(anomalies(tenant)).isEmpty();

        record(tenant, UUID.randomUUID(), model, now, 30_000, 0, 0);   // $3.00 today

        List<JsonNode> found = anomalies(tenant);
        assertThat(found).hasSize(1);
        assertThat(found.getFirst().get("kind").asString()).isEqualTo("DAILY_SPEND_SPIKE");
        assertThat(found.getFirst().get("subject").asString()).isEqualTo(LocalDate.ofInstant(now, ZoneOffset.UTC).toString());
        assertThat(new BigDecimal(found.getFirst().get("baselineUsd").asString())).isEqualByComparingTo("0.2");
        assertThat(management.get("/actuator/prometheus", null).text())
                .contains("colloquy_cost_anomalies_total{application=\"colloquy\",kind=\"DAILY_SPEND_SPIKE\",tenant=\"" + tenant.id() + "\"}");
    }

    @Test
    void aConversationFarAboveTheTenantsTypicalConversationIsFlagged() {
        var tenant = fixtures.tenant();
        String model = "test-model-" + UUID.randomUUID();
        price(model, "10", null, "10", "2024-01-01T00:00:00Z");
        Instant now = Instant.now();
        for (int i = 0; i < 20; i++) {
            record(tenant, UUID.randomUUID(), model, now, 2000, 0, 0);   // $0.02 each
        }
        UUID expensive = UUID.randomUUID();
        record(tenant, expensive, model, now, 5_000, 0, 0);   // $0.05: under the $0.10 floor
        assertThat(anomalies(tenant)).isEmpty();
        record(tenant, expensive, model, now, 105_000, 0, 0);   // $1.10 in all: 55 times the median

        List<JsonNode> found = anomalies(tenant);
        assertThat(found).extracting(a -> a.get("kind").asString()).containsExactly("CONVERSATION_COST_OUTLIER");
        assertThat(found.getFirst().get("subject").asString()).isEqualTo(expensive.toString());
        assertThat(new BigDecimal(found.getFirst().get("observedUsd").asString())).isEqualByComparingTo("1.1");
    }

    @Test
    void pricesAreAddedByThePlatformAdminAndNeverChanged() {
        String model = "test-model-" + UUID.randomUUID();
        var created = http.post("/api/v1/model-prices", Fixtures.ADMIN_KEY, Map.of("provider", "openai", "model", model,
                "inputUsdPerMillion", "0.40", "outputUsdPerMillion", "1.60", "effectiveFrom", "2026-01-01T00:00:00Z"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().get("inputUsdPerMillion").asString()).isEqualTo("0.4");
        assertThat(http.post("/api/v1/model-prices", Fixtures.ADMIN_KEY, Map.of("provider", "openai", "model", model,
                "inputUsdPerMillion", "0.50", "outputUsdPerMillion", "1.60", "effectiveFrom", "2026-01-01T00:00:00Z"))
                .status()).isEqualTo(409);
        assertThat(http.post("/api/v1/model-prices", Fixtures.ADMIN_KEY, Map.of("provider", "openai", "model", model,
                "inputUsdPerMillion", "-1", "outputUsdPerMillion", "1")).status()).isEqualTo(400);
        assertThat(http.post("/api/v1/model-prices", Fixtures.ADMIN_KEY, Map.of("provider", "openai", "model", model,
                "inputUsdPerMillion", "0.1234567", "outputUsdPerMillion", "1")).status()).isEqualTo(400);
        assertThat(http.post("/api/v1/model-prices", platformFinance, Map.of("provider", "openai", "model", model,
                "inputUsdPerMillion", "1", "outputUsdPerMillion", "1")).status()).isEqualTo(403);
        var listed = http.get("/api/v1/model-prices", platformFinance);
        assertThat(listed.status()).isEqualTo(200);
        assertThat(listed.text()).contains(model, "gpt-4o-mini");
    }

    // ---- helpers

    /**
     * A day's roll-up is spread over shards while calls are written to it; once the day is over its shards are
     * summed into one row, and the report reads the same figures before and after.
     */
    @Test
    void pastDaysShardsAreFoldedIntoOneRowWithTheReportUnchanged() {
        var tenant = fixtures.tenant();
        String model = "test-model-" + UUID.randomUUID();
        price(model, "1", null, "2", "2026-05-01T00:00:00Z");
        for (int i = 0; i < 40; i++) {
            record(tenant, null, model, Instant.parse("2026-05-10T12:00:00Z").plusSeconds(i), 1000 + i, 0, 100);
            record(tenant, null, model, Instant.parse("2026-05-11T12:00:00Z").plusSeconds(i), 500, 0, 50 + i);
        }
        assertThat(shardRows(tenant, "2026-05-10")).as("40 calls with random ids land on several shards")
                .isGreaterThan(1);
        JsonNode before = monthly(tenant, tenant.financeKey(), "2026-05");

        assertThat(fold.foldBefore(java.time.LocalDate.parse("2026-05-11"))).isGreaterThan(0);

        assertThat(shardRows(tenant, "2026-05-10")).as("the past day is one row").isEqualTo(1);
        assertThat(shardRows(tenant, "2026-05-11")).as("the day still being written keeps its shards")
                .isGreaterThan(1);
        JsonNode after = monthly(tenant, tenant.financeKey(), "2026-05");
        for (String field : List.of("calls", "costUsd", "promptTokens", "completionTokens", "byDay", "byModel")) {
            assertThat(after.get(field)).as(field).isEqualTo(before.get(field));
        }
        assertThat(after.get("calls").asLong()).isEqualTo(80);
        assertThat(fold.foldBefore(java.time.LocalDate.parse("2026-05-11"))).as("folding again changes nothing")
                .isZero();
    }

    private long shardRows(Fixtures.Tenant tenant, String day) {
        return jdbc.sql("SELECT count(*) FROM usage_daily WHERE tenant_id = :t AND day = :day::date")
                .param("t", tenant.id()).param("day", day).query(Long.class).single();
    }

    private void price(String model, String input, String cached, String output, String effectiveFrom) {
        Map<String, Object> body = new HashMap<>(Map.of("provider", "test", "model", model, "inputUsdPerMillion", input,
                "outputUsdPerMillion", output, "effectiveFrom", effectiveFrom));
        if (cached != null) {
            body.put("cachedInputUsdPerMillion", cached);
        }
        var created = http.post("/api/v1/model-prices", Fixtures.ADMIN_KEY, body);
        assertThat(created.status()).as(created.text()).isEqualTo(201);
    }

    private void record(Fixtures.Tenant tenant, UUID conversation, String model, Instant at, int prompt, int cached,
                        int completion) {
        record(tenant.id(), conversation, model, at, prompt, cached, completion, CallOutcome.SUCCESS);
    }

    private void record(UUID tenant, UUID conversation, String model, Instant at, int prompt, int cached,
                        int completion, CallOutcome outcome) {
        ledger.record(new ModelCall(UUID.randomUUID(), at, TenantId.of(tenant),
                conversation == null ? null : ConversationId.of(conversation), CallPurpose.CHAT, "test", "test", model,
                1, outcome, outcome.succeeded() ? null : outcome.name(), null, prompt, cached, completion, false,
                Duration.ofMillis(120), null));
    }

    /** A CSV field holds the JSON's decimal (empty for null). */
    private static void assertSameDecimal(String field, JsonNode json) {
        if (json.isNull()) {
            assertThat(field).isEmpty();
        } else {
            assertThat(new BigDecimal(field)).isEqualByComparingTo(new BigDecimal(json.asString()));
        }
    }

    private JsonNode monthly(Fixtures.Tenant tenant, String key, String month) {
        var response = http.get("/api/v1/costs/monthly/" + tenant.id() + (month == null ? "" : "?month=" + month), key);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        return response.body();
    }

    private List<JsonNode> anomalies(Fixtures.Tenant tenant) {
        List<JsonNode> list = new ArrayList<>();
        monthly(tenant, tenant.financeKey(), null).get("anomalies").forEach(list::add);
        return list;
    }

    private long countCalls(Fixtures.Tenant tenant) {
        return jdbc.sql("SELECT count(*) FROM usage_ledger WHERE tenant_id = :t").param("t", tenant.id())
                .query(Long.class).single();
    }

    /** A small RFC 4180 reader: quoted fields, doubled quotes, CRLF rows. */
    static List<List<String>> parseCsv(String text) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                row.add(field.toString());
                field.setLength(0);
            } else if (c == '\n') {
                row.add(field.toString());
                field.setLength(0);
                rows.add(row);
                row = new ArrayList<>();
            } else if (c != '\r') {
                field.append(c);
            }
        }
        return rows;
    }
}
