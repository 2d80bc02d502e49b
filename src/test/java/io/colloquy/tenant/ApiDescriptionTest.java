package io.colloquy.tenant;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.colloquy.shared.ProblemTypes;
import io.colloquy.support.ServiceTestBase;
import tools.jackson.databind.JsonNode;

/**
 * The OpenAPI description as Swagger UI and client generators read it: keys, the caller never shown as a
 * parameter, a real title and version, a summary for every operation, the problem types, examples that match
 * their schemas.
 */
class ApiDescriptionTest extends ServiceTestBase {

    /** Every operation the API had when the description was reworked: none may go missing. */
    private static final Set<String> OPERATIONS = Set.of(
            "GET /api/v1/tenants", "POST /api/v1/tenants", "GET /api/v1/tenants/{tenantId}",
            "PATCH /api/v1/tenants/{tenantId}", "GET /api/v1/tenants/{tenantId}/api-keys",
            "POST /api/v1/tenants/{tenantId}/api-keys", "GET /api/v1/api-keys", "POST /api/v1/api-keys",
            "DELETE /api/v1/api-keys/{keyId}", "GET /api/v1/model-prices", "POST /api/v1/model-prices",
            "POST /api/v1/conversations", "GET /api/v1/conversations/{conversationId}",
            "GET /api/v1/conversations/{conversationId}/messages", "POST /api/v1/conversations/{conversationId}/messages",
            "POST /api/v1/conversations/{conversationId}/messages:async",
            "GET /api/v1/conversations/{conversationId}/events", "GET /api/v1/conversations/{conversationId}/memory",
            "GET /api/v1/conversations/{conversationId}/costs", "GET /api/v1/jobs/{jobId}", "GET /api/v1/handoffs",
            "GET /api/v1/handoffs/events", "POST /api/v1/handoffs/claim-next", "POST /api/v1/handoffs/{handoffId}/claim",
            "GET /api/v1/handoffs/{handoffId}", "POST /api/v1/handoffs/{handoffId}/messages",
            "POST /api/v1/handoffs/{handoffId}/release", "POST /api/v1/handoffs/{handoffId}/resolve",
            "GET /api/v1/costs/monthly", "GET /api/v1/costs/monthly/{tenantId}");

    JsonNode docs;

    @BeforeEach
    void readTheDescription() {
        var response = http.get("/v3/api-docs", null);
        assertThat(response.status()).isEqualTo(200);
        docs = response.body();
    }

    @Test
    void everyOperationIsThereWithASummaryAndTheRolesItNeeds() {
        List<String> found = new ArrayList<>();
        operations().forEach(op -> {
            found.add(op.name());
            assertThat(op.node().path("summary").asString("")).as("summary of %s", op.name()).isNotBlank();
            assertThat(op.node().path("description").asString("")).as("roles of %s", op.name())
                    .containsPattern("key with the roles? [A-Z]");
        });
        assertThat(found).containsAll(OPERATIONS).doesNotHaveDuplicates();
    }

    @Test
    void bearerKeysAreTheSecuritySchemeOfEveryApiOperation() {
        JsonNode schemes = docs.get("components").get("securitySchemes");
        assertThat(schemes.propertyNames()).hasSize(1);
        String name = schemes.propertyNames().iterator().next();
        assertThat(schemes.get(name).get("type").asString()).isEqualTo("http");
        assertThat(schemes.get(name).get("scheme").asString()).isEqualTo("bearer");
        operations().forEach(op -> assertThat(op.node().path("security").toString()).as(op.name())
                .isEqualTo("[{\"" + name + "\":[]}]"));
    }

    @Test
    void theResolvedCallerIsNeverAParameter() {
        operations().forEach(op -> op.node().path("parameters").forEach(p -> {
            assertThat(p.get("name").asString()).as(op.name()).isNotIn("caller", "agent", "principal");
            assertThat(p.path("schema").path("$ref").asString("")).as(op.name()).doesNotContain("Principal");
            if (p.get("in").asString().equals("query")) {
                assertThat(p.path("schema").has("$ref")).as("%s: an object as a query parameter", op.name()).isFalse();
            }
        }));
        assertThat(docs.get("components").get("schemas").propertyNames()).doesNotContain("TenantPrincipal");
    }

    @Test
    void theDescriptionHasATitleTheProjectVersionAndADescription() throws IOException {
        JsonNode info = docs.get("info");
        assertThat(info.get("title").asString()).isEqualTo("Colloquy API");
        assertThat(info.get("version").asString()).isEqualTo(projectVersion());
        assertThat(info.get("description").asString()).contains("Authorization: Bearer");
    }

    @Test
    void everyProblemTypeIsListedAndEveryOperationDescribesItsProblems() {
        String description = docs.get("info").get("description").asString();
        List<String> enumerated = new ArrayList<>();
        docs.get("components").get("schemas").get("Problem").get("properties").get("type").get("enum")
                .forEach(t -> enumerated.add(t.asString()));
        for (ProblemTypes.Type type : ProblemTypes.ALL) {
            assertThat(description).contains("| " + type.status() + " | `" + type.uri() + "` |");
            assertThat(enumerated).contains(type.uri().toString());
        }
        operations().forEach(op -> {
            JsonNode responses = op.node().get("responses");
            assertThat(responses.propertyNames()).as(op.name()).contains("401", "403", "default");
            assertThat(responses.get("default").get("content").get("application/problem+json").get("schema")
                    .get("$ref").asString()).endsWith("/Problem");
        });
    }

    @Test
    void aTurnIsDescribedAsJsonAndAsAnEventStreamWithExamples() {
        JsonNode turn = docs.get("paths").get("/api/v1/conversations/{conversationId}/messages").get("post");
        JsonNode ok = turn.get("responses").get("200").get("content");
        assertThat(ok.propertyNames()).containsExactlyInAnyOrder("application/json", "text/event-stream");
        assertThat(ok.get("application/json").get("schema").get("$ref").asString()).endsWith("/TurnResponse");
        assertThat(firstExample(ok.get("text/event-stream")).asString())
                .contains("event:accepted", "event:delta", "event:completed");
        assertExampleMatchesSchema(firstExample(ok.get("application/json")), ok.get("application/json").get("schema"));
        JsonNode request = turn.get("requestBody").get("content").get("application/json");
        assertExampleMatchesSchema(firstExample(request), request.get("schema"));
    }

    @Test
    void theHandoffAndTheMonthlyReportsHaveExamplesThatMatchTheirSchemas() {
        JsonNode handoff = docs.get("paths").get("/api/v1/handoffs/{handoffId}").get("get").get("responses")
                .get("200").get("content").get("application/json");
        assertExampleMatchesSchema(firstExample(handoff), handoff.get("schema"));
        assertThat(firstExample(handoff).get("package").get("messagesWhileWaiting")).isNotEmpty();

        for (String path : List.of("/api/v1/costs/monthly/{tenantId}", "/api/v1/costs/monthly")) {
            JsonNode ok = docs.get("paths").get(path).get("get").get("responses").get("200").get("content");
            assertThat(ok.propertyNames()).as(path).containsExactlyInAnyOrder("application/json", "text/csv");
            assertExampleMatchesSchema(firstExample(ok.get("application/json")), ok.get("application/json").get("schema"));
            assertThat(firstExample(ok.get("text/csv")).asString()).as(path).startsWith("section,");
        }
    }

    // ---- helpers

    record Op(String name, JsonNode node) {
    }

    private List<Op> operations() {
        List<Op> ops = new ArrayList<>();
        for (String path : docs.get("paths").propertyNames()) {
            JsonNode item = docs.get("paths").get(path);
            for (String method : item.propertyNames()) {
                ops.add(new Op(method.toUpperCase() + " " + path, item.get(method)));
            }
        }
        assertThat(ops).isNotEmpty();
        return ops;
    }

    private static JsonNode firstExample(JsonNode media) {
        JsonNode examples = media.get("examples");
        assertThat(examples).as("examples of %s", media).isNotNull();
        return examples.values().iterator().next().get("value");
    }

    /** An example has exactly the fields of its schema, at its top level and in each object it holds. */
    private void assertExampleMatchesSchema(JsonNode example, JsonNode schema) {
        JsonNode resolved = resolve(schema);
        if (resolved.has("properties") && example.isObject()) {
            Set<String> fields = new TreeSet<>(resolved.get("properties").propertyNames());
            assertThat(new TreeSet<>(example.propertyNames())).as("fields of the example for %s", schema)
                    .isEqualTo(fields);
            for (String field : fields) {
                if (!example.get(field).isNull()) {
                    assertExampleMatchesSchema(example.get(field), resolved.get("properties").get(field));
                }
            }
        } else if (example.isArray() && resolved.has("items") && !example.isEmpty()) {
            assertExampleMatchesSchema(example.get(0), resolved.get("items"));
        }
    }

    private JsonNode resolve(JsonNode schema) {
        if (schema.has("$ref")) {
            String ref = schema.get("$ref").asString();
            return docs.get("components").get("schemas").get(ref.substring(ref.lastIndexOf('/') + 1));
        }
        if (schema.has("oneOf") || schema.has("anyOf")) {
            for (JsonNode option : schema.has("oneOf") ? schema.get("oneOf") : schema.get("anyOf")) {
                if (option.has("$ref")) {
                    return resolve(option);
                }
            }
        }
        return schema;
    }

    private static String projectVersion() throws IOException {
        Matcher version = Pattern.compile("<artifactId>colloquy</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(Path.of("pom.xml")));
        assertThat(version.find()).as("the project's version in pom.xml").isTrue();
        return version.group(1);
    }
}
