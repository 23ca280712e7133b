/**
 * A fake OpenAI-compatible upstream for `npm run bench -- gateway`, run as its own process
 * (`node bench/support/fake-upstream.mjs`) so that its work is not on the load generator's or
 * the gateway's event loop. Listens on 127.0.0.1, on a free port that it sends to the parent over
 * IPC ({ port }), and answers at once, with no delay:
 *   POST …/chat/completions  a fixed completion with `usage`; with "stream": true, one SSE event
 *                            per piece of the same text (BENCH_PIECES of them, one per event-loop
 *                            turn, so they leave as separate writes), a finish event, a usage
 *                            event and `data: [DONE]`;
 *   GET  …/models            the one model.
 * The reply text comes from BENCH_REPLY (the parent checks it comes back intact).
 */
import { createServer } from 'node:http';

const REPLY = process.env.BENCH_REPLY ?? '好的。';
const PIECES = Math.max(1, Number(process.env.BENCH_PIECES ?? 20));
const MODEL = 'upstream-chat';
const CREATED = 1_767_225_600;
const usage = { prompt_tokens: 180, completion_tokens: 120, total_tokens: 300 };

const plain = Buffer.from(
  JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: CREATED,
    model: MODEL,
    choices: [{ index: 0, message: { role: 'assistant', content: REPLY }, finish_reason: 'stop' }],
    usage,
  }),
);
const models = Buffer.from(JSON.stringify({ object: 'list', data: [{ id: MODEL, object: 'model', created: CREATED, owned_by: 'bench' }] }));

const chars = [...REPLY];
const size = Math.ceil(chars.length / PIECES);
const chunk = (delta, finish) =>
  `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model: MODEL, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const events = [];
for (let i = 0; i < chars.length; i += size) events.push(chunk({ ...(i === 0 ? { role: 'assistant' } : {}), content: chars.slice(i, i + size).join('') }, null));
events.push(chunk({}, 'stop'));
events.push(`data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: CREATED, model: MODEL, choices: [], usage })}\n\n`);
events.push('data: [DONE]\n\n');

function stream(res) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let i = 0;
  const tick = () => {
    if (i === events.length - 1) return res.end(events[i]);
    res.write(events[i++]);
    setImmediate(tick);
  };
  tick();
}

const server = createServer((req, res) => {
  const path = (req.url ?? '').split('?')[0];
  if (req.method === 'GET' && path.endsWith('/models')) {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': models.length });
    return res.end(models);
  }
  if (req.method !== 'POST' || !path.endsWith('/chat/completions')) {
    res.writeHead(404, { 'content-type': 'application/json' });
    return res.end('{"error":{"message":"not found","type":"invalid_request_error"}}');
  }
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (/"stream"\s*:\s*true/.test(body)) return stream(res);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': plain.length });
    res.end(plain);
  });
});
// Idle keep-alive connections stay open between the benchmark's phases.
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  if (process.send) process.send({ port });
  else console.log(`fake upstream on http://127.0.0.1:${port}/v1`);
});
process.on('disconnect', () => process.exit(0));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)).closeAllConnections());
