// How clients open their Socket.IO connection (docs/scaling.md#behind-a-load-balancer). WebSocket
// first: one HTTP request that upgrades and then stays on one TCP connection, so a balancer in front
// of several processes needs no sticky sessions. Long-polling only when WebSocket cannot open (a
// proxy that refuses upgrades); its many requests must then all reach the same process, which is
// what sticky sessions are for.
export const SOCKET_TRANSPORTS: { transports: string[]; tryAllTransports: boolean } = {
  transports: ['websocket', 'polling'],
  tryAllTransports: true
};

/**
 * What a refused handshake carries (`connect_error`'s `data`) when the refusal is only for now:
 * the server is shutting down for a restart, or cannot check sessions at the moment. The client
 * tries again; any other refusal (signed out, session ended, too many tabs) is final.
 */
export interface HandshakeRefusal {
  retry: true;
}
