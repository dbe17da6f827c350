package parley.transport;

import parley.protocol.Codec;
import parley.protocol.ServerMessage;
import parley.room.Hub;

/** What every WebSocket session shares. */
record Services(Hub hub, Codec codec, Wire wire, int maxFrameBytes, int maxQueuedBytes,
                IceServers ice, java.time.Duration callGrace, ServerMessage.Limits limits,
                RoomFiles files, long maxUploadBytes, WebServer.Guards guards) {}
