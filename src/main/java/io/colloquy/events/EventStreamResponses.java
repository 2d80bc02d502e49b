package io.colloquy.events;

import org.springframework.http.CacheControl;
import org.springframework.http.ResponseEntity;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/** The HTTP answer that opens a stream: never cached, never buffered by a proxy on the way. */
public final class EventStreamResponses {

    private EventStreamResponses() {
    }

    public static ResponseEntity<SseEmitter> of(EventStream stream) {
        return ResponseEntity.ok()
                .cacheControl(CacheControl.noStore())
                // nginx and proxies that honour it pass each event on at once instead of buffering the body
                .header("X-Accel-Buffering", "no")
                .body(stream.emitter());
    }
}
