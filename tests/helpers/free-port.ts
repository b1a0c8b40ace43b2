/** A TCP port that was free a moment ago on 127.0.0.1 (for processes that must restart on the same port). */
export function freePort(): number {
  const server = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } });
  const { port } = server;
  server.stop(true);
  return port;
}
