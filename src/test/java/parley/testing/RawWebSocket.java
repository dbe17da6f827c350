package parley.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/** A WebSocket client at the frame level, for frames a well-behaved client library never sends. */
public final class RawWebSocket implements AutoCloseable {
    public static final int TEXT = 1;
    public static final int CONTINUATION = 0;
    public static final int CLOSE = 8;
    public static final int PING = 9;
    public static final int PONG = 10;

    public record Frame(int opcode, byte[] payload) {
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final String responseHead;

    /** The server answered the upgrade with something other than 101; the message is its response head. */
    public static final class Refused extends RuntimeException {
        public Refused(String head) {
            super(head);
        }

        public int status() {
            return Integer.parseInt(getMessage().substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3));
        }
    }

    /** The server's answer to the upgrade: its status line and headers. */
    public String responseHead() {
        return responseHead;
    }

    /** With the session {@code cookie} ({@code parley_session=...}; null: none). */
    public RawWebSocket(int port, String cookie) {
        this(port, 0, cookie(cookie));
    }

    /**
     * With the session {@code cookie}, and with {@code receiveBuffer} > 0 a small TCP window, so that a client
     * that stops reading stalls soon.
     */
    public RawWebSocket(int port, String cookie, int receiveBuffer) {
        this(port, receiveBuffer, cookie(cookie));
    }

    /** The header line for {@code cookie}, or nothing when it is null. */
    public static String cookie(String cookie) {
        return cookie == null ? "" : "Cookie: " + cookie + "\r\n";
    }

    /** With {@code headers} (each line ending in CRLF) added to the upgrade request. */
    public RawWebSocket(int port, int receiveBuffer, String headers) {
        this(null, port, receiveBuffer, headers);
    }

    /** From the loopback address {@code from} (such as 127.0.0.2; null: any), as another machine would come. */
    public RawWebSocket(String from, int port, int receiveBuffer, String headers) {
        try {
            socket = new Socket();
            if (receiveBuffer > 0) socket.setReceiveBufferSize(receiveBuffer);
            if (from != null) socket.bind(new java.net.InetSocketAddress(from, 0));
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            socket.setSoTimeout(10_000);
            in = new DataInputStream(socket.getInputStream());
            out = socket.getOutputStream();
            byte[] key = new byte[16];
            ThreadLocalRandom.current().nextBytes(key);
            out.write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n" + headers + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) head.append((char) in.readUnsignedByte());
            responseHead = head.toString();
            if (!responseHead.startsWith("HTTP/1.1 101")) {
                socket.close();
                throw new Refused(responseHead);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void send(int opcode, boolean fin, byte[] payload) {
        sendDeclaring(opcode, fin, payload.length, payload);
    }

    /**
     * Sends a frame header declaring {@code declared} payload bytes, followed by {@code payload} (which
     * may be shorter): enough for a server that judges a frame by its header.
     */
    public void sendDeclaring(int opcode, boolean fin, long declared, byte[] payload) {
        sendFrame(opcode, fin, declared, payload, true);
    }

    /** A frame without a mask, which RFC 6455 forbids a client to send. */
    public void sendUnmasked(int opcode, boolean fin, byte[] payload) {
        sendFrame(opcode, fin, payload.length, payload, false);
    }

    private void sendFrame(int opcode, boolean fin, long declared, byte[] payload, boolean masked) {
        // One write for the whole frame: a server that refuses it by its first byte may close at once, and
        // the rest of a frame written piecemeal would then meet a reset connection.
        var frame = new java.io.ByteArrayOutputStream(payload.length + 14);
        byte[] mask = new byte[4];
        if (masked) ThreadLocalRandom.current().nextBytes(mask);
        int maskBit = masked ? 0x80 : 0;
        frame.write((fin ? 0x80 : 0) | opcode);
        long n = declared;
        if (n < 126) {
            frame.write(maskBit | (int) n);
        } else if (n < 65536) {
            frame.write(maskBit | 126);
            frame.write((int) (n >>> 8));
            frame.write((int) (n & 0xff));
        } else {
            frame.write(maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) frame.write((int) (n >>> shift) & 0xff);
        }
        if (masked) frame.writeBytes(mask);
        for (int k = 0; k < payload.length; k++) frame.write(payload[k] ^ mask[k % 4]);
        try {
            out.write(frame.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void sendText(String text) {
        send(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
    }

    public Frame read() {
        try {
            int b0 = in.readUnsignedByte();
            int b1 = in.readUnsignedByte();
            long n = b1 & 0x7f;
            if (n == 126) n = in.readUnsignedShort();
            else if (n == 127) n = in.readLong();
            byte[] payload = new byte[(int) n];
            in.readFully(payload);
            return new Frame(b0 & 0x0f, payload);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads until the server closes the connection; returns the bytes read. Fails if it stays open 10 s. */
    public long drainToEnd() {
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        try {
            int n;
            while ((n = in.read(buffer)) >= 0) total += n;
        } catch (java.net.SocketException reset) {
            // a reset is an end too
        } catch (IOException e) {
            throw new UncheckedIOException("the connection was not closed: " + e.getMessage(), e);
        }
        return total;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
