package io.colloquy.tenant;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

import org.springdoc.core.customizers.OpenApiCustomizer;
import org.springdoc.core.customizers.OperationCustomizer;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.io.ClassPathResource;

import io.colloquy.shared.ProblemTypes;
import tools.jackson.databind.json.JsonMapper;

/**
 * The OpenAPI description ({@code /v3/api-docs}, {@code /swagger-ui.html}): who may call what (bearer keys and
 * the roles each operation needs, read from {@link RequiresRole}), the problem types every error comes with, and
 * examples of the main bodies (kept as files under {@code openapi/examples/}). Lives here because the key and the
 * resolved caller are this module's.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

    static final String BEARER = "bearer-key";
    static final String PROBLEM = "Problem";
    private static final String PROBLEM_JSON = "application/problem+json";

    static {
        // the caller is resolved from the bearer key, never sent as a parameter
        SpringDocUtils.getConfig().addRequestWrapperToIgnore(TenantPrincipal.class);
    }

    /** Examples of the main bodies: path, method, request or response, media type, example file. */
    private record ExampleAt(String path, PathItem.HttpMethod method, String status, String mediaType, String file) {
    }

    private static final List<ExampleAt> EXAMPLES = List.of(
            new ExampleAt("/api/v1/conversations/{conversationId}/messages", PathItem.HttpMethod.POST, null,
                    "application/json", "turn-request.json"),
            new ExampleAt("/api/v1/conversations/{conversationId}/messages", PathItem.HttpMethod.POST, "200",
                    "application/json", "turn.json"),
            new ExampleAt("/api/v1/conversations/{conversationId}/messages", PathItem.HttpMethod.POST, "200",
                    "text/event-stream", "turn-stream.txt"),
            new ExampleAt("/api/v1/conversations/{conversationId}/messages:async", PathItem.HttpMethod.POST, null,
                    "application/json", "turn-request.json"),
            new ExampleAt("/api/v1/handoffs/{handoffId}", PathItem.HttpMethod.GET, "200", "application/json",
                    "handoff.json"),
            new ExampleAt("/api/v1/handoffs/{handoffId}/claim", PathItem.HttpMethod.POST, "200", "application/json",
                    "handoff.json"),
            new ExampleAt("/api/v1/handoffs/{handoffId}/resolve", PathItem.HttpMethod.POST, null, "application/json",
                    "resolve-request.json"),
            new ExampleAt("/api/v1/costs/monthly/{tenantId}", PathItem.HttpMethod.GET, "200", "application/json",
                    "monthly-report.json"),
            new ExampleAt("/api/v1/costs/monthly/{tenantId}", PathItem.HttpMethod.GET, "200", "text/csv",
                    "monthly-report.csv"),
            new ExampleAt("/api/v1/costs/monthly", PathItem.HttpMethod.GET, "200", "application/json",
                    "all-tenants-report.json"),
            new ExampleAt("/api/v1/costs/monthly", PathItem.HttpMethod.GET, "200", "text/csv",
                    "all-tenants-report.csv"));

    @Bean
    OpenAPI colloquyOpenApi(ObjectProvider<BuildProperties> build) {
        BuildProperties properties = build.getIfAvailable();
        return new OpenAPI()
                .info(new Info().title("Colloquy API")
                        .version(properties == null ? "development" : properties.getVersion())
                        .description(description()))
                .components(new Components()
                        .addSecuritySchemes(BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP).scheme("bearer")
                                .description("An API key, sent as `Authorization: Bearer <key>`. A key belongs to one "
                                        + "tenant (or to the platform) and holds roles: CHAT, AGENT, FINANCE, ADMIN.")));
    }

    /** Every API operation needs a key and can answer with the problems any request can meet. */
    @Bean
    OpenApiCustomizer keysProblemsAndExamples(JsonMapper json) {
        return api -> {
            // added here, not to the bean above: springdoc replaces the schemas it finds in the handlers' types
            api.getComponents().addSchemas(PROBLEM, problemSchema());
            api.getPaths().forEach((path, item) -> {
                if (!path.startsWith("/api/")) {
                    return;
                }
                item.readOperations().forEach(operation -> {
                    operation.setSecurity(List.of(new SecurityRequirement().addList(BEARER)));
                    operation.getResponses().addApiResponse("401", problem("No API key, or an unknown or revoked one"));
                    operation.getResponses().addApiResponse("403", problem("The key lacks the role this operation needs"));
                    if (path.contains("{")) {
                        operation.getResponses().addApiResponse("404",
                                problem("Nothing with that id for the key's tenant (another tenant's is answered alike)"));
                    }
                    operation.getResponses().addApiResponse("default",
                            problem("Any other problem; its `type` is one of those listed in the description"));
                });
            });
            for (ExampleAt at : EXAMPLES) {
                example(api, at, json);
            }
        };
    }

    /** States the roles an operation needs in its description, from the same annotation the check reads. */
    @Bean
    OperationCustomizer rolesInDescriptions() {
        return (operation, handler) -> {
            RequiresRole required = AnnotatedElementUtils.findMergedAnnotation(handler.getMethod(), RequiresRole.class);
            if (required == null) {
                required = AnnotatedElementUtils.findMergedAnnotation(handler.getBeanType(), RequiresRole.class);
            }
            if (required != null) {
                String roles = Arrays.stream(required.value()).map(Role::name).collect(Collectors.joining(", "));
                String who = (required.platform() ? "A platform key" : "A key") + " with the role"
                        + (required.value().length > 1 ? "s " + roles + " (any one)" : " " + roles) + ".";
                operation.setDescription(operation.getDescription() == null ? who : operation.getDescription() + "\n\n" + who);
            }
            return operation;
        };
    }

    private static String description() {
        StringBuilder text = new StringBuilder("""
                A multi-tenant conversational-AI gateway: widgets send customer turns, Colloquy keeps each \
                conversation's memory under a token budget, calls the model through a resilient client, attributes \
                every token and cent to a tenant and a conversation, and hands conversations to human agents.

                **Keys.** Every `/api/v1` operation needs `Authorization: Bearer <api key>` (use *Authorize* above). \
                A key belongs to one tenant or to the platform and holds roles: `CHAT` (widgets), `AGENT` (human \
                agents), `FINANCE`, `ADMIN`. Each operation says which it needs. Another tenant's objects are \
                answered 404, exactly as missing ones.

                **Errors** are RFC 9457 problem details (`application/problem+json`) with a stable `type`:

                | status | type | when |
                | --- | --- | --- |
                """);
        for (ProblemTypes.Type t : ProblemTypes.ALL) {
            text.append("| ").append(t.status()).append(" | `").append(t.uri()).append("` | ").append(t.when())
                    .append(" |\n");
        }
        text.append("\nErrors answered before a handler is chosen (405, 406, 415) carry no `type`, which RFC 9457 reads "
                + "as `about:blank`.\n");
        return text.toString();
    }

    private static Schema<?> problemSchema() {
        List<String> types = new ArrayList<>(ProblemTypes.ALL.stream().map(t -> t.uri().toString()).toList());
        types.add("about:blank");
        return new ObjectSchema().description("RFC 9457 problem details")
                .addProperty("type", new StringSchema().format("uri")._enum(types)
                        .description("The problem type: a stable URI to switch on"))
                .addProperty("title", new StringSchema().description("A short summary of the type"))
                .addProperty("status", new IntegerSchema().description("The HTTP status"))
                .addProperty("detail", new StringSchema().description("What happened, for people"))
                .addProperty("instance", new StringSchema().format("uri").description("The request's path"))
                .addProperty("errors", new ArraySchema().items(new Schema<>())
                        .description("validation-failed: the fields or parameters out of range"))
                .addProperty("reference", new StringSchema()
                        .description("internal-error: names the failure in the service's log"));
    }

    private static ApiResponse problem(String description) {
        return new ApiResponse().description(description).content(new Content().addMediaType(PROBLEM_JSON,
                new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + PROBLEM))));
    }

    private static void example(OpenAPI api, ExampleAt at, JsonMapper json) {
        PathItem item = api.getPaths() == null ? null : api.getPaths().get(at.path());
        Operation operation = item == null ? null : item.readOperationsMap().get(at.method());
        if (operation == null) {
            throw new IllegalStateException("No operation " + at.method() + " " + at.path() + " for example " + at.file());
        }
        Content content = at.status() == null
                ? operation.getRequestBody() == null ? null : operation.getRequestBody().getContent()
                : operation.getResponses().get(at.status()) == null ? null
                        : operation.getResponses().get(at.status()).getContent();
        MediaType media = content == null ? null : content.get(at.mediaType());
        if (media == null) {
            throw new IllegalStateException("No " + at.mediaType() + " body on " + at.method() + " " + at.path());
        }
        String text = read("openapi/examples/" + at.file());
        Object value = at.file().endsWith(".json") ? json.readValue(text, Object.class) : text;
        if (at.mediaType().equals("text/event-stream")) {
            media.setSchema(new StringSchema().description("Server-Sent Events: accepted, delta (repeated), "
                    + "handoff, completed (the JSON turn), error (a problem)"));
        }
        media.setExamples(Map.of(at.file().substring(0, at.file().indexOf('.')), new Example().value(value)));
    }

    private static String read(String resource) {
        try (InputStream in = new ClassPathResource(resource).getInputStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read " + resource, e);
        }
    }
}
