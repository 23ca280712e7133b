/**
 * Tokenizer-free token estimates, for metering a call when the upstream model omits `usage`.
 * An approximation of cl100k / Qwen BPE counts, good to a few tens of per cent on ordinary
 * Chinese and English prose — for quotas and dashboards, not for billing to the token:
 *   - each CJK ideograph, kana or Hangul syllable ≈ 1 token (in fact every non-ASCII code point
 *     counts 1, astral characters such as emoji included);
 *   - a run of ASCII letters/digits ≈ ceil(length / 4) tokens (English averages ~4 characters
 *     per token);
 *   - every other non-space character (punctuation, symbols) 1 token;
 *   - whitespace, and zero-width / variation-selector characters, are free.
 * Chat messages add the usual framing: 4 tokens per message plus 3 for the reply priming.
 */

/** Estimated token count of a text (0 for anything that is not a string). */
export function estimateTokens(text: string): number {
  if (typeof text !== 'string') return 0;
  let tokens = 0;
  let run = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
        run++;
        continue;
      }
      if (run !== 0) {
        tokens += (run + 3) >> 2;
        run = 0;
      }
      if (c > 0x20 && c !== 0x7f) tokens++;
      continue;
    }
    if (run !== 0) {
      tokens += (run + 3) >> 2;
      run = 0;
    }
    if (isFree(c)) continue;
    // A surrogate pair is one code point.
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    tokens++;
  }
  if (run !== 0) tokens += (run + 3) >> 2;
  return tokens;
}

/** Non-ASCII whitespace and invisible formatting characters. */
function isFree(c: number): boolean {
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200f) ||
    (c >= 0x2028 && c <= 0x202f) ||
    c === 0x205f ||
    (c >= 0x2060 && c <= 0x2064) ||
    c === 0x3000 ||
    (c >= 0xfe00 && c <= 0xfe0f) ||
    c === 0xfeff
  );
}

/** Tokens of a message `content`: a string, or an array of parts whose `text` strings count. */
function contentTokens(content: unknown): number {
  if (typeof content === 'string') return estimateTokens(content);
  if (!Array.isArray(content)) return 0;
  let n = 0;
  for (const part of content) {
    if (typeof part === 'string') n += estimateTokens(part);
    else if (part !== null && typeof part === 'object') {
      const text = (part as { text?: unknown }).text;
      if (typeof text === 'string') n += estimateTokens(text);
    }
  }
  return n;
}

/**
 * Estimated prompt tokens of an OpenAI-style chat request: for each message 4 + tokens(content)
 * + tokens(name), plus 3. Array content counts its text parts (`{ type: 'text', text }` and the
 * like); images, audio and other parts count nothing.
 */
export function estimateChatTokens(messages: readonly { role: string; content?: unknown; name?: string }[]): number {
  let total = 3;
  if (!Array.isArray(messages)) return total;
  for (const m of messages) {
    if (m === null || typeof m !== 'object') continue;
    total += 4 + contentTokens(m.content) + (typeof m.name === 'string' ? estimateTokens(m.name) : 0);
  }
  return total;
}
