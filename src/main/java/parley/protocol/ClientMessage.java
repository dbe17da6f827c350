package parley.protocol;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * Every message a client may send, one record per {@code type}. Records check their own fields in
 * their compact constructors and throw {@link ProtocolException} with code {@code bad_message}, so a
 * decoded message is always valid. {@code ref} is optional on every message and echoed on replies.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = ClientMessage.Hello.class, name = "hello"),
    @JsonSubTypes.Type(value = ClientMessage.Ping.class, name = "ping"),
    @JsonSubTypes.Type(value = ClientMessage.ListRooms.class, name = "list_rooms"),
    @JsonSubTypes.Type(value = ClientMessage.CreateRoom.class, name = "create_room"),
    @JsonSubTypes.Type(value = ClientMessage.Join.class, name = "join"),
    @JsonSubTypes.Type(value = ClientMessage.Leave.class, name = "leave"),
    @JsonSubTypes.Type(value = ClientMessage.Send.class, name = "send"),
    @JsonSubTypes.Type(value = ClientMessage.History.class, name = "history"),
    @JsonSubTypes.Type(value = ClientMessage.Typing.class, name = "typing"),
    @JsonSubTypes.Type(value = ClientMessage.CallJoin.class, name = "call_join"),
    @JsonSubTypes.Type(value = ClientMessage.CallLeave.class, name = "call_leave"),
    @JsonSubTypes.Type(value = ClientMessage.Signal.class, name = "signal"),
    @JsonSubTypes.Type(value = ClientMessage.CallMedia.class, name = "call_media"),
    @JsonSubTypes.Type(value = ClientMessage.FileLink.class, name = "file_link"),
    @JsonSubTypes.Type(value = ClientMessage.FileSignal.class, name = "file_signal"),
    @JsonSubTypes.Type(value = ClientMessage.IceServers.class, name = "ice_servers"),
    @JsonSubTypes.Type(value = ClientMessage.Direct.class, name = "direct"),
    @JsonSubTypes.Type(value = ClientMessage.FindUsers.class, name = "find_users"),
    @JsonSubTypes.Type(value = ClientMessage.Members.class, name = "members"),
    @JsonSubTypes.Type(value = ClientMessage.Invite.class, name = "invite"),
    @JsonSubTypes.Type(value = ClientMessage.SetRole.class, name = "set_role"),
    @JsonSubTypes.Type(value = ClientMessage.Kick.class, name = "kick"),
    @JsonSubTypes.Type(value = ClientMessage.Ban.class, name = "ban"),
    @JsonSubTypes.Type(value = ClientMessage.Unban.class, name = "unban"),
    @JsonSubTypes.Type(value = ClientMessage.Quit.class, name = "quit"),
    @JsonSubTypes.Type(value = ClientMessage.DeleteRoom.class, name = "delete_room"),
    @JsonSubTypes.Type(value = ClientMessage.Edit.class, name = "edit"),
    @JsonSubTypes.Type(value = ClientMessage.Delete.class, name = "delete"),
    @JsonSubTypes.Type(value = ClientMessage.React.class, name = "react"),
    @JsonSubTypes.Type(value = ClientMessage.Read.class, name = "read"),
    @JsonSubTypes.Type(value = ClientMessage.Notify.class, name = "notify"),
    @JsonSubTypes.Type(value = ClientMessage.Search.class, name = "search"),
    @JsonSubTypes.Type(value = ClientMessage.CallReport.class, name = "call_report"),
    @JsonSubTypes.Type(value = ClientMessage.Calls.class, name = "calls"),
})
public sealed interface ClientMessage {

    int MAX_REF = 64;
    int MAX_NAME = 64;
    int MAX_TOPIC = 256;
    int MAX_ID = 64;

    String ref();

    /**
     * The first message: the client is ready. Who it is comes from the session cookie of the upgrade, never
     * from here. {@code resume}: the session id of a connection that dropped, to take up its place in calls again.
     */
    record Hello(String ref, String resume) implements ClientMessage {
        public Hello {
            ref = Check.ref(ref);
            if (resume != null) resume = Check.id("resume", resume);
        }
    }

    record Ping(String ref) implements ClientMessage {
        public Ping {
            ref = Check.ref(ref);
        }
    }

    record ListRooms(String ref) implements ClientMessage {
        public ListRooms {
            ref = Check.ref(ref);
        }
    }

    /** {@code private}: only its members see it (default false). */
    record CreateRoom(String ref, String name, String topic,
                      @com.fasterxml.jackson.annotation.JsonProperty("private") Boolean isPrivate) implements ClientMessage {
        public CreateRoom {
            ref = Check.ref(ref);
            name = Check.displayName("name", name, MAX_NAME);
            topic = topic == null ? "" : Check.optionalText("topic", topic.strip(), MAX_TOPIC);
            isPrivate = Boolean.TRUE.equals(isPrivate);
        }

        public CreateRoom(String ref, String name, String topic) {
            this(ref, name, topic, false);
        }
    }

    /** {@code since} is null when the client holds nothing of the room yet. */
    record Join(String ref, String room, Long since) implements ClientMessage {
        public Join {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            if (since != null && since < 0) throw Check.bad("since must be >= 0");
        }
    }

    record Leave(String ref, String room) implements ClientMessage {
        public Leave {
            ref = Check.ref(ref);
            room = Check.id("room", room);
        }
    }

    /**
     * A chat message, or with {@code file} a file message ({@code text} then is an optional caption).
     * The text length and file size limits are server settings, so the dispatcher checks them.
     * {@code replyTo}: the seq of the message of the room it answers, or null.
     */
    record Send(String ref, String room, String clientId, String text, FileOffer file, Long replyTo) implements ClientMessage {
        public Send {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            clientId = Check.id("clientId", clientId);
            if (text == null && file == null) throw Check.bad("text is required");
            text = Check.body("text", text == null ? "" : text.stripTrailing());
            if (text.isEmpty() && file == null) throw Check.bad("text must not be empty");
            if (replyTo != null && replyTo < 1) throw Check.bad("replyTo must be a message's seq, 1 or more");
        }

        public Send(String ref, String room, String clientId, String text, FileOffer file) {
            this(ref, room, clientId, text, file, null);
        }

        public Send(String ref, String room, String clientId, String text) {
            this(ref, room, clientId, text, null);
        }
    }

    int MAX_FILE_NAME = 255;
    int MAX_FILE_TYPE = 127;
    /** The largest preview picture, in bytes once its base64 is decoded. */
    int MAX_PREVIEW_BYTES = 32 * 1024;
    /** The largest width or height, in pixels, that a preview may say its full picture has. */
    int MAX_PICTURE_SIDE = 65_535;

    /**
     * What a sender says of a file it shares. The name is only ever shown, and comes from the sender's
     * disk, so it is made safe rather than refused: any folder part is cut off and each character a name
     * may not hold (parley.room.Text: control characters, NUL among them, lone surrogates, bidirectional
     * controls) becomes "_". A type that is not a plain media type becomes application/octet-stream.
     * {@code preview} is optional: a thumbnail the sender made (of a picture, say).
     */
    record FileOffer(String name, Long size, String type, String sha256, PreviewOffer preview) {
        private static final java.util.regex.Pattern MEDIA_TYPE =
                java.util.regex.Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*");
        private static final java.util.regex.Pattern SHA256 = java.util.regex.Pattern.compile("[0-9a-f]{64}");

        public FileOffer {
            if (name == null) throw Check.bad("file.name is required");
            if (name.length() > 4 * MAX_FILE_NAME) throw Check.bad("file.name must be at most " + MAX_FILE_NAME + " characters");
            name = safeName(name);
            if (size == null || size < 0) throw Check.bad("file.size must be a number of bytes, 0 or more");
            type = type == null ? "" : type.strip().toLowerCase(java.util.Locale.ROOT);
            if (type.length() > MAX_FILE_TYPE || !MEDIA_TYPE.matcher(type).matches()) type = "application/octet-stream";
            if (sha256 == null || !SHA256.matcher(sha256.toLowerCase(java.util.Locale.ROOT)).matches()) {
                throw Check.bad("file.sha256 must be the SHA-256 of the file in 64 hex digits");
            }
            sha256 = sha256.toLowerCase(java.util.Locale.ROOT);
        }

        public FileOffer(String name, Long size, String type, String sha256) {
            this(name, size, type, sha256, null);
        }

        static String safeName(String raw) {
            String base = raw.substring(Math.max(raw.lastIndexOf('/'), raw.lastIndexOf('\\')) + 1);
            String name = parley.room.Text.replaceInName(base, '_').strip();
            if (name.codePointCount(0, name.length()) > MAX_FILE_NAME) {
                // Stripped again: the cut may leave a space at the end.
                name = name.substring(0, name.offsetByCodePoints(0, MAX_FILE_NAME)).strip();
            }
            return !parley.room.Text.visible(name) || name.equals(".") || name.equals("..") ? "file" : name;
        }
    }

    /**
     * A thumbnail for a shared file: {@code image} is a {@code data:} URL of a WebP, JPEG or PNG picture of at
     * most {@link #MAX_PREVIEW_BYTES} bytes whose first bytes are those of its type (so that no other kind of
     * content, SVG with its scripts above all, can pass for a preview); {@code width} and {@code height} are
     * the full picture's, in pixels.
     */
    record PreviewOffer(String image, Integer width, Integer height) {
        private static final java.util.regex.Pattern DATA_URL =
                java.util.regex.Pattern.compile("data:image/(webp|jpeg|png);base64,([A-Za-z0-9+/]*={0,2})");

        public PreviewOffer {
            if (image == null || image.length() > 64 + (MAX_PREVIEW_BYTES + 2) / 3 * 4) {
                throw Check.bad("file.preview.image must be a data: URL of at most " + MAX_PREVIEW_BYTES + " bytes");
            }
            java.util.regex.Matcher m = DATA_URL.matcher(image);
            if (!m.matches()) throw Check.bad("file.preview.image must be a data:image/webp, image/jpeg or image/png URL in base64");
            byte[] bytes;
            try {
                bytes = java.util.Base64.getDecoder().decode(m.group(2));
            } catch (IllegalArgumentException e) {
                throw Check.bad("file.preview.image is not valid base64");
            }
            if (bytes.length > MAX_PREVIEW_BYTES) throw Check.bad("file.preview.image must be at most " + MAX_PREVIEW_BYTES + " bytes");
            if (!looksLike(m.group(1), bytes)) throw Check.bad("file.preview.image does not hold a " + m.group(1) + " picture");
            if (width == null || height == null || width < 1 || height < 1 || width > MAX_PICTURE_SIDE || height > MAX_PICTURE_SIDE) {
                throw Check.bad("file.preview.width and height must be the picture's size, 1 to " + MAX_PICTURE_SIDE + " pixels");
            }
        }

        /** Whether the bytes start as a picture of that type does. */
        private static boolean looksLike(String type, byte[] b) {
            return switch (type) {
                case "png" -> starts(b, 0, 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
                case "jpeg" -> starts(b, 0, 0xff, 0xd8, 0xff);
                case "webp" -> starts(b, 0, 'R', 'I', 'F', 'F') && starts(b, 8, 'W', 'E', 'B', 'P');
                default -> false;
            };
        }

        private static boolean starts(byte[] b, int at, int... expected) {
            if (b.length < at + expected.length) return false;
            for (int i = 0; i < expected.length; i++) if ((b[at + i] & 0xff) != expected[i]) return false;
            return true;
        }
    }

    /** Asks for a short-lived download link to a file of a room the sender is in. */
    record FileLink(String ref, String room, String file) implements ClientMessage {
        public FileLink {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            file = Check.id("file", file);
        }
    }

    /** {@code before} null means the latest page; {@code limit} null means the default page size. */
    record History(String ref, String room, Long before, Integer limit) implements ClientMessage {
        public History {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            if (before != null && before < 1) throw Check.bad("before must be >= 1");
            if (limit != null && limit < 1) throw Check.bad("limit must be >= 1");
        }
    }

    record Typing(String ref, String room, Boolean active) implements ClientMessage {
        public Typing {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            if (active == null) throw Check.bad("active is required");
        }
    }

    record CallJoin(String ref, String room) implements ClientMessage {
        public CallJoin {
            ref = Check.ref(ref);
            room = Check.id("room", room);
        }
    }

    /** What this participant sends now: microphone on, camera on, screen shared. */
    record CallMedia(String ref, String room, Boolean audio, Boolean video, Boolean screen) implements ClientMessage {
        public CallMedia {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            if (audio == null || video == null || screen == null) throw Check.bad("audio, video and screen are required");
        }
    }

    record CallLeave(String ref, String room) implements ClientMessage {
        public CallLeave {
            ref = Check.ref(ref);
            room = Check.id("room", room);
        }
    }

    /** A session description (offer, answer, pranswer, rollback); {@code sdp} is checked by {@link Sdp}. */
    record Description(String type, String sdp) {
        public Description {
            if (type == null || !java.util.Set.of("offer", "answer", "pranswer", "rollback").contains(type)) {
                throw Check.bad("description.type must be offer, answer, pranswer or rollback");
            }
            if (type.equals("rollback")) {
                sdp = sdp == null ? "" : sdp;
            } else {
                Sdp.check(sdp);
            }
        }
    }

    /** An ICE candidate as the browser gives it; an empty {@code candidate} means end of candidates. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record Candidate(String candidate, String sdpMid, Integer sdpMLineIndex, String usernameFragment) {
        public Candidate {
            if (candidate == null) throw Check.bad("candidate.candidate is required");
            if (candidate.length() > 1024) throw Check.bad("candidate.candidate must be at most 1024 characters");
            if (!candidate.isEmpty() && !candidate.startsWith("candidate:")) throw Check.bad("candidate.candidate must start with candidate:");
            sdpMid = Check.optionalText("candidate.sdpMid", sdpMid, 64);
            usernameFragment = Check.optionalText("candidate.usernameFragment", usernameFragment, 256);
            if (sdpMLineIndex != null && (sdpMLineIndex < 0 || sdpMLineIndex > 1024)) throw Check.bad("candidate.sdpMLineIndex out of range");
        }
    }

    /** WebRTC signalling to one other participant of the same call: exactly one of description or candidate. */
    record Signal(String ref, String room, String to, Description description, Candidate candidate) implements ClientMessage {
        public Signal {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            to = Check.id("to", to);
            if ((description == null) == (candidate == null)) throw Check.bad("a signal carries exactly one of description or candidate");
        }
    }

    /**
     * Peer-to-peer file transfer signalling to one other member of the same room (not only of a call):
     * exactly one of description, candidate, {@code want} (the receiver asks the sender to send the file
     * from that byte on, over a new connection) or {@code cancel} (true: this side stops the transfer).
     */
    record FileSignal(String ref, String room, String to, String file, Description description, Candidate candidate,
                      Long want, Boolean cancel) implements ClientMessage {
        public FileSignal {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            to = Check.id("to", to);
            file = Check.id("file", file);
            if (Boolean.FALSE.equals(cancel)) throw Check.bad("cancel, when present, is true");
            int carried = (description == null ? 0 : 1) + (candidate == null ? 0 : 1) + (want == null ? 0 : 1)
                    + (cancel == null ? 0 : 1);
            if (carried != 1) throw Check.bad("a file_signal carries exactly one of description, candidate, want or cancel");
            if (want != null && want < 0) throw Check.bad("want must be a byte offset, 0 or more");
        }
    }

    /** Asks for ICE servers (with fresh TURN credentials) for a connection outside a call. */
    record IceServers(String ref) implements ClientMessage {
        public IceServers {
            ref = Check.ref(ref);
        }
    }

    // ---- membership (docs/protocol.md, "Kinds of room, roles") ----------------------------------------

    /** Opens the direct room with {@code user}. */
    record Direct(String ref, String user) implements ClientMessage {
        public Direct {
            ref = Check.ref(ref);
            user = Check.id("user", user);
        }
    }

    record FindUsers(String ref, String query) implements ClientMessage {
        public FindUsers {
            ref = Check.ref(ref);
            query = Check.displayName("query", query, MAX_NAME);
        }
    }

    record Members(String ref, String room) implements ClientMessage {
        public Members {
            ref = Check.ref(ref);
            room = Check.id("room", room);
        }
    }

    record Invite(String ref, String room, String user) implements ClientMessage {
        public Invite {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            user = Check.id("user", user);
        }
    }

    /** {@code role}: owner, moderator or member. */
    record SetRole(String ref, String room, String user, String role) implements ClientMessage {
        public SetRole {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            user = Check.id("user", user);
            if (!"owner".equals(role) && !"moderator".equals(role) && !"member".equals(role)) {
                throw Check.bad("role must be owner, moderator or member");
            }
        }
    }

    record Kick(String ref, String room, String user) implements ClientMessage {
        public Kick {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            user = Check.id("user", user);
        }
    }

    record Ban(String ref, String room, String user) implements ClientMessage {
        public Ban {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            user = Check.id("user", user);
        }
    }

    record Unban(String ref, String room, String user) implements ClientMessage {
        public Unban {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            user = Check.id("user", user);
        }
    }

    /** Gives up one's membership of a private room. */
    record Quit(String ref, String room) implements ClientMessage {
        public Quit {
            ref = Check.ref(ref);
            room = Check.id("room", room);
        }
    }

    record DeleteRoom(String ref, String room) implements ClientMessage {
        public DeleteRoom {
            ref = Check.ref(ref);
            room = Check.id("room", room);
        }
    }

    // ---- changes to messages (docs/protocol.md, "edit", "delete", "react") -----------------------------

    /**
     * Replaces the text of one's own message {@code target} (its seq). The text length limit is a server
     * setting, so the hub checks it. {@code clientId} makes a retry harmless, as for {@link Send}.
     */
    record Edit(String ref, String room, String clientId, Long target, String text) implements ClientMessage {
        public Edit {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            clientId = Check.id("clientId", clientId);
            target = targetSeq(target);
            if (text == null) throw Check.bad("text is required");
            text = Check.body("text", text.stripTrailing());
            if (text.isEmpty()) throw Check.bad("text must not be empty (to take a message away, delete it)");
        }
    }

    record Delete(String ref, String room, String clientId, Long target) implements ClientMessage {
        public Delete {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            clientId = Check.id("clientId", clientId);
            target = targetSeq(target);
        }
    }

    /** Toggles one's {@code emoji} on message {@code target}: adds it, or takes it away if it is there. */
    record React(String ref, String room, String clientId, Long target, String emoji) implements ClientMessage {
        public React {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            clientId = Check.id("clientId", clientId);
            target = targetSeq(target);
            emoji = Emoji.check("emoji", emoji);
        }
    }

    // ---- read state (docs/protocol.md, "Read state") ---------------------------------------------------

    /** The person has read the room up to {@code seq}: their marker moves there, if that is forward. */
    record Read(String ref, String room, Long seq) implements ClientMessage {
        public Read {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            if (seq == null) throw Check.bad("seq is required");
            if (seq < 0) throw Check.bad("seq must be 0 or more");
        }
    }

    /** How the person wants to be notified of the room's messages: {@code all}, {@code mentions} or {@code none}. */
    record Notify(String ref, String room, String level) implements ClientMessage {
        public Notify {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            if (!"all".equals(level) && !"mentions".equals(level) && !"none".equals(level)) {
                throw Check.bad("level must be all, mentions or none");
            }
        }
    }

    /**
     * A participant's summary of its part in a call so far ({@code final}: its last one for this call). The
     * report's size limit is a server setting, so the dispatcher checks it; every field is checked here.
     */
    record CallReport(String ref, String room, String call,
                      @com.fasterxml.jackson.annotation.JsonProperty("final") Boolean last, Report report) implements ClientMessage {
        public CallReport {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            call = Check.id("call", call);
            last = Boolean.TRUE.equals(last);
            if (report == null) throw Check.bad("report is required");
        }
    }

    /** The recent calls of a room, newest first, for its owners and the server's admins. */
    record Calls(String ref, String room, Integer limit) implements ClientMessage {
        public static final int MAX_LIMIT = 100;
        public static final int DEFAULT_LIMIT = 20;

        public Calls {
            ref = Check.ref(ref);
            room = Check.id("room", room);
            if (limit != null && (limit < 1 || limit > MAX_LIMIT)) throw Check.bad("limit must be between 1 and " + MAX_LIMIT);
            if (limit == null) limit = DEFAULT_LIMIT;
        }
    }

    /**
     * What a call was like for one participant (docs/protocol.md, {@code call_report}): numbers as the client
     * wrote them ({@link java.math.BigDecimal}, so that a stored report reads back as it was sent), each in range.
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record Report(Integer seconds, Integer iceRestarts, Figures figures, java.util.List<Minute> minutes,
                  java.util.List<CandidatePair> candidates, java.util.List<Failure> failures) {
        public static final int MAX_SECONDS = 7 * 24 * 3600;
        public static final int MAX_MINUTES = 240;
        public static final int MAX_CANDIDATES = 32;
        public static final int MAX_FAILURES = 16;

        public Report {
            if (seconds == null || seconds < 0 || seconds > MAX_SECONDS) throw Check.bad("report.seconds must be between 0 and " + MAX_SECONDS);
            if (iceRestarts == null) iceRestarts = 0;
            if (iceRestarts < 0 || iceRestarts > 10_000) throw Check.bad("report.iceRestarts must be between 0 and 10000");
            minutes = listOf("report.minutes", minutes, MAX_MINUTES);
            candidates = listOf("report.candidates", candidates, MAX_CANDIDATES);
            failures = listOf("report.failures", failures, MAX_FAILURES);
        }

        private static <T> java.util.List<T> listOf(String field, java.util.List<T> list, int max) {
            if (list == null) return null;
            if (list.size() > max) throw Check.bad(field + " must hold at most " + max + " entries");
            if (list.contains(null)) throw Check.bad(field + " must not hold null");
            return java.util.List.copyOf(list);
        }
    }

    /** Each figure's average over the call and its value in the worst minute; absent when not measured. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record Figures(Range sendBitrate, Range receiveBitrate, Range loss, Range jitter, Range rtt, Range fps) {
        public Figures {
            Figure.checkAll("report.figures", "avg", Range.avg(sendBitrate), Range.avg(receiveBitrate), Range.avg(loss),
                    Range.avg(jitter), Range.avg(rtt), Range.avg(fps));
            Figure.checkAll("report.figures", "worst", Range.worst(sendBitrate), Range.worst(receiveBitrate), Range.worst(loss),
                    Range.worst(jitter), Range.worst(rtt), Range.worst(fps));
        }
    }

    record Range(java.math.BigDecimal avg, java.math.BigDecimal worst) {
        public Range {
            if (avg == null || worst == null) throw Check.bad("a figure needs avg and worst");
        }

        static java.math.BigDecimal avg(Range r) {
            return r == null ? null : r.avg();
        }

        static java.math.BigDecimal worst(Range r) {
            return r == null ? null : r.worst();
        }
    }

    /** One minute of the call, for charts: each figure's average over that minute; absent when not measured. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record Minute(java.math.BigDecimal sendBitrate, java.math.BigDecimal receiveBitrate, java.math.BigDecimal loss,
                  java.math.BigDecimal jitter, java.math.BigDecimal rtt, java.math.BigDecimal fps) {
        public Minute {
            Figure.checkAll("report.minutes", "", sendBitrate, receiveBitrate, loss, jitter, rtt, fps);
        }
    }

    /** The ranges of the figures: bits per second, per cent, milliseconds, frames per second. */
    enum Figure {
        BITRATE(10_000_000_000L), PERCENT(100), MILLISECONDS(600_000), FPS(1_000);

        private final java.math.BigDecimal max;

        Figure(long max) {
            this.max = java.math.BigDecimal.valueOf(max);
        }

        void check(String field, java.math.BigDecimal value) {
            if (value != null && (value.signum() < 0 || value.compareTo(max) > 0)) {
                throw Check.bad(field + " must be between 0 and " + max);
            }
        }

        /** The six figures, in their order everywhere; {@code part}: avg, worst, or "" for a minute's. */
        static void checkAll(String where, String part, java.math.BigDecimal sendBitrate, java.math.BigDecimal receiveBitrate,
                             java.math.BigDecimal loss, java.math.BigDecimal jitter, java.math.BigDecimal rtt, java.math.BigDecimal fps) {
            String suffix = part.isEmpty() ? "" : "." + part;
            BITRATE.check(where + ".sendBitrate" + suffix, sendBitrate);
            BITRATE.check(where + ".receiveBitrate" + suffix, receiveBitrate);
            PERCENT.check(where + ".loss" + suffix, loss);
            MILLISECONDS.check(where + ".jitter" + suffix, jitter);
            MILLISECONDS.check(where + ".rtt" + suffix, rtt);
            FPS.check(where + ".fps" + suffix, fps);
        }
    }

    /** The candidate pair a connection used: each side's type, and the transport (a relay's own, if any). */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record CandidatePair(String local, String remote, String protocol, String relayProtocol) {
        private static final java.util.Set<String> TYPES = java.util.Set.of("host", "srflx", "prflx", "relay");

        public CandidatePair {
            oneOf("report.candidates.local", local, TYPES);
            oneOf("report.candidates.remote", remote, TYPES);
            oneOf("report.candidates.protocol", protocol, java.util.Set.of("udp", "tcp"));
            if (relayProtocol != null) oneOf("report.candidates.relayProtocol", relayProtocol, java.util.Set.of("udp", "tcp", "tls"));
        }
    }

    /** Something that went wrong, {@code at} seconds into the call; {@code detail} for people, one line. */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    record Failure(String reason, Integer at, String detail) {
        public static final java.util.Set<String> REASONS =
                java.util.Set.of("no_relay", "udp_blocked", "relay_failed", "media_blocked", "ice_failed", "other");

        public Failure {
            oneOf("report.failures.reason", reason, REASONS);
            if (at == null || at < 0 || at > Report.MAX_SECONDS) throw Check.bad("report.failures.at must be between 0 and " + Report.MAX_SECONDS);
            detail = Check.optionalText("report.failures.detail", detail, 200);
        }
    }

    private static void oneOf(String field, String value, java.util.Set<String> allowed) {
        if (value == null || !allowed.contains(value)) throw Check.bad(field + " must be one of " + new java.util.TreeSet<>(allowed));
    }

    private static Long targetSeq(Long target) {
        if (target == null) throw Check.bad("target is required");
        if (target < 1) throw Check.bad("target must be a message's seq, 1 or more");
        return target;
    }

    /**
     * A full-text search of the messages of the rooms one may see ({@code room}: of that room only).
     * {@code query}'s words must all be in a message's text; at least one has three characters or more,
     * what the trigram index can look up ({@link parley.room.Search#MIN_WORD_CHARS}). Its longest length
     * and the page's size are server settings, so the hub checks them. {@code before}: the last result of
     * the previous page, to go on from.
     */
    record Search(String ref, String query, String room, Position before, Integer limit) implements ClientMessage {
        public Search {
            ref = Check.ref(ref);
            if (query == null) throw Check.bad("query is required");
            query = Check.optionalText("query", query.strip(), MAX_QUERY_FRAME_CHARS);
            if (parley.room.Search.words(query).stream().noneMatch(parley.room.Search::indexable)) {
                throw Check.bad("query needs a word of at least " + parley.room.Search.MIN_WORD_CHARS + " characters");
            }
            if (room != null) room = Check.id("room", room);
            if (limit != null && limit < 1) throw Check.bad("limit must be >= 1");
        }
    }

    /** A search result, as a paging cursor: its room and seq. */
    record Position(String room, Long seq) {
        public Position {
            room = Check.id("before.room", room);
            if (seq == null || seq < 1) throw Check.bad("before.seq must be a message's seq, 1 or more");
        }
    }

    /** Longer queries are not even read: the hub's limit (search-max-chars) is far below. */
    int MAX_QUERY_FRAME_CHARS = 4000;
}
