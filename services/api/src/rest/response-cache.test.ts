import { describe, expect, it } from 'vitest';
import { cacheKeyOf } from './response-cache.ts';

describe('cacheKeyOf', () => {
  const known = new Set(['category', 'locale']);

  it('is one key however the parameters are ordered or encoded', () => {
    const key = cacheKeyOf('/api/content/faq', '?category=rentals&locale=en', known);
    expect(key).toBe('/api/content/faq?category=rentals&locale=en');
    expect(cacheKeyOf('/api/content/faq', '?locale=en&category=rentals', known)).toBe(key);
    expect(cacheKeyOf('/api/content/faq', '?locale=%65n&category=rental%73', known)).toBe(key);
    expect(cacheKeyOf('/api/content/faq', '', known)).toBe('/api/content/faq');
    expect(cacheKeyOf('/api/content/faq', '?', known)).toBe('/api/content/faq');
    expect(cacheKeyOf('/api/content/faq', '?&', known)).toBe('/api/content/faq');
  });

  it('is none for a parameter the procedure does not read, or one given twice', () => {
    expect(cacheKeyOf('/api/content/faq', '?utm_source=x', known)).toBeUndefined();
    expect(cacheKeyOf('/api/content/faq', '?locale=en&Locale=en', known)).toBeUndefined();
    expect(cacheKeyOf('/api/content/faq', '?category=a&category=b', known)).toBeUndefined();
  });
});
