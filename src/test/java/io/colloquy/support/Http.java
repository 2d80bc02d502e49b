package io.colloquy.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small HTTP client for tests: real requests over loopback, answers as status, headers and JSON. */
public final class Http {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;

    public Http(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    public record Response(int status, JsonNode body, String text, HttpResponse<String> raw) {
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        public String contentType() {
            return header("Content-Type");
        }
    }

    public Response get(String path, String key) {
        return send("GET", path, key, null, Map.of());
    }

    public Response get(String path, String key, Map<String, String> headers) {
        return send("GET", path, key, null, headers);
    }

    public Response post(String path, String key, Object body) {
        return send("POST", path, key, body, Map.of());
    }

    public Response post(String path, String key, Object body, Map<String, String> headers) {
        return send("POST", path, key, body, headers);
    }

    public Response patch(String path, String key, Object body) {
        return send("PATCH", path, key, body, Map.of());
    }

    public Response delete(String path, String key) {
        return send("DELETE", path, key, null, Map.of());
    }

    /** Sends {@code body} as JSON (a String is sent as it is, so tests can send malformed JSON). */
    public Response send(String method, String path, String key, Object body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        Map<String, String> all = new LinkedHashMap<>(headers);
        HttpRequest.BodyPublisher publisher = HttpRequest.BodyPublishers.noBody();
        if (body != null) {
            String text = body instanceof String s ? s : JSON.writeValueAsString(body);
            publisher = HttpRequest.BodyPublishers.ofString(text);
            all.putIfAbsent("Content-Type", "application/json");
        }
        all.forEach(request::header);
        request.method(method, publisher);
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            String contentType = response.headers().firstValue("Content-Type").orElse("");
            if (contentType.contains("json") && !response.body().isEmpty()) {
                json = JSON.readTree(response.body());
            }
            return new Response(response.statusCode(), json, response.body(), response);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
