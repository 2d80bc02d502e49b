package io.colloquy.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.github.tomakehurst.wiremock.extension.ResponseTransformerV2;
import com.github.tomakehurst.wiremock.http.Response;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/**
 * Holds the fake server's answers until a test lets them go, so a test can act while a model call is
 * certainly in flight (instead of sleeping and hoping): stub with {@code .withTransformers(HeldAnswers.NAME)},
 * call {@link #hold()} first, {@link #awaitArrival()} to know a request reached the server, then
 * {@link #release()}. Registered on {@link FakeOpenAi}'s server.
 */
public final class HeldAnswers implements ResponseTransformerV2 {

    public static final String NAME = "held-answers";
    static final HeldAnswers INSTANCE = new HeldAnswers();

    private volatile CountDownLatch released = new CountDownLatch(0);
    private final Semaphore arrived = new Semaphore(0);

    private HeldAnswers() {
    }

    /** From now on, answers of stubs using this transformer wait for {@link #release()}. */
    public static HeldAnswers hold() {
        INSTANCE.arrived.drainPermits();
        INSTANCE.released = new CountDownLatch(1);
        return INSTANCE;
    }

    /** Waits until one more held request has reached the server. */
    public void awaitArrival() throws InterruptedException {
        assertThat(arrived.tryAcquire(60, TimeUnit.SECONDS)).as("a held request reached the fake server").isTrue();
    }

    /** Lets every held answer (and every later one) go. */
    public void release() {
        released.countDown();
    }

    @Override
    public Response transform(Response response, ServeEvent serveEvent) {
        arrived.release();
        try {
            // bounded, so a test that forgets to release cannot hang the server
            released.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return response;
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }
}
