package io.colloquy.events;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

import org.springframework.http.MediaType;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

import io.colloquy.shared.TenantId;

/**
 * One open Server-Sent Events stream. Sends are serialised (a stream may be written by the heartbeat and
 * by a subscriber at once); a send to a stream whose client went away returns false instead of throwing.
 */
public final class EventStream {

    private final TenantId tenantId;
    private final SseEmitter emitter;
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Runnable> onClose = new CopyOnWriteArrayList<>();
    private volatile boolean open = true;

    EventStream(TenantId tenantId, SseEmitter emitter) {
        this.tenantId = tenantId;
        this.emitter = emitter;
    }

    public TenantId tenantId() {
        return tenantId;
    }

    /** What the controller returns. */
    public SseEmitter emitter() {
        return emitter;
    }

    public boolean isOpen() {
        return open;
    }

    /** Sends one event; false when the stream is closed. */
    public boolean send(String id, String name, Object data) {
        SseEmitter.SseEventBuilder event = SseEmitter.event().name(name).data(data, MediaType.APPLICATION_JSON);
        if (id != null) {
            event.id(id);
        }
        return write(event);
    }

    /** A comment line: invisible to the client, keeps proxies from closing an idle stream. */
    boolean heartbeat() {
        return write(SseEmitter.event().comment("hb"));
    }

    private boolean write(SseEmitter.SseEventBuilder event) {
        if (!open) {
            return false;
        }
        lock.lock();
        try {
            emitter.send(event);
            return true;
        } catch (IOException | IllegalStateException e) {
            // the client went away (or the stream timed out): nothing to tell anyone
            closed();
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the stream from the server's side. */
    public void complete() {
        if (open) {
            lock.lock();
            try {
                emitter.complete();
            } catch (IllegalStateException ignored) {
                // already completed
            } finally {
                lock.unlock();
            }
            closed();
        }
    }

    /** Runs {@code action} once when the stream closes, whichever side closes it. */
    public void onClose(Runnable action) {
        onClose.add(action);
        if (!open) {
            action.run();
        }
    }

    void closed() {
        if (open) {
            open = false;
            onClose.forEach(Runnable::run);
        }
    }
}
