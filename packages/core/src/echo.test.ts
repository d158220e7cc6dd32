import { describe, expect, it } from 'vitest';
import { echo, escapeCsvField, escapeXml, sanitizeForTerminal } from './echo';
import { checkDeclaredSize, jsonDepth, parseJsonBounded } from './json';

describe('echo, escaping, bounded JSON', () => {
  it('echo quotes values, cuts them to 200 characters and never throws on deep values', () => {
    expect(echo('a"b')).toBe('"a\\"b"');
    expect(echo([1, 2])).toBe('[1,2]');
    expect(echo(undefined)).toBe('undefined');
    const long = echo('x'.repeat(10_000));
    expect(long.length).toBeLessThan(240);
    expect(long).toContain('(10000 characters)');
    let deep: unknown[] = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(echo(deep).length).toBeLessThan(240);
    expect(echo('\u001b]0;pwned\u0007')).toBe('"\\u001b]0;pwned\\u0007"');
    expect(echo({ k: '\u009b2J' })).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });

  it('terminal, SVG/HTML and CSV escaping', () => {
    expect(sanitizeForTerminal('cat\u001b[31mred\u009b\u202e')).toBe('cat\\u001b[31mred\\u009b\\u202e');
    expect(sanitizeForTerminal('tab\tok é')).toBe('tab\tok é');
    expect(escapeXml('<a href="x">&\u001b</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;\ufffd&lt;/a&gt;');
    expect(escapeCsvField('plain')).toBe('plain');
    expect(escapeCsvField('a,b')).toBe('"a,b"');
    expect(escapeCsvField('say "hi"\n')).toBe('"say ""hi""\n"');
    expect(escapeCsvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(escapeCsvField('-1.5')).toBe('-1.5');
  });

  it('parseJsonBounded checks length and depth before parsing, and names the input', () => {
    expect(jsonDepth('{"a":[1,{"b":"[[["}]}')).toBe(3);
    expect(parseJsonBounded('{"a":1}', { what: 'config.json' })).toEqual({ a: 1 });
    expect(() => parseJsonBounded('['.repeat(1e6), { what: 'x.json' })).toThrow('x.json nests arrays/objects more than 64 deep');
    expect(() => parseJsonBounded('{"a":1}', { what: 'x.json', maxLength: 3 })).toThrow('x.json is 7 characters long; the limit is 3');
    expect(() => parseJsonBounded('{bad', { what: 'x.json' })).toThrow(/^x\.json is not valid JSON: /);
  });

  it('checkDeclaredSize is the one bounded-allocation rule', () => {
    expect(checkDeclaredSize('pixels', 10, 10)).toBe(10);
    expect(() => checkDeclaredSize('PNG "a.png" pixels', 400_000_000, 89_478_485, 'raise it')).toThrow('PNG "a.png" pixels is 400000000, above the limit of 89478485');
    expect(() => checkDeclaredSize('n', Number.NaN, 1)).toThrow('above the limit');
  });
});
