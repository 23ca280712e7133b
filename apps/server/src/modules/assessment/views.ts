/**
 * What each reader sees of an item: students get the question without answers, rubrics' reference
 * texts or tolerances; answers are checked for shape before a submission is accepted.
 */
import type { ItemBody } from '../curriculum/index.js';

/** The item as a student may see it while answering. */
export function studentBody(b: ItemBody): unknown {
  switch (b.type) {
    case 'single_choice':
    case 'multiple_choice':
      return { type: b.type, stem: b.stem, options: b.options };
    case 'true_false':
      return { type: b.type, stem: b.stem };
    case 'fill_blank':
      return { type: b.type, stem: b.stem, blanks: b.blanks.map((x) => ({ id: x.id, score: x.score })) };
    case 'math':
      return { type: b.type, stem: b.stem, unit: b.unit };
    case 'short_answer':
      return { type: b.type, stem: b.stem, keyPointCount: b.keyPoints.length };
    case 'essay':
      // The scoring dimensions are public criteria: students write better knowing them.
      return { type: b.type, stem: b.stem, minWords: b.minWords, dimensions: b.dimensions.map((d) => ({ id: d.id, name: d.name, max: d.max })) };
    case 'composite':
      return { type: b.type, stem: b.stem, parts: b.parts.map((p) => ({ score: p.score, body: studentBody(p.body) })) };
  }
}

/** The correct answer to show in feedback. */
export function correctAnswer(b: ItemBody): unknown {
  switch (b.type) {
    case 'single_choice':
    case 'multiple_choice':
    case 'true_false':
      return b.answer;
    case 'fill_blank':
      return Object.fromEntries(b.blanks.map((x) => [x.id, x.accepted[0]]));
    case 'math':
      return b.unit ? `${b.answer} ${b.unit}` : b.answer;
    case 'short_answer':
      return { reference: b.referenceAnswer, keyPoints: b.keyPoints.map((k) => ({ id: k.id, meaning: k.meaning, score: k.score })) };
    case 'essay':
      return { dimensions: b.dimensions };
    case 'composite':
      return b.parts.map((p) => correctAnswer(p.body));
  }
}

const MAX_TEXT = 20_000;

/** Null when the response has the right shape for the item; otherwise what is wrong (English, for the problem details). */
export function responseProblem(b: ItemBody, r: unknown): string | null {
  if (r === null || r === undefined || r === '') return null; // left blank: allowed, scores 0
  switch (b.type) {
    case 'single_choice':
      return typeof r === 'string' && b.options.some((o) => o.key === r) ? null : 'must be one of the option keys';
    case 'multiple_choice':
      return Array.isArray(r) && r.every((k) => typeof k === 'string' && b.options.some((o) => o.key === k)) ? null : 'must be a list of option keys';
    case 'true_false':
      return typeof r === 'boolean' ? null : 'must be true or false';
    case 'fill_blank':
      return r && typeof r === 'object' && !Array.isArray(r) && Object.entries(r).every(([k, v]) => b.blanks.some((x) => x.id === k) && typeof v === 'string' && v.length <= 500)
        ? null
        : 'must map blank numbers to text';
    case 'math':
      return typeof r === 'string' && r.length <= 1000 ? null : 'must be text (LaTeX or plain) of at most 1000 characters';
    case 'short_answer':
    case 'essay':
      return typeof r === 'string' && r.length <= MAX_TEXT ? null : `must be text of at most ${MAX_TEXT} characters`;
    case 'composite': {
      if (!Array.isArray(r) || r.length > b.parts.length) return 'must be a list with one answer per part';
      for (const [i, part] of b.parts.entries()) {
        const p = responseProblem(part.body, r[i]);
        if (p) return `part ${i + 1}: ${p}`;
      }
      return null;
    }
  }
}
