// A small HTTP server on the JDK's com.sun.net.httpserver, packed in a jar.
// `java -jar server.jar --once` listens on 127.0.0.1:8080, asks itself one request, prints the
// answer and exits (for `podman run` with no network).
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

public class Server {
  public static void main(String[] args) throws Exception {
    boolean once = args.length > 0 && args[0].equals("--once");
    HttpServer server =
        HttpServer.create(new InetSocketAddress(once ? "127.0.0.1" : "0.0.0.0", 8080), 0);
    server.createContext("/", exchange -> {
      byte[] body = ("hello from java " + System.getProperty("java.version") + "\n")
                        .getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    if (!once) return;
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:8080/")).build(),
        HttpResponse.BodyHandlers.ofString());
    System.out.print(response.body());
    server.stop(0);
  }
}
