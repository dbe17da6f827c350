package parley.room;

public record ClientInfo(SessionId sessionId, UserId userId, String name) {}
