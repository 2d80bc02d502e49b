package io.colloquy.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.ai.openai.http.okhttp.SpringAiOpenAiHttpClient;

class TcpNoDelayTest {

    @Test
    void theRebuiltClientKeepsItsSettingsAndOpensSocketsThatSendAtOnce() throws Exception {
        SpringAiOpenAiHttpClient built = SpringAiOpenAiHttpClient.builder().timeout(Duration.ofSeconds(7))
                .interceptor(chain -> chain.proceed(chain.request())).build();

        SpringAiOpenAiHttpClient tuned = TcpNoDelay.apply(built);

        assertThat(tuned).isNotSameAs(built);
        assertThat(tuned.getOkHttpClient().socketFactory()).isSameAs(TcpNoDelay.FACTORY);
        assertThat(tuned.getOkHttpClient().interceptors()).isEqualTo(built.getOkHttpClient().interceptors());
        assertThat(tuned.getOkHttpClient().readTimeoutMillis()).isEqualTo(7000);
        assertThat(tuned.getOkHttpClient().dispatcher()).isSameAs(built.getOkHttpClient().dispatcher());
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Socket unconnected = TcpNoDelay.FACTORY.createSocket();
             Socket connected = TcpNoDelay.FACTORY.createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
            assertThat(unconnected.getTcpNoDelay()).isTrue();
            assertThat(connected.getTcpNoDelay()).isTrue();
        }
        tuned.close();
    }
}
