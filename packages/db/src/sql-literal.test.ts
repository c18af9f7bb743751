import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { inlined, literal, quoted } from './sql-literal.ts';

describe('literal (values inlined into a batched statement)', () => {
  it('quotes text, dates and plain objects; numbers, booleans and null as they are', () => {
    expect(literal(`it's`)).toBe(`'it''s'`);
    expect(literal(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)))).toBe(`'2026-01-02T03:04:05.006Z'`);
    expect(literal({ a: "b'c" })).toBe(`'{"a":"b''c"}'`);
    expect([literal(12), literal(12n), literal(1.5), literal(0)]).toEqual(['12', '12', '1.5', '0']);
    expect([literal(true), literal(false), literal(null), literal(undefined)]).toEqual([
      'true',
      'false',
      'null',
      'null',
    ]);
  });

  it('parenthesises negative numbers, so `x-$1` or `- $1` cannot become a comment', () => {
    expect([literal(-5), literal(-5n), literal(-0.25)]).toEqual(['(-5)', '(-5)', '(-0.25)']);
    expect(inlined({ text: 'select 1-$1', values: [-1] })).toBe('select 1-(-1)');
  });

  it('refuses what it cannot quote safely: NaN, Infinity, arrays, buffers, \\u0000, invalid dates', () => {
    for (const value of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      [1, 2],
      Buffer.from('x'),
      new Uint8Array([1]),
      'a\u0000b',
      { text: 'a\u0000b' },
      new Date(Number.NaN),
    ]) {
      expect(() => literal(value), String(value)).toThrow(TypeError);
    }
  });

  it('fills every `$n` and refuses a statement with a value missing', () => {
    expect(inlined({ text: 'select $1, $2, $1', values: ['a', 2] })).toBe(`select 'a', 2, 'a'`);
    // The same text again (cut once, kept) with other values, and a text with no parameter.
    expect(inlined({ text: 'select $1, $2, $1', values: [-1, null] })).toBe('select (-1), null, (-1)');
    expect(inlined({ text: 'select $10 from t', values: Array.from({ length: 10 }, (_, i) => i) })).toBe(
      'select 9 from t',
    );
    expect(inlined({ text: 'select 1' })).toBe('select 1');
    expect(() => inlined({ text: 'select $1, $2', values: [1] })).toThrow('no value for $2');
  });

  it('quotes text exactly as pg.escapeLiteral does (quotes, backslashes, E strings, unicode)', () => {
    const alphabet = ["'", '\\', '"', 'a', 'é', '😀', '\n', ' ', '$1', '--', '/*', 'E'];
    const samples = ['', "'", "''", '\\', "\\'", "it's", 'C:\\dir\\', JSON.stringify({ a: "b'c\\d" })];
    // Every string of up to three of the awkward characters, then long mixed ones.
    for (const a of alphabet)
      for (const b of alphabet) for (const c of ['', ...alphabet]) samples.push(a + b + c);
    for (let i = 0; i < 200; i++) {
      samples.push(
        Array.from({ length: 50 + i }, (_, j) => alphabet[(i * 7 + j * 13) % alphabet.length]).join(''),
      );
    }
    for (const text of samples) expect(quoted(text), text).toBe(pg.escapeLiteral(text));
  });
});
