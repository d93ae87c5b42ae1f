package jobs.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code pods/exec} as kube-apiserver and the kubelet serve it, over WebSocket with the channel protocol
 * ({@code v4.channel.k8s.io}): each binary message starts with its channel (1 stdout, 2 stderr, 3 the final
 * Status, whose {@code NonZeroExitCode} cause carries the exit code), then the server closes. What a command does is
 * scripted on its pod by the annotation {@value #SCRIPT}: a JSON list of
 * {@code {"match": "<text in the command>", "exit": 0, "delayMs": 0, "stdout": "", "stderr": ""}}, the first match
 * wins, and a command nothing matches exits 0 at once. Refused as a real server refuses: a pod that does not exist
 * (404), a container not in the pod or no container named for a pod of several (400), a pod that is not Running
 * (400). Every exec's start and end go into the server's {@link Events}.
 */
final class Execs {

    static final String SCRIPT = "exec.test.kbackup.io/script";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern EXEC = Pattern.compile("/api/v1/namespaces/([^/]+)/pods/([^/]+)/exec");

    private final Events events;
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "exec-double");
        t.setDaemon(true);
        return t;
    });

    Execs(Events events) {
        this.events = events;
    }

    static boolean isExec(String path) {
        return EXEC.matcher(path).matches();
    }

    /** The answer to an exec request: an upgrade to the scripted WebSocket session, or the server's refusal. */
    MockResponse open(String path, String rawQuery, ObjectNode pod) throws IOException {
        Matcher m = EXEC.matcher(path);
        if (!m.matches()) {
            throw new IllegalArgumentException(path);
        }
        String name = m.group(1) + "/" + m.group(2);
        if (pod == null) {
            return ApiServer.status(404, "NotFound", "pods \"" + m.group(2) + "\" not found");
        }
        List<String> command = new ArrayList<>();
        String container = null;
        for (String part : rawQuery == null ? new String[0] : rawQuery.split("&")) {
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
            if (key.equals("command")) {
                command.add(value);
            } else if (key.equals("container")) {
                container = value;
            }
        }
        List<String> containers = new ArrayList<>();
        pod.path("spec").path("containers").forEach(c -> containers.add(c.path("name").asText()));
        if (container == null) {
            if (containers.size() != 1) {
                return ApiServer.status(400, "BadRequest", "a container name must be specified for pod " + m.group(2)
                        + ", choose one of: " + containers);
            }
            container = containers.get(0);
        } else if (!containers.contains(container)) {
            return ApiServer.status(400, "BadRequest", "container " + container + " is not valid for pod " + m.group(2));
        }
        String phase = pod.path("status").path("phase").asText("Running");
        if (!phase.equals("Running")) {
            return ApiServer.status(400, "BadRequest", "cannot exec into a container in a completed pod; current phase is " + phase);
        }
        JsonNode step = script(pod, String.join(" ", command));
        return new MockResponse().setHeader("Sec-WebSocket-Protocol", "v4.channel.k8s.io")
                .withWebSocketUpgrade(new Session(name + "/" + container, command, step));
    }

    private static JsonNode script(ObjectNode pod, String command) throws IOException {
        String script = pod.path("metadata").path("annotations").path(SCRIPT).asText("");
        if (!script.isEmpty()) {
            for (JsonNode step : JSON.readTree(script)) {
                if (command.contains(step.path("match").asText())) {
                    return step;
                }
            }
        }
        return JSON.createObjectNode();
    }

    private final class Session extends WebSocketListener {

        private final String target;
        private final List<String> command;
        private final JsonNode step;

        Session(String target, List<String> command, JsonNode step) {
            this.target = target;
            this.command = command;
            this.step = step;
        }

        @Override
        public void onOpen(WebSocket socket, Response response) {
            events.add("exec-start " + target + " " + String.join(" ", command));
            clock.schedule(() -> finish(socket), step.path("delayMs").asLong(0), TimeUnit.MILLISECONDS);
        }

        private void finish(WebSocket socket) {
            int exit = step.path("exit").asInt(0);
            send(socket, 1, step.path("stdout").asText(""));
            send(socket, 2, step.path("stderr").asText(""));
            ObjectNode status = JSON.createObjectNode().put("apiVersion", "v1").put("kind", "Status");
            status.putObject("metadata");
            if (exit == 0) {
                status.put("status", "Success");
            } else {
                status.put("status", "Failure").put("reason", "NonZeroExitCode")
                        .put("message", "command terminated with non-zero exit code: error executing command "
                                + command + ", exit code " + exit);
                status.putObject("details").putArray("causes").addObject().put("reason", "ExitCode").put("message", String.valueOf(exit));
            }
            events.add("exec-end " + target + " " + String.join(" ", command) + " exit " + exit);
            send(socket, 3, status.toString());
            socket.close(1000, "");
        }

        private static void send(WebSocket socket, int channel, String text) {
            if (channel != 3 && text.isEmpty()) {
                return;
            }
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            byte[] message = new byte[bytes.length + 1];
            message[0] = (byte) channel;
            System.arraycopy(bytes, 0, message, 1, bytes.length);
            socket.send(message);
        }
    }
}
