import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { trustedOutput } from './trusted-output.ts';

const Answer = z.object({ n: z.number().int() });

describe('trustedOutput', () => {
  it('outside production is the schema itself: answers are checked and stripped', () => {
    const schema = trustedOutput(Answer, false);
    expect(schema).toBe(Answer);
    expect(() => schema.parse({ n: 1.5 })).toThrow();
    expect(schema.parse({ n: 1, extra: true })).toEqual({ n: 1 });
  });

  it('in production passes answers through unchecked, and describes the same JSON schema', () => {
    const schema = trustedOutput(Answer, true);
    const answer = { n: 2 };
    expect(schema.parse(answer)).toBe(answer);
    expect(z.toJSONSchema(schema)).toEqual(z.toJSONSchema(Answer));
    // The original schema keeps checking.
    expect(() => Answer.parse({ n: 1.5 })).toThrow();
  });
});
