package io.sessionauthority.service.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of Redis that misbehaves on demand, for the network faults a process kill
 * does not show: added latency, a link that stops moving bytes, connections reset (RST) by the
 * network. Clients connect to {@link #port()}; bytes go to the target unchanged unless told.
 */
public final class FaultyProxy implements AutoCloseable {

    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile long delayNanos;
    private volatile boolean stalled;
    private final java.util.Set<Socket> stalledSockets = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private FaultyProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "faulty-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy to a server on the loopback port given. */
    public static FaultyProxy to(int targetPort) {
        try {
            return new FaultyProxy(targetPort);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.getLocalPort();
    }

    public String uri() {
        return "redis://127.0.0.1:" + port();
    }

    /** Holds every chunk of bytes, in both directions, this long before passing it on. */
    public void delay(Duration delay) {
        delayNanos = delay.toNanos();
    }

    /** Stops moving bytes (connections stay open, as on a link that silently drops traffic). */
    public synchronized void stall() {
        stalled = true;
    }

    /**
     * Stops moving bytes on the connections open now, while new ones flow: one client's path is dead
     * (a lost NAT or conntrack entry) while Redis answers everyone else.
     */
    public synchronized void stallOpenConnections() {
        stalledSockets.addAll(sockets);
    }

    /** Moves bytes again, including those held while stalled. */
    public synchronized void unstall() {
        stalled = false;
        stalledSockets.clear();
        notifyAll();
    }

    /** Resets every open connection (RST, not FIN), as a middlebox or a dying peer's kernel would. */
    public void resetConnections() {
        for (Socket socket : sockets) {
            try {
                socket.setSoLinger(true, 0);
                socket.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
        sockets.clear();
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket client = null;
            try {
                client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                // the target refused or the proxy closed: the client sees its connection end
                if (client != null) {
                    closeQuietly(client);
                }
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    awaitFlowing(from);
                    long delay = delayNanos;
                    if (delay > 0) {
                        Thread.sleep(Duration.ofNanos(delay).toMillis());
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // one side went away: close the other
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "faulty-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private synchronized void awaitFlowing(Socket from) throws InterruptedException {
        while (stalled || stalledSockets.contains(from)) {
            wait();
        }
    }

    private static void closeQuietly(java.io.Closeable socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        unstall();
        closeQuietly(server);
        resetConnections();
    }

    /** The address clients use, for settings that take host and port separately. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }
}
