package io.colloquy.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The webhook address rules, with an empty allow-list unless a test sets one. */
class WebhookAddressesTest {

    /** Resolves a few made-up names; anything else does not resolve. */
    private static final Map<String, String> DNS = Map.of(
            "hooks.example.test", "93.184.216.34",
            "metadata.example.test", "169.254.169.254",
            "internal.example.test", "10.1.2.3",
            "mapped.example.test", "::ffff:192.168.1.1",
            "ula.example.test", "fd12:3456::1");

    private static InetAddress[] fakeDns(String host) throws UnknownHostException {
        String ip = DNS.get(host);
        if (ip == null) {
            throw new UnknownHostException(host);
        }
        return new InetAddress[] {InetAddress.ofLiteral(ip)};
    }

    private static WebhookAddresses rules(String... allowed) {
        return new WebhookAddresses(new WebhookAddresses.Properties(List.of(allowed)), WebhookAddressesTest::fakeDns);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://169.254.169.254/latest/meta-data/",
            "http://127.0.0.1:5432",
            "http://127.1.2.3/",
            "http://localhost/",
            "http://LOCALHOST./",
            "http://api.localhost/",
            "http://[::1]/",
            "http://[0:0:0:0:0:0:0:1]:8080/",
            "http://10.0.0.1/",
            "http://172.16.0.1/",
            "http://172.31.255.255/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://[::]/",
            "http://224.0.0.1/",
            "http://[ff02::1]/",
            "http://255.255.255.255/",
            "http://[fe80::1]/",
            "http://[fc00::1]/",
            "http://[fd00:ec2::254]/",
            "http://[::ffff:127.0.0.1]/",
            "http://[::ffff:169.254.169.254]/",
            "http://[::ffff:a9fe:a9fe]/",
            "http://[::ffff:10.0.0.1]/",
            "http://[64:ff9b::7f00:1]/",
            "http://[2002:7f00:1::]/",
            "http://2130706433/",
            "http://0177.0.0.1/",
            "http://0x7f.0.0.1/",
            "http://0x7f000001/",
            "http://127.1/",
            "http://017700000001/",
            "http://metadata.example.test/",
            "http://internal.example.test/hook",
            "http://mapped.example.test/",
            "https://ula.example.test/",
    })
    void refusesLoopbackLinkLocalPrivateAndOtherNonPublicAddressesInEveryForm(String url) {
        assertThatThrownBy(() -> rules().requireAcceptable(url))
                .isInstanceOf(WebhookAddresses.RefusedAddressException.class)
                .hasMessageContaining("host");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://user:pass@hooks.example.test/",
            "https://token@hooks.example.test/hook",
            "http://user:pass@2130706433/",
    })
    void refusesCredentialsInTheUrl(String url) {
        assertThatThrownBy(() -> rules().requireAcceptable(url))
                .isInstanceOf(WebhookAddresses.RefusedAddressException.class)
                .hasMessageContaining("credentials");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://hooks.example.test/", "file:///etc/passwd", "gopher://hooks.example.test/",
            "javascript:alert(1)", "hooks.example.test/hook"})
    void refusesSchemesOtherThanHttpAndHttps(String url) {
        assertThatThrownBy(() -> rules().requireAcceptable(url))
                .isInstanceOf(WebhookAddresses.RefusedAddressException.class)
                .hasMessageContaining("http:// or https://");
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://exa mple.com/", "http://[::1/", "http://host:port/", "http:///path", "http://a_b/"})
    void refusesUrlsThatDoNotParseOrNameNoHost(String url) {
        assertThatThrownBy(() -> rules().requireAcceptable(url))
                .isInstanceOf(WebhookAddresses.RefusedAddressException.class);
    }

    @Test
    void theReasonSaysWhatTheAddressIs() {
        assertThatThrownBy(() -> rules().requireAcceptable("http://0177.0.0.1/"))
                .hasMessageContaining("read as 127.0.0.1");
        assertThatThrownBy(() -> rules().requireAcceptable("http://2130706433/"))
                .hasMessageContaining("read as 127.0.0.1");
        assertThatThrownBy(() -> rules().requireAcceptable("http://metadata.example.test/"))
                .hasMessageContaining("169.254.169.254").hasMessageContaining("cloud metadata");
        assertThatThrownBy(() -> rules().requireAcceptable("http://[::ffff:10.0.0.1]/"))
                .hasMessageContaining("private");
        assertThatThrownBy(() -> rules().requireAcceptable("http://100.64.0.1/"))
                .hasMessageContaining("carrier-grade NAT");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://hooks.example.test/colloquy", "http://93.184.216.34:8080/hook",
            "https://[2606:4700::1111]/hook", "https://not-resolvable-yet.example.test/hook"})
    void acceptsPublicAddressesAndNamesThatDoNotResolveYet(String url) {
        assertThatCode(() -> rules().requireAcceptable(url)).doesNotThrowAnyException();
    }

    @Test
    void theAllowListLetsNamedHostsAndRangesThrough() throws Exception {
        WebhookAddresses dev = rules("127.0.0.1", "localhost", "10.0.0.0/8");
        assertThatCode(() -> dev.requireAcceptable("http://127.0.0.1:8089/hook")).doesNotThrowAnyException();
        assertThatCode(() -> dev.requireAcceptable("http://localhost:8089/hook")).doesNotThrowAnyException();
        assertThatCode(() -> dev.requireAcceptable("http://internal.example.test/hook")).doesNotThrowAnyException();
        assertThat(dev.resolveForDelivery("internal.example.test")).extracting(InetAddress::getHostAddress)
                .containsExactly("10.1.2.3");
        // what the list does not name stays refused
        assertThatThrownBy(() -> dev.requireAcceptable("http://127.0.0.2/")).hasMessageContaining("loopback");
        assertThatThrownBy(() -> dev.requireAcceptable("http://[::1]/")).hasMessageContaining("loopback");
        assertThatThrownBy(() -> dev.requireAcceptable("http://169.254.169.254/")).hasMessageContaining("link-local");
        assertThatThrownBy(() -> dev.resolveForDelivery("metadata.example.test")).hasMessageContaining("link-local");
        // credentials and schemes are refused whatever the list says
        assertThatThrownBy(() -> dev.requireAcceptable("http://u:p@127.0.0.1/")).hasMessageContaining("credentials");
    }

    @Test
    void atDeliveryTheHostIsResolvedAgainAndEveryAddressChecked() throws Exception {
        // a name that was public when it was set and points inside later (DNS rebinding)
        AtomicReference<String[]> answer = new AtomicReference<>(new String[] {"93.184.216.34"});
        WebhookAddresses rebinding = new WebhookAddresses(new WebhookAddresses.Properties(List.of()), host -> {
            String[] ips = answer.get();
            InetAddress[] out = new InetAddress[ips.length];
            for (int i = 0; i < ips.length; i++) {
                out[i] = InetAddress.ofLiteral(ips[i]);
            }
            return out;
        });
        assertThatCode(() -> rebinding.requireAcceptable("https://rebind.example.test/hook")).doesNotThrowAnyException();
        assertThat(rebinding.resolveForDelivery("rebind.example.test")).extracting(InetAddress::getHostAddress)
                .containsExactly("93.184.216.34");

        answer.set(new String[] {"93.184.216.34", "127.0.0.1"});
        assertThatThrownBy(() -> rebinding.resolveForDelivery("rebind.example.test"))
                .isInstanceOf(WebhookAddresses.RefusedAddressException.class).hasMessageContaining("127.0.0.1");
        answer.set(new String[] {"169.254.169.254"});
        assertThatThrownBy(() -> rebinding.resolveForDelivery("rebind.example.test"))
                .isInstanceOf(WebhookAddresses.RefusedAddressException.class).hasMessageContaining("cloud metadata");
        // literal hosts are checked without a lookup, in any form
        assertThatThrownBy(() -> rebinding.resolveForDelivery("[::1]")).hasMessageContaining("loopback");
        assertThatThrownBy(() -> rebinding.resolveForDelivery("0177.0.0.1")).hasMessageContaining("unusual form");
        assertThatThrownBy(() -> rebinding.resolveForDelivery("localhost")).hasMessageContaining("loopback");
    }

    @Test
    void classifiesAddresses() {
        assertThat(WebhookAddresses.refusedBecause(InetAddress.ofLiteral("8.8.8.8"))).isNull();
        assertThat(WebhookAddresses.refusedBecause(InetAddress.ofLiteral("2606:4700::1111"))).isNull();
        assertThat(WebhookAddresses.refusedBecause(InetAddress.ofLiteral("172.15.255.255"))).isNull();
        assertThat(WebhookAddresses.refusedBecause(InetAddress.ofLiteral("172.32.0.1"))).isNull();
        assertThat(WebhookAddresses.refusedBecause(InetAddress.ofLiteral("100.128.0.1"))).isNull();
        assertThat(WebhookAddresses.refusedBecause(InetAddress.ofLiteral("fe80::1"))).isEqualTo("link-local");
        assertThat(WebhookAddresses.refusedBecause(InetAddress.ofLiteral("febf::1"))).isEqualTo("link-local");
        assertThat(WebhookAddresses.refusedBecause(InetAddress.ofLiteral("172.20.1.1"))).isEqualTo("private");
    }
}
