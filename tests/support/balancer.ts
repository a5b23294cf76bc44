import net from 'node:net';
import type { AddressInfo } from 'node:net';

// A load balancer at its plainest: each new TCP connection goes to the next backend in turn, with
// no idea of sessions (no stickiness). What passes through it unharmed needs no sticky sessions.

export interface RoundRobin {
  baseUrl: string;
  /** How many connections went to each backend, in the order given. */
  counts: number[];
  stop(): Promise<void>;
}

export async function startRoundRobin(backendPorts: number[]): Promise<RoundRobin> {
  const counts = backendPorts.map(() => 0);
  const sockets = new Set<net.Socket>();
  let next = 0;
  const server = net.createServer((client) => {
    const index = next;
    next = (next + 1) % backendPorts.length;
    counts[index] += 1;
    const backend = net.connect({ host: '127.0.0.1', port: backendPorts[index] });
    for (const socket of [client, backend]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        backend.destroy();
      });
    }
    client.pipe(backend).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    counts,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  };
}
