package io.colloquy.tenant;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.stereotype.Component;

/**
 * Where a tenant's webhook may point (server-side request forgery rules). A webhook URL must parse, use
 * {@code http} or {@code https}, carry no credentials, and name a host whose every address is public:
 * loopback, link-local (the cloud metadata address 169.254.169.254 included), private, unique-local,
 * carrier-grade NAT, unspecified, multicast, broadcast and reserved addresses are refused, also when written
 * as IPv4-mapped or other IPv4-embedding IPv6 forms. An IP address written in any form other than a plain
 * dotted quad (decimal {@code 2130706433}, octal {@code 0177.0.0.1}, hex, shortened {@code 127.1}) is refused:
 * resolvers disagree on what it means.
 * <p>
 * The rules are checked when the URL is set ({@link #requireAcceptable}) and again at every delivery
 * ({@link #resolveForDelivery}: the host is resolved again and every address checked, so a name whose DNS
 * answer changed since, as in DNS rebinding, is refused; the delivery then connects to the checked addresses
 * only). {@code colloquy.webhooks.allowed-hosts} lifts the address rules for development: host names (matched
 * exactly, case-insensitively) and IP addresses or CIDR ranges (matched against each resolved address).
 */
@Component
@EnableConfigurationProperties(WebhookAddresses.Properties.class)
public class WebhookAddresses {

    /**
     * @param allowedHosts host names, IP addresses and CIDR ranges to which webhooks may go although the address
     *                     rules would refuse them (development and tests: {@code localhost}, {@code 127.0.0.1/32});
     *                     empty by default
     */
    @ConfigurationProperties("colloquy.webhooks")
    public record Properties(@DefaultValue List<String> allowedHosts) {
    }

    /** Looks a host name up; replaceable in tests. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    /**
     * A webhook address the rules refuse. An {@link UnknownHostException} so an HTTP client's DNS hook can
     * throw it; its message is the reason, naming the host and address, never the URL's path or query.
     */
    public static final class RefusedAddressException extends UnknownHostException {
        RefusedAddressException(String reason) {
            super(reason);
        }
    }

    private record Cidr(byte[] network, int prefix) {
        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
            if (a.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }
    }

    private static final Pattern DOTTED_QUAD = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
    private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0[xX][0-9a-fA-F]*");

    /** Named ranges refused besides what {@link InetAddress}'s own tests cover. */
    private static final List<Object[]> REFUSED_RANGES = List.of(
            range("0.0.0.0/8", "unspecified ('this network')"),
            range("100.64.0.0/10", "carrier-grade NAT (shared address space)"),
            range("192.0.0.0/24", "reserved (IETF protocol assignments)"),
            range("192.0.2.0/24", "reserved (documentation)"),
            range("198.18.0.0/15", "reserved (benchmarking)"),
            range("198.51.100.0/24", "reserved (documentation)"),
            range("203.0.113.0/24", "reserved (documentation)"),
            range("240.0.0.0/4", "reserved (and broadcast)"),
            range("fc00::/7", "unique-local (private)"),
            range("fec0::/10", "site-local (private)"),
            range("2001:db8::/32", "reserved (documentation)"),
            range("100::/64", "reserved (discard)"));

    private final List<String> allowedNames = new ArrayList<>();
    private final List<Cidr> allowedRanges = new ArrayList<>();
    private final Resolver resolver;

    @org.springframework.beans.factory.annotation.Autowired
    WebhookAddresses(Properties properties) {
        this(properties, InetAddress::getAllByName);
    }

    WebhookAddresses(Properties properties, Resolver resolver) {
        this.resolver = resolver;
        for (String entry : properties.allowedHosts()) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            Cidr cidr = parseCidr(e);
            if (cidr != null) {
                allowedRanges.add(cidr);
            } else {
                allowedNames.add(normalizeName(e));
            }
        }
    }

    /**
     * Checks a webhook URL as it is set. A host that does not resolve now is accepted (its DNS may not be set up
     * yet): every delivery resolves and checks it again.
     *
     * @throws RefusedAddressException with the reason
     */
    public URI requireAcceptable(String url) throws RefusedAddressException {
        URI uri = parse(url);
        String host = hostOf(uri);
        if (allowedByName(host)) {
            return uri;
        }
        InetAddress literal = literalOrRefuse(host);
        if (literal != null) {
            check(host, literal);
            return uri;
        }
        refuseReservedName(host);
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            return uri;
        }
        for (InetAddress address : addresses) {
            check(host, address);
        }
        return uri;
    }

    /**
     * Resolves a webhook's host for one delivery and checks every address it resolves to; the delivery connects
     * only to the addresses returned.
     *
     * @throws RefusedAddressException when any address is refused (an {@link UnknownHostException} when the
     *                                  host does not resolve)
     */
    public InetAddress[] resolveForDelivery(String rawHost) throws UnknownHostException {
        String host = stripBrackets(rawHost);
        if (allowedByName(host)) {
            return resolver.resolve(host);
        }
        InetAddress literal = literalOrRefuse(host);
        if (literal != null) {
            check(host, literal);
            return new InetAddress[] {literal};
        }
        refuseReservedName(host);
        InetAddress[] addresses = resolver.resolve(host);
        for (InetAddress address : addresses) {
            check(host, address);
        }
        return addresses;
    }

    /** Checks a URL's form (scheme, credentials, host) without resolving it. */
    public static URI parse(String url) throws RefusedAddressException {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new RefusedAddressException("the URL cannot be parsed (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new RefusedAddressException("the URL must start with http:// or https://");
        }
        String authority = uri.getRawAuthority();
        if (uri.getRawUserInfo() != null || (authority != null && authority.contains("@"))) {
            throw new RefusedAddressException("the URL must not carry credentials (user:password@); "
                    + "the receiver checks the X-Colloquy-Signature instead");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            if (authority != null && !authority.isBlank()) {
                // java.net.URI does not take hosts such as 2130706433 as host names: say what they are
                literalOrRefuse(authority.replaceFirst(":[0-9]*$", ""));
            }
            throw new RefusedAddressException("the URL has no host name the service can use");
        }
        return uri;
    }

    private static String hostOf(URI uri) {
        return stripBrackets(uri.getHost());
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private boolean allowedByName(String host) {
        return allowedNames.contains(normalizeName(host));
    }

    private static String normalizeName(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    private static void refuseReservedName(String host) throws RefusedAddressException {
        String h = normalizeName(host);
        if (h.equals("localhost") || h.endsWith(".localhost")) {
            throw new RefusedAddressException("host '" + host + "' is this machine (loopback)");
        }
    }

    /**
     * The address if {@code host} is an IP literal (IPv6, or IPv4 as a plain dotted quad); null for a host name.
     * A host that reads as a number in any other form is refused.
     */
    private static InetAddress literalOrRefuse(String host) throws RefusedAddressException {
        if (host.contains(":")) {
            try {
                return InetAddress.ofLiteral(host);
            } catch (IllegalArgumentException e) {
                throw new RefusedAddressException("host '" + host + "' is not a valid IPv6 address");
            }
        }
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        if (DOTTED_QUAD.matcher(h).matches()) {
            try {
                return InetAddress.ofLiteral(h);
            } catch (IllegalArgumentException e) {
                throw new RefusedAddressException("host '" + host + "' is not a valid IPv4 address");
            }
        }
        String[] labels = h.split("\\.", -1);
        if (NUMERIC_LABEL.matcher(labels[labels.length - 1]).matches()) {
            // what the C library's inet_aton (and WHATWG URL parsing) would make of it
            String meaning = numericMeaning(labels);
            throw new RefusedAddressException("host '" + host + "' is an IP address written in an unusual form"
                    + (meaning == null ? "" : " (" + meaning + ")") + "; write it as a dotted quad such as 203.0.113.7");
        }
        return null;
    }

    /** inet_aton's reading of 1 to 4 decimal, octal (leading 0) or hex (0x) parts, or null. */
    private static String numericMeaning(String[] labels) {
        if (labels.length > 4) {
            return null;
        }
        long[] parts = new long[labels.length];
        try {
            for (int i = 0; i < labels.length; i++) {
                String l = labels[i];
                BigInteger v;
                if (l.startsWith("0x") || l.startsWith("0X")) {
                    v = l.length() == 2 ? BigInteger.ZERO : new BigInteger(l.substring(2), 16);
                } else if (l.length() > 1 && l.startsWith("0")) {
                    v = new BigInteger(l.substring(1), 8);
                } else {
                    v = new BigInteger(l);
                }
                if (v.bitLength() > 32) {
                    return null;
                }
                parts[i] = v.longValue();
            }
        } catch (NumberFormatException e) {
            return null;
        }
        long value = 0;
        for (int i = 0; i < parts.length - 1; i++) {
            if (parts[i] > 255) {
                return null;
            }
            value |= parts[i] << (8 * (3 - i));
        }
        long last = parts[parts.length - 1];
        if (last >= (1L << (8 * (4 - (parts.length - 1))))) {
            return null;
        }
        value |= last;
        return "read as " + ((value >> 24) & 0xff) + "." + ((value >> 16) & 0xff) + "." + ((value >> 8) & 0xff) + "." + (value & 0xff);
    }

    private void check(String host, InetAddress address) throws RefusedAddressException {
        for (Cidr allowed : allowedRanges) {
            if (allowed.contains(address)) {
                return;
            }
        }
        String reason = refusedBecause(address);
        if (reason != null) {
            String shown = address.getHostAddress();
            throw new RefusedAddressException("host '" + host + "'" + (shown.equalsIgnoreCase(host) ? "" : " resolves to " + shown)
                    + ", a " + reason + " address; webhooks go only to public addresses");
        }
    }

    /** Why an address is refused for webhooks, or null when it is public. */
    static String refusedBecause(InetAddress address) {
        if (address instanceof Inet6Address v6) {
            InetAddress embedded = embeddedIpv4(v6.getAddress());
            if (embedded != null) {
                String reason = refusedBecause(embedded);
                if (reason != null) {
                    return reason + " (" + embedded.getHostAddress() + " inside IPv6)";
                }
            }
        }
        if (address.isAnyLocalAddress()) {
            return "unspecified";
        }
        if (address.isLoopbackAddress()) {
            return "loopback";
        }
        if (address.isLinkLocalAddress()) {
            return address instanceof Inet4Address && address.getHostAddress().equals("169.254.169.254")
                    ? "link-local (cloud metadata)" : "link-local";
        }
        if (address.isSiteLocalAddress() && address instanceof Inet4Address) {
            return "private";
        }
        if (address.isMulticastAddress()) {
            return "multicast";
        }
        for (Object[] r : REFUSED_RANGES) {
            if (((Cidr) r[0]).contains(address)) {
                return (String) r[1];
            }
        }
        return null;
    }

    /**
     * The IPv4 address an IPv6 address carries, for the forms that reach it: IPv4-mapped {@code ::ffff:a.b.c.d},
     * IPv4-compatible {@code ::a.b.c.d}, NAT64 {@code 64:ff9b::a.b.c.d}, 6to4 {@code 2002:aabb:ccdd::}.
     */
    private static InetAddress embeddedIpv4(byte[] a) {
        boolean zeroTo10 = true;
        for (int i = 0; i < 10; i++) {
            zeroTo10 &= a[i] == 0;
        }
        byte[] v4 = null;
        if (zeroTo10 && ((a[10] == (byte) 0xff && a[11] == (byte) 0xff) || (a[10] == 0 && a[11] == 0))) {
            v4 = new byte[] {a[12], a[13], a[14], a[15]};
            if (a[10] == 0 && v4[0] == 0 && v4[1] == 0 && v4[2] == 0 && (v4[3] == 0 || v4[3] == 1)) {
                return null; // :: and ::1 themselves
            }
        } else if (a[0] == 0 && a[1] == 0x64 && a[2] == (byte) 0xff && a[3] == (byte) 0x9b) {
            v4 = new byte[] {a[12], a[13], a[14], a[15]};
        } else if (a[0] == 0x20 && a[1] == 0x02) {
            v4 = new byte[] {a[2], a[3], a[4], a[5]};
        }
        if (v4 == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(v4);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static Object[] range(String cidr, String reason) {
        return new Object[] {parseCidr(cidr), reason};
    }

    /** An IP address (as a single-address range) or CIDR range, or null when {@code text} is neither. */
    private static Cidr parseCidr(String text) {
        String[] parts = text.split("/", 2);
        String ip = stripBrackets(parts[0]);
        InetAddress address;
        try {
            if (!ip.contains(":") && !DOTTED_QUAD.matcher(ip).matches()) {
                return null;
            }
            address = InetAddress.ofLiteral(ip);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (parts.length == 2) {
            try {
                prefix = Integer.parseInt(parts[1].strip());
            } catch (NumberFormatException e) {
                throw new IllegalStateException("colloquy.webhooks.allowed-hosts: '" + text + "' is not a CIDR range");
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalStateException("colloquy.webhooks.allowed-hosts: '" + text + "' is not a CIDR range");
            }
        }
        return new Cidr(address.getAddress(), prefix);
    }
}
