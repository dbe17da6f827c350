package parley.room;

public record MemberInfo(SessionId sessionId, UserId userId, String name) {}
