package io.colloquy.llm;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import io.colloquy.usage.CallOutcome;
import io.colloquy.usage.CallPurpose;

/**
 * Puts a recorder in front of every configured upstream's backend: every prompt the model receives is kept,
 * and the summarizer can be made useless or failing, for memory tests and benchmarks.
 */
@TestConfiguration(proxyBeanMethods = false)
public class RecordingModel {

    public enum Summarizer { NORMAL, USELESS, FAILING }

    /** A prompt as the model received it. */
    public record Received(CallPurpose purpose, String model, List<PromptMessage> messages) {
    }

    public static final List<Received> RECEIVED = new CopyOnWriteArrayList<>();
    private static volatile Summarizer summarizer = Summarizer.NORMAL;

    public static void reset(Summarizer mode) {
        RECEIVED.clear();
        summarizer = mode;
    }

    @Bean
    @Primary
    Upstreams recordingUpstreams(@Qualifier("upstreams") Upstreams configured) {
        return configured.withBackends(RecordingModel::recording);
    }

    private static ModelBackend recording(ModelBackend delegate) {
        return new ModelBackend() {
            @Override
            public String provider() {
                return delegate.provider();
            }

            @Override
            public BackendReply call(BackendCall call, StreamListener listener) {
                RECEIVED.add(new Received(call.purpose(), call.model(), call.messages()));
                if (call.purpose() == CallPurpose.SUMMARIZATION) {
                    switch (summarizer) {
                        case USELESS -> {
                            return new BackendReply("OK.", call.model(), 50, 0, 2);
                        }
                        case FAILING -> throw new UpstreamException(CallOutcome.SERVER_ERROR, 503, null,
                                "summarizer down", null);
                        case NORMAL -> {
                        }
                    }
                }
                return delegate.call(call, listener);
            }
        };
    }
}
