package io.colloquy.shared;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The files that run Colloquy in containers and in CI. No Docker engine runs on the machines this is built and
 * tested on, so compose cannot be started here: its YAML, the Grafana provisioning it mounts, the Dockerfile and
 * the CI workflow are read and checked instead, and the container's health probe is run against a small server.
 */
class ContainerFilesTest {

    private static final Path COMPOSE = Path.of("docker-compose.yml");

    @Test
    void composeRunsTheServiceWithAHealthCheckBesidePrometheusAndAProvisionedGrafana() throws IOException {
        Map<String, Object> services = map(yaml(COMPOSE).get("services"));
        assertThat(services).containsKeys("postgres", "colloquy", "prometheus", "grafana");

        Map<String, Object> colloquy = map(services.get("colloquy"));
        List<Object> probe = list(map(colloquy.get("healthcheck")).get("test"));
        assertThat(probe).startsWith("CMD", "java").contains("-cp", "/app", "Health");
        assertThat(map(colloquy.get("healthcheck"))).containsKeys("interval", "start_period", "retries");

        Map<String, Object> prometheus = map(services.get("prometheus"));
        assertThat(list(prometheus.get("volumes"))).contains("./ops/prometheus.yml:/etc/prometheus/prometheus.yml:ro");
        assertThat(map(prometheus.get("healthcheck"))).containsKey("test");
        Map<String, Object> scrape = map(list(yaml(Path.of("ops/prometheus.yml")).get("scrape_configs")).getFirst());
        assertThat(scrape.get("metrics_path")).isEqualTo("/actuator/prometheus");
        assertThat(map(list(scrape.get("static_configs")).getFirst()).get("targets").toString())
                .as("Prometheus scrapes the management port").contains("colloquy:8081");
        assertThat(list(colloquy.get("ports"))).as("only the API port is published").containsExactly("8080:8080");

        Map<String, Object> grafana = map(services.get("grafana"));
        assertThat(map(grafana.get("depends_on"))).containsKey("prometheus");
        String mountedDashboards = null;
        for (Object volume : list(grafana.get("volumes"))) {
            String[] parts = volume.toString().split(":");
            if (parts[0].startsWith("./")) {
                assertThat(Path.of(parts[0])).as("compose mounts %s", parts[0]).exists();
            }
            if (parts[0].equals("./ops/grafana/dashboards")) {
                mountedDashboards = parts[1];
            }
            if (parts[0].equals("./ops/grafana/provisioning")) {
                assertThat(parts[1]).isEqualTo("/etc/grafana/provisioning");
            }
        }
        assertThat(mountedDashboards).as("the dashboards' folder is mounted").isNotNull();
        Map<String, Object> provider = map(list(yaml(Path.of("ops/grafana/provisioning/dashboards/colloquy.yml"))
                .get("providers")).getFirst());
        assertThat(map(provider.get("options")).get("path")).as("the provider reads where compose mounts")
                .isEqualTo(mountedDashboards);
        assertThat(map(grafana.get("environment")).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"))
                .isEqualTo(mountedDashboards + "/colloquy.json");
        assertThat(Path.of("ops/grafana/dashboards/colloquy.json")).exists();

        Map<String, Object> datasource = map(list(yaml(Path.of("ops/grafana/provisioning/datasources/prometheus.yml"))
                .get("datasources")).getFirst());
        assertThat(datasource.get("type")).isEqualTo("prometheus");
        assertThat(datasource.get("url")).isEqualTo("http://prometheus:9090");
    }

    @Test
    void theImageRunsAsANonRootUserWithAHealthCheckAndALeanBuildContext() throws IOException {
        List<String> dockerfile = Files.readAllLines(Path.of("Dockerfile"));
        List<String> runtime = dockerfile.subList(lastIndexStartingWith(dockerfile, "FROM "), dockerfile.size());
        List<String> users = runtime.stream().filter(l -> l.startsWith("USER ")).toList();
        assertThat(users).hasSize(1);
        assertThat(users.getFirst().substring(5).strip()).isNotIn("root", "0");
        assertThat(runtime).anySatisfy(l -> assertThat(l).startsWith("HEALTHCHECK"));
        assertThat(String.join("\n", runtime)).contains("\"Health\"").contains("COPY --from=build /health/Health.class");
        assertThat(String.join("\n", dockerfile)).contains("COPY ops/docker/Health.java");

        List<String> ignored = Files.readAllLines(Path.of(".dockerignore")).stream().map(String::strip).toList();
        assertThat(ignored).contains("target/", ".git", "bench/results/", ".idea/", "*.iml", ".vscode/");
        assertThat(ignored).as("what the build needs stays in the context")
                .doesNotContain("src", "src/", "pom.xml", "mvnw", ".mvn", "ops", "ops/");
    }

    @Test
    void ciUploadsTheTestReportsEvenWhenTestsFail() throws IOException {
        Map<String, Object> workflow = yaml(Path.of(".github/workflows/ci.yml"));
        List<Object> steps = list(map(map(workflow.get("jobs")).get("test")).get("steps"));
        Map<String, Object> upload = steps.stream().map(ContainerFilesTest::map)
                .filter(s -> String.valueOf(s.get("uses")).startsWith("actions/upload-artifact@"))
                .findFirst().orElseThrow(() -> new AssertionError("no upload-artifact step"));
        assertThat(String.valueOf(upload.get("if"))).contains("always()");
        assertThat(String.valueOf(map(upload.get("with")).get("path"))).contains("target/surefire-reports");
        assertThat(steps.indexOf(upload)).as("after the tests").isGreaterThan(
                steps.indexOf(steps.stream().filter(s -> "Test".equals(map(s).get("name"))).findFirst().orElseThrow()));
    }

    /** The probe the image runs, launched as a JVM would in the container, with only java.base at hand. */
    @Test
    void theHealthProbeExitsZeroOnlyWhenTheServiceIsUp() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/up", exchange -> answer(exchange, 200, "{\"status\":\"UP\",\"components\":{}}"));
        server.createContext("/down", exchange -> answer(exchange, 503, "{\"status\":\"DOWN\"}"));
        server.createContext("/odd", exchange -> answer(exchange, 200, "{\"status\":\"OUT_OF_SERVICE\"}"));
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            assertThat(probe(base + "/up")).isZero();
            assertThat(probe(base + "/down")).isEqualTo(1);
            assertThat(probe(base + "/odd")).isEqualTo(1);
            int closed;
            try (ServerSocket socket = new ServerSocket(0)) {
                closed = socket.getLocalPort();
            }
            assertThat(probe("http://127.0.0.1:" + closed + "/actuator/health")).as("nobody listening").isEqualTo(1);
        } finally {
            server.stop(0);
        }
    }

    // ---- helpers

    static String provisionedDatasourceUid() throws IOException {
        return String.valueOf(map(list(yaml(Path.of("ops/grafana/provisioning/datasources/prometheus.yml"))
                .get("datasources")).getFirst()).get("uid"));
    }

    private static int probe(String url) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // the source launcher needs jdk.compiler; the probe itself may use nothing beyond java.base
        Process process = new ProcessBuilder(java, "--limit-modules", "java.base,jdk.compiler",
                "ops/docker/Health.java", url).redirectErrorStream(true).start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the probe finished").isTrue();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(output).as("the probe says what it saw").containsAnyOf("UP", "DOWN");
        return process.exitValue();
    }

    private static void answer(com.sun.net.httpserver.HttpExchange exchange, int status, String body)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
        exchange.close();
    }

    private static int lastIndexStartingWith(List<String> lines, String prefix) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no line starts with " + prefix);
    }

    private static Map<String, Object> yaml(Path file) throws IOException {
        return new Yaml().load(Files.readString(file));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        assertThat(value).isInstanceOf(List.class);
        return new ArrayList<>((List<Object>) value);
    }
}
