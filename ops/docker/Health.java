import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * The container's health check: exits 0 when {@code /actuator/health} on the management port (8081) answers 200
 * with status UP, 1 otherwise.
 * The runtime image is a JRE: no curl or wget is relied on, and no source launcher (that needs a JDK), so the
 * image builds this class with the JDK and runs it as {@code java -cp /app Health [url]}. java.base only.
 */
public class Health {

    public static void main(String[] args) {
        String url = args.length > 0 ? args[0] : "http://127.0.0.1:8081/actuator/health";
        try {
            HttpURLConnection connection = (HttpURLConnection) URI.create(url).toURL().openConnection();
            connection.setConnectTimeout(2000);
            connection.setReadTimeout(5000);
            int status = connection.getResponseCode();
            String body = status == 200
                    ? new String(connection.getInputStream().readAllBytes(), StandardCharsets.UTF_8) : "";
            boolean up = status == 200 && body.replace(" ", "").contains("\"status\":\"UP\"");
            System.out.println(up ? "UP" : "DOWN (HTTP " + status + ")");
            System.exit(up ? 0 : 1);
        } catch (Exception e) {
            System.out.println("DOWN (" + e.getClass().getSimpleName() + ")");
            System.exit(1);
        }
    }
}
