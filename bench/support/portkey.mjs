/**
 * Starts Portkey's AI gateway (@portkey-ai/gateway, its own CLI: build/start-server.js) for
 * `npm run bench -- gateway`, bound to 127.0.0.1. The CLI has no host option and listens on all
 * interfaces; this wrapper gives the listen call a host before loading it unchanged. Runs with
 * plain node, like `npx @portkey-ai/gateway`. Port: PORTKEY_PORT (0 = a free one); the bound port
 * goes to the parent over IPC ({ port }).
 */
import http from 'node:http';

const HOST = process.env.PORTKEY_HOST ?? '127.0.0.1';
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (...args) {
  // @hono/node-server calls listen(port, hostname, callback) with hostname undefined.
  if (typeof args[0] === 'number' && (args[1] === undefined || typeof args[1] === 'function')) {
    if (args[1] === undefined) args[1] = HOST;
    else args.splice(1, 0, HOST);
  }
  this.once('listening', () => {
    const addr = this.address();
    if (process.send && addr && typeof addr === 'object') process.send({ port: addr.port, host: addr.address });
  });
  return listen.apply(this, args);
};
process.argv.push(`--port=${process.env.PORTKEY_PORT ?? '0'}`, '--headless');
process.on('disconnect', () => process.exit(0));
await import('@portkey-ai/gateway/build/start-server.js');
