package io.colloquy.usage;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.UUID;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.colloquy.shared.InvalidRequestException;
import io.colloquy.shared.NotFoundException;
import io.colloquy.shared.TenantId;
import io.colloquy.tenant.RequiresRole;
import io.colloquy.tenant.Role;
import io.colloquy.tenant.TenantPrincipal;

/**
 * Finance reports. A platform finance key sees every tenant; a tenant's finance key sees its own and
 * gets 404 for any other, exactly as for a tenant that does not exist.
 */
@Tag(name = "Costs", description = "Finance reports: a platform FINANCE key sees every tenant, a tenant's its own")
@RestController
@RequestMapping("/api/v1/costs")
@RequiresRole(Role.FINANCE)
class CostController {

    // each operation has a JSON and a CSV handler; both describe it alike
    static final String ONE_TENANT_DESCRIPTION = "Totals, by model, purpose and day, the top conversations, "
            + "budget use and anomalies. JSON, or CSV with `Accept: text/csv` (a row per total, model, purpose, "
            + "day and top conversation).";
    static final String ALL_TENANTS_DESCRIPTION = "Month `YYYY-MM` (default: this month, UTC). JSON, or CSV with "
            + "`Accept: text/csv`: a row per tenant with its budget use and anomaly count, then a total row. A "
            + "tenant's key sees only its own row.";

    static final MediaType TEXT_CSV = MediaType.parseMediaType("text/csv");

    private final CostReports reports;
    private final Clock clock;

    CostController(CostReports reports, Clock clock) {
        this.reports = reports;
        this.clock = clock;
    }

    @Operation(summary = "Every tenant's totals for a month",
            description = ALL_TENANTS_DESCRIPTION)
    @GetMapping(path = "/monthly", produces = MediaType.APPLICATION_JSON_VALUE)
    CostReport.AllTenants allTenants(@RequestParam(required = false) String month, TenantPrincipal caller) {
        return reports.allTenants(month(month), caller.tenantId());
    }

    /**
     * The same report as CSV: a row per tenant with its budget use and anomaly count (the JSON's fields), then a
     * total row; every row names its month, so months' exports can be concatenated.
     */
    @Operation(summary = "Every tenant's totals for a month",
            description = ALL_TENANTS_DESCRIPTION)
    @GetMapping(path = "/monthly", produces = "text/csv")
    ResponseEntity<String> allTenantsCsv(@RequestParam(required = false) String month, TenantPrincipal caller) {
        CostReport.AllTenants r = reports.allTenants(month(month), caller.tenantId());
        StringBuilder csv = new StringBuilder("section,month,tenant_id,name,calls,failed_calls,unpriced_calls,"
                + "prompt_tokens,cached_prompt_tokens,completion_tokens,cost_usd,monthly_budget_usd,budget_used_ratio,"
                + "anomalies\r\n");
        long calls = 0, failed = 0, unpriced = 0, prompt = 0, cached = 0, completion = 0, anomalies = 0;
        for (var t : r.tenants()) {
            csv.append("tenant,").append(r.month()).append(',').append(t.tenantId()).append(',')
                    .append(escape(t.name()));
            counts(csv, t.calls(), t.failedCalls(), t.unpricedCalls(), t.promptTokens(), t.cachedPromptTokens(),
                    t.completionTokens(), t.costUsd());
            csv.append(',').append(plain(t.monthlyBudgetUsd())).append(',').append(plain(t.budgetUsedRatio()))
                    .append(',').append(t.anomalies()).append("\r\n");
            calls += t.calls();
            failed += t.failedCalls();
            unpriced += t.unpricedCalls();
            prompt += t.promptTokens();
            cached += t.cachedPromptTokens();
            completion += t.completionTokens();
            anomalies += t.anomalies();
        }
        csv.append("total,").append(r.month()).append(",,");
        counts(csv, calls, failed, unpriced, prompt, cached, completion, r.totalCostUsd());
        csv.append(",,,").append(anomalies).append("\r\n");
        return csv(csv, "costs-" + r.month() + ".csv");
    }

    @Operation(summary = "One tenant's month",
            description = ONE_TENANT_DESCRIPTION)
    @GetMapping(path = "/monthly/{tenantId}", produces = MediaType.APPLICATION_JSON_VALUE)
    CostReport.TenantMonth tenant(@PathVariable UUID tenantId, @RequestParam(required = false) String month,
                                  TenantPrincipal caller) {
        return report(tenantId, month, caller);
    }

    /** The same report as CSV, one row per total, model, purpose, day and top conversation. */
    @Operation(summary = "One tenant's month",
            description = ONE_TENANT_DESCRIPTION)
    @GetMapping(path = "/monthly/{tenantId}", produces = "text/csv")
    ResponseEntity<String> tenantCsv(@PathVariable UUID tenantId, @RequestParam(required = false) String month,
                                     TenantPrincipal caller) {
        CostReport.TenantMonth r = report(tenantId, month, caller);
        StringBuilder csv = new StringBuilder(
                "section,key,calls,failed_calls,unpriced_calls,prompt_tokens,cached_prompt_tokens,completion_tokens,cost_usd\r\n");
        row(csv, "total", r.month(), r.calls(), r.failedCalls(), r.unpricedCalls(), r.promptTokens(),
                r.cachedPromptTokens(), r.completionTokens(), r.costUsd());
        for (var l : r.byModel()) {
            row(csv, "model", l);
        }
        for (var l : r.byPurpose()) {
            row(csv, "purpose", l);
        }
        for (var l : r.byDay()) {
            row(csv, "day", l);
        }
        for (var c : r.topConversations()) {
            row(csv, "conversation", c.conversationId().toString(), c.calls(), c.failedCalls(), c.unpricedCalls(),
                    c.promptTokens(), c.cachedPromptTokens(), c.completionTokens(), c.costUsd());
        }
        return csv(csv, "costs-" + tenantId + "-" + r.month() + ".csv");
    }

    private static ResponseEntity<String> csv(StringBuilder csv, String filename) {
        return ResponseEntity.ok()
                .contentType(TEXT_CSV)
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + filename + "\"")
                .body(csv.toString());
    }

    private CostReport.TenantMonth report(UUID tenantId, String month, TenantPrincipal caller) {
        if (!caller.canSee(TenantId.of(tenantId))) {
            throw new NotFoundException("Tenant", tenantId);
        }
        return reports.tenantMonth(TenantId.of(tenantId), month(month));
    }

    private YearMonth month(String month) {
        if (month == null || month.isBlank()) {
            return YearMonth.now(clock.withZone(ZoneOffset.UTC));
        }
        String text = month.strip();
        // four-digit years only: YearMonth also reads "+999999999-12", whose next month does not exist
        if (!text.matches("\\d{4}-\\d{2}")) {
            throw new InvalidRequestException("month must be YYYY-MM (years 0001 to 9999), for example 2026-11");
        }
        try {
            YearMonth parsed = YearMonth.parse(text);
            if (parsed.getYear() < 1) {
                throw new InvalidRequestException("month must be YYYY-MM (years 0001 to 9999), for example 2026-11");
            }
            return parsed;
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException("month must be YYYY-MM (years 0001 to 9999), for example 2026-11");
        }
    }

    private static void row(StringBuilder csv, String section, CostReport.Line l) {
        row(csv, section, l.key(), l.calls(), l.failedCalls(), l.unpricedCalls(), l.promptTokens(),
                l.cachedPromptTokens(), l.completionTokens(), l.costUsd());
    }

    private static void row(StringBuilder csv, String section, String key, long calls, long failed, long unpriced,
                            long prompt, long cached, long completion, BigDecimal cost) {
        csv.append(section).append(',').append(escape(key));
        counts(csv, calls, failed, unpriced, prompt, cached, completion, cost);
        csv.append("\r\n");
    }

    private static void counts(StringBuilder csv, long calls, long failed, long unpriced, long prompt, long cached,
                               long completion, BigDecimal cost) {
        csv.append(',').append(calls).append(',').append(failed).append(',').append(unpriced).append(',')
                .append(prompt).append(',').append(cached).append(',').append(completion).append(',')
                .append(cost.toPlainString());
    }

    /** A decimal without exponent, or an empty field for none (no budget). */
    private static String plain(BigDecimal value) {
        return value == null ? "" : value.toPlainString();
    }

    /** RFC 4180 quoting; a leading formula character is neutralised so spreadsheets do not evaluate it. */
    static String escape(String value) {
        String v = value == null ? "" : value;
        if (!v.isEmpty() && "=+-@".indexOf(v.charAt(0)) >= 0) {
            v = "'" + v;
        }
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
            v = "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }
}
