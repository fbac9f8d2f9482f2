/**
 * The floor: a websocket relay that forwards every frame to the other sockets of its room and
 * does nothing else (no decoding, no document, no storage). What is left is the cost of the
 * websocket itself. Started as its own process: `PORT=1234 node dist/servers/raw-relay.js`.
 */
import http from 'node:http'
import { type RawData, type WebSocket, WebSocketServer } from 'ws'

const port = Number(process.env.PORT ?? '1234')
const rooms = new Map<string, Set<WebSocket>>()

const server = http.createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'text/plain' })
  response.end('raw relay')
})
const wss = new WebSocketServer({ server, perMessageDeflate: false })

wss.on('connection', (socket, request) => {
  const name = request.url ?? '/'
  let room = rooms.get(name)
  if (room === undefined) {
    room = new Set()
    rooms.set(name, room)
  }
  const peers = room
  peers.add(socket)
  socket.on('message', (data: RawData) => {
    for (const peer of peers) if (peer !== socket) peer.send(data as Buffer)
  })
  socket.on('close', () => {
    peers.delete(socket)
    if (peers.size === 0) rooms.delete(name)
  })
})

server.listen(port, '127.0.0.1')
process.on('SIGTERM', () => process.exit(0))
