// The one home of the rules for foreign text: what is escaped for a terminal and for HTML.

import { describe, expect, it } from 'vitest';
import { escapeControlCharacters, escapeControlCharactersDeep, htmlText, plural, terminalText, withoutByteOrderMark } from '../../src/core/text.js';

describe('escapeControlCharacters', () => {
  it('shows an OSC title change and a clear-screen as visible escapes', () => {
    expect(escapeControlCharacters('a\x1b]0;pwned\x07b\x1b[2J')).toBe('a\\x1b]0;pwned\\x07b\\x1b[2J');
  });

  it('escapes carriage returns, newlines, tabs, DEL and the C1 controls', () => {
    expect(escapeControlCharacters('\r\n\t\x7f\x9b\x85')).toBe('\\x0d\\x0a\\x09\\x7f\\x9b\\x85');
  });

  it('escapes the bidirectional overrides that make text read otherwise than it is', () => {
    expect(escapeControlCharacters('user\u202etxt.exe\u2066')).toBe('user\\u202etxt.exe\\u2066');
  });

  it('leaves printable text, accents and symbols alone', () => {
    expect(escapeControlCharacters('n1 → leader é … ✓ "quoted" \\ back')).toBe('n1 → leader é … ✓ "quoted" \\ back');
  });
});

describe('terminalText', () => {
  it('keeps the line breaks of a message and escapes the rest', () => {
    expect(terminalText('first\n  \x1b[2Jsecond\r')).toBe('first\n  \\x1b[2Jsecond\\x0d');
  });
});

describe('escapeControlCharactersDeep', () => {
  it('escapes every string of plain data, keys included, without changing the original', () => {
    const data = { note: '\x1b[2J', list: ['\x07', 1, null, true], nested: { '\x1b': 'k' } };
    expect(escapeControlCharactersDeep(data)).toEqual({ note: '\\x1b[2J', list: ['\\x07', 1, null, true], nested: { '\\x1b': 'k' } });
    expect(data.note).toBe('\x1b[2J');
  });
});

describe('htmlText', () => {
  it('escapes markup, quotes and control characters', () => {
    expect(htmlText(`<script>alert('x')</script> & "a"\x1b[2J`)).toBe('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;a&quot;\\x1b[2J');
  });
});

describe('withoutByteOrderMark', () => {
  it('removes a leading byte-order mark and nothing else', () => {
    expect(withoutByteOrderMark('\ufeff{"nodes":3}')).toBe('{"nodes":3}');
    expect(withoutByteOrderMark('{"a":"\ufeff"}')).toBe('{"a":"\ufeff"}');
  });
});

describe('plural', () => {
  it('says one node and two nodes', () => {
    expect(`1 ${plural(1, 'node')}, 2 ${plural(2, 'node')}, 0 ${plural(0, 'entry', 'entries')}`).toBe('1 node, 2 nodes, 0 entries');
  });
});
