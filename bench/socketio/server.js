// The reference server of Parley's benchmarks: the Socket.IO rooms pattern of the original chat design,
// and nothing more. A client joins a room; a message is sent to everyone in the room with
// io.to(room).emit. A call signal goes to one socket (every socket is alone in the room named by its id)
// when the sender is in the room it names. Nothing is stored. Usage: node server.js <port>
'use strict';
const { Server } = require('socket.io');

const port = Number(process.argv[2] || 3000);
const io = new Server(port, { transports: ['websocket'], serveClient: false, perMessageDeflate: false });

io.on('connection', (socket) => {
  socket.on('join', (room, ack) => {
    socket.join(room);
    if (typeof ack === 'function') ack();
  });
  socket.on('send', (message, ack) => {
    io.to(message.room).emit('message', message);
    if (typeof ack === 'function') ack();
  });
  socket.on('signal', (signal) => {
    if (!socket.rooms.has(signal.room)) return;
    io.to(signal.to).emit('signal', { room: signal.room, from: socket.id, text: signal.text });
  });
});

console.log(`socket.io reference listening on ${port}`);
