package io.colloquy.llm;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.net.InetAddress;
import java.net.Socket;

import javax.net.SocketFactory;

import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.ai.openai.http.okhttp.SpringAiOpenAiHttpClient;

/**
 * Sockets to the model that send every write at once (TCP_NODELAY). OkHttp leaves Nagle's algorithm on, and
 * writes a request through 8 KiB buffers: a prompt of a couple of thousand tokens goes out in two writes, and
 * the second waits for the server's delayed acknowledgement, about 40 ms per call on Linux (BENCHMARKS.md,
 * "A lean turn"). Spring AI's client builder has no socket factory setting, so the client it builds is rebuilt
 * around {@link #FACTORY} with the same settings, interceptors, pool and dispatcher.
 */
final class TcpNoDelay {

    private static final Logger log = LoggerFactory.getLogger(TcpNoDelay.class);

    /** Plain sockets with TCP_NODELAY; TLS is layered over them by OkHttp. */
    static final SocketFactory FACTORY = new SocketFactory() {
        private final SocketFactory plain = SocketFactory.getDefault();

        @Override
        public Socket createSocket() throws IOException {
            return noDelay(plain.createSocket());
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return noDelay(plain.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
            return noDelay(plain.createSocket(host, port, local, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return noDelay(plain.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
            return noDelay(plain.createSocket(host, port, local, localPort));
        }

        private static Socket noDelay(Socket socket) throws IOException {
            socket.setTcpNoDelay(true);
            return socket;
        }
    };

    private TcpNoDelay() {
    }

    /**
     * The same client over {@link #FACTORY}. Its only constructor is private, hence reflection; should a
     * later Spring AI change it, the client is kept as built (slower for large prompts, never broken) and the
     * change is logged.
     */
    static SpringAiOpenAiHttpClient apply(SpringAiOpenAiHttpClient built) {
        OkHttpClient tuned = built.getOkHttpClient().newBuilder().socketFactory(FACTORY).build();
        try {
            Constructor<SpringAiOpenAiHttpClient> constructor =
                    SpringAiOpenAiHttpClient.class.getDeclaredConstructor(OkHttpClient.class, boolean.class);
            constructor.setAccessible(true);
            // owns the dispatcher's executor, which the builder made for the client it built and is shared by both
            return constructor.newInstance(tuned, true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.warn("Could not turn on TCP_NODELAY for the OpenAI client ({}); prompts over 8 KiB may wait for "
                    + "delayed acknowledgements", e.toString());
            return built;
        }
    }
}
