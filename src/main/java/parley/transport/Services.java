package parley.transport;

import parley.protocol.Codec;
import parley.protocol.ServerMessage;
import parley.room.Hub;

/** What every WebSocket session shares. */
record Services(Hub hub, Codec codec, Wire wire, int maxFrameBytes, int maxQueuedBytes,
                IceServers ice, java.time.Duration callGrace, ServerMessage.Limits limits,
                RoomFiles files, long maxUploadBytes, WebServer.Guards guards, WebServer.CallReports reports,
                ServerMetrics metrics) {

    Services(Hub hub, Codec codec, Wire wire, int maxFrameBytes, int maxQueuedBytes, IceServers ice, java.time.Duration callGrace,
             ServerMessage.Limits limits, RoomFiles files, long maxUploadBytes, WebServer.Guards guards) {
        this(hub, codec, wire, maxFrameBytes, maxQueuedBytes, ice, callGrace, limits, files, maxUploadBytes, guards,
                WebServer.CallReports.DEFAULTS, ServerMetrics.NONE);
    }
}
