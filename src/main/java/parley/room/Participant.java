package parley.room;

/**
 * Someone in a room's call. {@code order} is their place in joining order (1, 2, 3, ... within one call):
 * between two participants the one who joined later is the polite peer of perfect negotiation.
 */
public record Participant(MemberInfo member, int order) {}
