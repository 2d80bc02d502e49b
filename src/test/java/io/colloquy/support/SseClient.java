package io.colloquy.support;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Server-Sent Events client for tests: opens a stream (GET or POST), reads its events on a thread of
 * its own into a queue, and can hang up at any moment, as a browser tab that closes would.
 */
public final class SseClient implements AutoCloseable {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** Marks the end of the stream in the queue. */
    private static final Event END = new Event(null, "__end__", null, null);

    public record Event(String id, String name, String data, JsonNode json) {
    }

    private final HttpResponse<InputStream> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final List<Event> seen = new ArrayList<>();
    private final Thread reader;

    private SseClient(HttpResponse<InputStream> response) {
        this.response = response;
        boolean stream = response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream");
        // a refusal is an ordinary body, left for body() to read
        this.reader = stream ? Thread.ofVirtual().start(this::read) : null;
        if (!stream) {
            events.add(END);
        }
    }

    public static SseClient get(int port, String path, String key, Map<String, String> headers) {
        return open(port, "GET", path, key, null, headers);
    }

    public static SseClient post(int port, String path, String key, Object body, Map<String, String> headers) {
        return open(port, "POST", path, key, body, headers);
    }

    private static SseClient open(int port, String method, String path, String key, Object body,
                                  Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Accept", "text/event-stream").header("Authorization", "Bearer " + key);
        headers.forEach(request::header);
        if (body != null) {
            request.header("Content-Type", "application/json");
            request.method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            return new SseClient(CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** The body of a response that is not a stream (a refusal), read whole. */
    public String body() {
        try {
            return new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void read() {
        try (var lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            String id = null;
            String name = "message";
            StringBuilder data = new StringBuilder();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!data.isEmpty()) {
                        String text = data.toString();
                        events.add(new Event(id, name, text, text.startsWith("{") ? JSON.readTree(text) : null));
                    }
                    id = null;
                    name = "message";
                    data.setLength(0);
                    continue;
                }
                if (line.startsWith(":")) {
                    continue;
                }
                int colon = line.indexOf(':');
                String field = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1).replaceFirst("^ ", "");
                switch (field) {
                    case "id" -> id = value;
                    case "event" -> name = value;
                    case "data" -> data.append(value);
                    default -> {
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // hung up (by us or by the server)
        } finally {
            events.add(END);
        }
    }

    /** The next event, waiting up to {@code timeout}; null when none came or the stream ended. */
    public Event next(Duration timeout) {
        try {
            Event e = events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (e == null || e == END) {
                if (e == END) {
                    events.add(END);
                }
                return null;
            }
            seen.add(e);
            return e;
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Reads events until one matches, within {@code timeout}; fails the test otherwise. */
    public Event await(Predicate<Event> match, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Event e = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (e == null) {
                break;
            }
            if (match.test(e)) {
                return e;
            }
        }
        throw new AssertionError("no event " + what + " within " + timeout + "; saw " + seen);
    }

    /** Every event up to the end of the stream (the server closes it when the turn is done). */
    public List<Event> readToEnd(Duration timeout) {
        List<Event> all = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Event e = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (e == null) {
                return all;
            }
            all.add(e);
        }
        throw new AssertionError("the stream did not end within " + timeout + "; saw " + all);
    }

    /** All events seen so far. */
    public List<Event> seen() {
        return List.copyOf(seen);
    }

    /** Hangs up. */
    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException ignored) {
            // already closed
        }
        if (reader != null) {
            reader.interrupt();
        }
    }
}
