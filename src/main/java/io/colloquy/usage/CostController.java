package io.colloquy.usage;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.UUID;

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
@RestController
@RequestMapping("/api/v1/costs")
@RequiresRole(Role.FINANCE)
class CostController {

    static final MediaType TEXT_CSV = MediaType.parseMediaType("text/csv");

    private final CostReports reports;
    private final Clock clock;

    CostController(CostReports reports, Clock clock) {
        this.reports = reports;
        this.clock = clock;
    }

    @GetMapping("/monthly")
    CostReport.AllTenants allTenants(@RequestParam(required = false) String month, TenantPrincipal caller) {
        return reports.allTenants(month(month), caller.tenantId());
    }

    @GetMapping(path = "/monthly/{tenantId}", produces = MediaType.APPLICATION_JSON_VALUE)
    CostReport.TenantMonth tenant(@PathVariable UUID tenantId, @RequestParam(required = false) String month,
                                  TenantPrincipal caller) {
        return report(tenantId, month, caller);
    }

    /** The same report as CSV, one row per total, model, purpose, day and top conversation. */
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
            row(csv, "conversation", c.conversationId().toString(), c.calls(), 0, 0, c.promptTokens(), 0,
                    c.completionTokens(), c.costUsd());
        }
        return ResponseEntity.ok()
                .contentType(TEXT_CSV)
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        "attachment; filename=\"costs-" + tenantId + "-" + r.month() + ".csv\"")
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
        try {
            return YearMonth.parse(month.strip());
        } catch (DateTimeParseException e) {
            throw new InvalidRequestException("month must be YYYY-MM, for example 2026-11");
        }
    }

    private static void row(StringBuilder csv, String section, CostReport.Line l) {
        row(csv, section, l.key(), l.calls(), l.failedCalls(), l.unpricedCalls(), l.promptTokens(),
                l.cachedPromptTokens(), l.completionTokens(), l.costUsd());
    }

    private static void row(StringBuilder csv, String section, String key, long calls, long failed, long unpriced,
                            long prompt, long cached, long completion, BigDecimal cost) {
        csv.append(section).append(',').append(escape(key)).append(',').append(calls).append(',').append(failed)
                .append(',').append(unpriced).append(',').append(prompt).append(',').append(cached).append(',')
                .append(completion).append(',').append(cost.toPlainString()).append("\r\n");
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
