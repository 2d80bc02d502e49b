package io.colloquy.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;

/**
 * Every span the service ends, kept in memory for the tracing tests (a bean of every test context: the
 * service's tracer hands ended spans to each {@code SpanProcessor} bean). Only the newest spans are kept,
 * so a long suite does not grow it without bound; tests find theirs by trace id or attribute.
 */
public final class RecordedSpans implements SpanProcessor {

    private static final int CAPACITY = 20_000;

    private final ConcurrentLinkedDeque<SpanData> ended = new ConcurrentLinkedDeque<>();
    private final AtomicInteger size = new AtomicInteger();

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
    }

    @Override
    public boolean isStartRequired() {
        return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
        ended.addLast(span.toSpanData());
        if (size.incrementAndGet() > CAPACITY && ended.pollFirst() != null) {
            size.decrementAndGet();
        }
    }

    @Override
    public boolean isEndRequired() {
        return true;
    }

    public List<SpanData> all() {
        return new ArrayList<>(ended);
    }

    public List<SpanData> ofTrace(String traceId) {
        return ended.stream().filter(s -> s.getTraceId().equals(traceId)).toList();
    }

    /** The ended spans of {@code name} whose attribute {@code key} is {@code value}. */
    public List<SpanData> named(String name, String key, String value) {
        AttributeKey<String> attribute = AttributeKey.stringKey(key);
        return ended.stream().filter(s -> s.getName().equals(name))
                .filter(s -> Objects.equals(s.getAttributes().get(attribute), value)).toList();
    }

    public static String attribute(SpanData span, String key) {
        return span.getAttributes().get(AttributeKey.stringKey(key));
    }
}
