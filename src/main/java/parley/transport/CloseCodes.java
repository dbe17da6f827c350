package parley.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

/**
 * Refuses a client's close frame whose code RFC 6455 (7.4) gives no meaning: 5000 and above. Netty's decoder
 * checks the other ranges but lets these through, and Vert.x would echo them back as if they were valid; so
 * they are turned into the protocol error (1002) that the decoder raises for the rest, before Vert.x sees
 * them. Stateless: one instance serves every socket.
 */
@ChannelHandler.Sharable
final class CloseCodes extends ChannelInboundHandlerAdapter {
    static final CloseCodes INSTANCE = new CloseCodes();
    /** Codes run to 4999 (private use); beyond it none is defined. */
    private static final int HIGHEST = 4999;

    private CloseCodes() {}

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof CloseWebSocketFrame close && close.content().readableBytes() >= 2 && close.statusCode() > HIGHEST) {
            int code = close.statusCode();
            close.release();
            ctx.fireExceptionCaught(new CorruptedWebSocketFrameException(WebSocketCloseStatus.PROTOCOL_ERROR,
                    "close code " + code + " is not defined"));
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
