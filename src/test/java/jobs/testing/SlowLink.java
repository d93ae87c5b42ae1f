package jobs.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP forwarder on loopback that holds every request byte run for a fixed delay before passing it on: a slow
 * network between kbackup and a real server (Azurite), so that a store is still in flight when the process dies.
 * Responses pass unchanged.
 */
public final class SlowLink implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final Duration delay;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private SlowLink(int targetPort, Duration delay) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        this.delay = delay;
        Thread acceptor = new Thread(this::accept, "slow-link-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Forwards a new loopback port to {@code targetPort}, delaying what is sent to it by {@code delay}. */
    public static SlowLink to(int targetPort, Duration delay) {
        try {
            return new SlowLink(targetPort, delay);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket target = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(target);
                pump(client, target, delay);
                pump(target, client, Duration.ZERO);
            } catch (IOException e) {
                // closed, or the target refused: the client sees its connection drop
            }
        }
    }

    private static void pump(Socket from, Socket to, Duration delay) throws IOException {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (!delay.isZero()) {
                        Thread.sleep(delay.toMillis());
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // either side went away
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "slow-link-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        sockets.forEach(SlowLink::closeQuietly);
    }
}
