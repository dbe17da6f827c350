package parley.transport;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import parley.account.Accounts;
import parley.room.Hub;
import parley.room.Ids;
import parley.room.RoomFile;

/**
 * The bytes of files shared in rooms, over HTTP. {@code PUT /files/<id>} takes the upload of a file that a
 * file message declared, from its sender only (signed in: the session cookie; from an allowed origin),
 * streamed to disk under a temporary server-made name, and keeps it under the file's id only if
 * its size and SHA-256 are the declared ones. {@code GET /files/<id>?exp=..&sig=..} serves it with a link
 * that {@code file_link} hands to room members: signed with a key of this process, valid for
 * {@link #LINK_TTL_MS}. No name from a client ever reaches the file system. An upload may take as long as
 * its bytes keep coming; one that sends nothing for {@code stallTimeout} while the server reads is cut off.
 */
final class RoomFiles {
    static final long LINK_TTL_MS = 5 * 60_000;
    private static final Pattern FILE_ID = Pattern.compile("f_[0-9a-z]{1,60}");
    private static final System.Logger log = System.getLogger(RoomFiles.class.getName());

    private final Vertx vertx;
    private final Path dir;
    private final Path incoming;
    private final Hub hub;
    private final Accounts accounts;
    private final Origins origins;
    private final Clock clock;
    private final Duration stallTimeout;
    private final byte[] key = new byte[32];

    private final ServerMetrics metrics;

    RoomFiles(Vertx vertx, Path dir, Hub hub, Accounts accounts, Origins origins, Clock clock, Duration stallTimeout) {
        this(vertx, dir, hub, accounts, origins, clock, stallTimeout, ServerMetrics.NONE);
    }

    RoomFiles(Vertx vertx, Path dir, Hub hub, Accounts accounts, Origins origins, Clock clock, Duration stallTimeout,
              ServerMetrics metrics) {
        this.metrics = metrics;
        this.vertx = vertx;
        this.dir = dir;
        this.incoming = dir.resolve("incoming");
        this.hub = hub;
        this.accounts = accounts;
        this.origins = origins;
        this.clock = clock;
        this.stallTimeout = stallTimeout;
        new SecureRandom().nextBytes(key);
        try {
            Files.createDirectories(incoming);
            // Uploads cut short by a crash are of no use: nothing refers to them.
            try (var stale = Files.list(incoming)) {
                for (Path p : stale.toList()) Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use " + dir + " for files", e);
        }
    }

    /** A link to the file for whoever asked (a room member, checked by the caller). */
    ServerLink link(String fileId) {
        long expires = clock.millis() + LINK_TTL_MS;
        return new ServerLink("/files/" + fileId + "?exp=" + expires + "&sig=" + sign(fileId, expires), expires);
    }

    record ServerLink(String url, long expires) {}

    private String sign(String fileId, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal((fileId + "|" + expires).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- download ---------------------------------------------------------------------------------

    void download(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        String sig = ctx.request().getParam("sig");
        long expires;
        try {
            expires = Long.parseLong(ctx.request().getParam("exp", ""));
        } catch (NumberFormatException e) {
            expires = -1;
        }
        if (!FILE_ID.matcher(id).matches() || sig == null || expires < clock.millis()
                || !MessageDigest.isEqual(sig.getBytes(StandardCharsets.UTF_8), sign(id, expires).getBytes(StandardCharsets.UTF_8))) {
            plain(ctx.response(), 403, "this link is not valid (or no longer): ask for a new one from the room");
            return;
        }
        Context context = vertx.getOrCreateContext(); // the request's own event loop
        hub.file(id).whenComplete((file, e) -> context.runOnContext(v -> {
            if (e != null || file == null || !file.meta().stored()) {
                plain(ctx.response(), 404, "no such file");
                return;
            }
            ctx.response()
                    .putHeader("Content-Type", "application/octet-stream")
                    .putHeader("Content-Disposition", "attachment; filename*=UTF-8''" + encode(file.meta().name()))
                    .putHeader("Cache-Control", "private, no-store")
                    .putHeader("Content-Security-Policy", "sandbox; default-src 'none'")
                    .sendFile(dir.resolve(id).toString())
                    .onSuccess(sent -> metrics.fileBytesOut.increment(file.meta().size()));
        }));
    }

    /** RFC 5987 percent-encoding of a file name for Content-Disposition. */
    private static String encode(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    // ---- upload -----------------------------------------------------------------------------------

    void upload(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        request.pause(); // until we know whose upload this is
        String id = ctx.pathParam("id");
        if (!origins.allows(request)) {
            refuse(ctx, 403, "this page's origin may not upload to Parley");
            return;
        }
        String token = SessionCookie.token(request);
        if (token == null) {
            refuse(ctx, 401, "sign in first: the upload needs your session cookie");
            return;
        }
        if (!FILE_ID.matcher(id).matches()) { // not an id this server makes: no one's file, whoever asks
            refuse(ctx, 404, "no such file of yours: send its file message first");
            return;
        }
        // Back on the request's own event loop: from another thread, runOnContext would pick another one,
        // and the upload's file writes and drain events would race the request's (a lost drain stalled it).
        Context context = vertx.getOrCreateContext();
        accounts.session(token).thenCombine(hub.file(id), Upload::new).whenComplete((u, e) ->
                context.runOnContext(v -> {
                    if (e != null) {
                        refuse(ctx, 503, "storage is unavailable; try again");
                    } else if (u.session() == null) {
                        refuse(ctx, 401, "sign in again: this session ended");
                    } else if (u.file() == null || !u.file().uploader().equals(u.session().user().id())) {
                        refuse(ctx, 404, "no such file of yours: send its file message first");
                    } else if (u.file().meta().stored()) {
                        refuse(ctx, 409, "this file is already uploaded");
                    } else {
                        receive(ctx, u.file());
                    }
                }));
    }

    private record Upload(Accounts.Session session, RoomFile file) {}

    private void receive(RoutingContext ctx, RoomFile file) {
        HttpServerRequest request = ctx.request();
        long declared = file.meta().size();
        String length = request.getHeader("Content-Length");
        if (length != null && !length.equals(String.valueOf(declared))) {
            refuse(ctx, 413, "the file message declared " + declared + " bytes, this upload has " + length);
            return;
        }
        // curl and other clients ask before sending a large body; browsers never do.
        if ("100-continue".equalsIgnoreCase(request.getHeader("Expect"))) ctx.response().writeContinue();
        Path temp = incoming.resolve(Ids.random("up_"));
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        vertx.fileSystem().open(temp.toString(), new OpenOptions().setCreateNew(true).setWrite(true)).onComplete(opened -> {
            if (opened.failed()) {
                log.log(System.Logger.Level.ERROR, "cannot create " + temp, opened.cause());
                refuse(ctx, 503, "the server cannot store files now");
                return;
            }
            AsyncFile out = opened.result();
            long[] received = {0};
            boolean[] over = {false};
            StallWatch stall = new StallWatch(request);
            request.handler(buf -> {
                if (over[0]) return;
                stall.bytesCame();
                received[0] += buf.length();
                if (received[0] > declared) {
                    over[0] = true;
                    stall.stop();
                    out.close().onComplete(c -> { // answered once nothing is left on disk
                        delete(temp);
                        refuse(ctx, 413, "more bytes than the " + declared + " the file message declared");
                    });
                    return;
                }
                sha.update(buf.getBytes());
                out.write(buf);
                if (out.writeQueueFull()) {
                    request.pause();
                    stall.waitingForDisk(true);
                    out.drainHandler(d -> {
                        stall.waitingForDisk(false);
                        request.resume();
                    });
                }
            });
            request.exceptionHandler(err -> {
                stall.stop();
                if (!over[0]) out.close().onComplete(c -> delete(temp));
                over[0] = true;
            });
            request.endHandler(end -> {
                stall.stop();
                if (over[0]) return;
                out.close().onComplete(closed -> {
                    String hash = HexFormat.of().formatHex(sha.digest());
                    if (closed.failed()) {
                        delete(temp);
                        refuse(ctx, 503, "the server could not write the file");
                    } else if (received[0] != declared) {
                        delete(temp);
                        refuse(ctx, 400, "the upload ended after " + received[0] + " of " + declared + " bytes");
                    } else if (!hash.equals(file.meta().sha256())) {
                        delete(temp);
                        refuse(ctx, 422, "these bytes do not have the SHA-256 the file message declared");
                    } else {
                        keep(ctx, file, temp);
                    }
                });
            });
            request.resume();
        });
    }

    /**
     * Closes an upload's connection once no byte has come for {@code stallTimeout} while the server was
     * reading (time spent waiting for the disk does not count). Runs on the request's event loop.
     */
    private final class StallWatch {
        private final HttpServerRequest request;
        private long lastByte = System.nanoTime();
        private boolean waitingForDisk;
        private boolean stopped;
        private long timer;

        StallWatch(HttpServerRequest request) {
            this.request = request;
            check();
        }

        void bytesCame() {
            lastByte = System.nanoTime();
        }

        void waitingForDisk(boolean waiting) {
            waitingForDisk = waiting;
            lastByte = System.nanoTime();
        }

        void stop() {
            stopped = true;
            vertx.cancelTimer(timer);
        }

        /** Closes the connection if the upload stalled; else looks again when it would have. */
        private void check() {
            if (stopped) return;
            long quiet = Duration.ofNanos(System.nanoTime() - lastByte).toMillis();
            if (!waitingForDisk && quiet >= stallTimeout.toMillis()) {
                stopped = true;
                request.connection().close(); // the exception handler deletes what came
                return;
            }
            timer = vertx.setTimer(waitingForDisk ? stallTimeout.toMillis() : stallTimeout.toMillis() - quiet, t -> check());
        }
    }

    /** Moves the verified upload under its file id (fsync'd), then has the hub record it and tell the room. */
    private void keep(RoutingContext ctx, RoomFile file, Path temp) {
        String id = file.meta().id();
        io.vertx.core.Context context = vertx.getOrCreateContext(); // the request's event loop: it answers there
        vertx.<Void>executeBlocking(() -> {
            try (var ch = java.nio.channels.FileChannel.open(temp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(temp, dir.resolve(id), StandardCopyOption.ATOMIC_MOVE);
            return null;
        }).compose(v -> io.vertx.core.Future.fromCompletionStage(hub.fileStored(file), context))
                .onComplete(done -> {
                    if (done.failed()) {
                        delete(temp);
                        log.log(System.Logger.Level.ERROR, "cannot keep file " + id, done.cause());
                        refuse(ctx, 503, "the server could not keep the file; upload it again");
                        return;
                    }
                    if (!done.result()) { // its room was deleted while the bytes came: they go with it
                        delete(dir.resolve(id));
                        refuse(ctx, 404, "no such file: its room was deleted");
                        return;
                    }
                    metrics.fileBytesIn.increment(file.meta().size());
                    plain(ctx.response(), 201, "stored");
                });
    }

    /** Deletes the bytes of these files (their room was deleted), off the caller's thread. */
    void forget(java.util.List<String> ids) {
        if (ids.isEmpty()) return;
        Thread.ofVirtual().name("forget-files").start(() -> ids.forEach(id -> delete(dir.resolve(id))));
    }

    private static void delete(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            log.log(System.Logger.Level.WARNING, "cannot delete " + p, e);
        }
    }

    /** Refuses; the body the client may still be sending is drained first (see {@link Refuse}). */
    private void refuse(RoutingContext ctx, int status, String why) {
        Refuse.refuse(vertx, ctx, status, "text/plain; charset=utf-8", why + "\n");
    }

    private static void plain(HttpServerResponse r, int status, String text) {
        if (r.ended()) return;
        r.setStatusCode(status).putHeader("Content-Type", "text/plain; charset=utf-8").end(text + "\n");
    }
}
