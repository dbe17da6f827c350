// The reference server of Parley's benchmarks: the Socket.IO rooms pattern of the original chat design,
// and nothing more. A client joins a room; a message is sent to everyone in the room with
// io.to(room).emit. Nothing is stored. Usage: node server.js <port>
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
});

console.log(`socket.io reference listening on ${port}`);
