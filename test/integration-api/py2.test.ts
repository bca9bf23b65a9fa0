import { describe, expect, it } from 'vitest';
import { pyDictOrder, pyFloatRepr, pyJsonDumps, pyJsonLoads, pyPformat, pyRepr, pyUnicodeRepr } from '../../src/rest/py2.js';

// What CPython 2.7.18 (UCS-4) printed for these values, captured once from a real interpreter:
// the integration API's bodies and error texts are made of these functions' output.

describe('Python 2 semantics', () => {
  it('float repr (json.dumps writes floats the same way)', () => {
    const cases: [number, string][] = [
      [0.1 + 0.2, '0.30000000000000004'],
      [100, '100.0'],
      [1e16, '1e+16'],
      [1e15, '1000000000000000.0'],
      [1e-5, '1e-05'],
      [0.0001, '0.0001'],
      [123456789.125, '123456789.125'],
      [1.5e300, '1.5e+300'],
      [-0, '-0.0'],
      [2.5e-5, '2.5e-05'],
      [12345678901234567, '1.2345678901234568e+16'],
      [1 / 3, '0.3333333333333333'],
    ];
    for (const [x, text] of cases) expect(pyFloatRepr(x)).toBe(text);
  });

  it('unicode repr: quotes, escapes, astral characters', () => {
    const cases: [string, string][] = [
      ['plain', "u'plain'"],
      ["it's", `u"it's"`],
      ['say "hi"', `u'say "hi"'`],
      [`both ' and "`, `u'both \\' and "'`],
      ['tab\tnl\ncr\r', "u'tab\\tnl\\ncr\\r'"],
      ['\u0000\u001f\u007f\u0080\u00ff', "u'\\x00\\x1f\\x7f\\x80\\xff'"],
      ['\u0100\u20ac', "u'\\u0100\\u20ac'"],
      ['😀', "u'\\U0001f600'"],
      ['back\\slash', "u'back\\\\slash'"],
    ];
    for (const [s, text] of cases) expect(pyUnicodeRepr(s)).toBe(text);
  });

  it('dict iteration order (string hashes, open addressing, resizes)', () => {
    expect(pyDictOrder(['user_id', 'participation_id'])).toEqual(['user_id', 'participation_id']);
    expect(pyDictOrder(['status', 'message', 'code'])).toEqual(['status', 'message', 'code']);
    expect(pyDictOrder(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'])).toEqual(['a', 'c', 'b', 'e', 'd', 'g', 'f', 'i', 'h']);
    expect(pyDictOrder(['user_id', 'first_name', 'last_name', 'username', 'email', 'timezone', 'preferred_languages', 'contest'])).toEqual([
      'username',
      'first_name',
      'last_name',
      'user_id',
      'contest',
      'timezone',
      'preferred_languages',
      'email',
    ]);
  });

  it('json.loads, then repr and pprint.pformat(width=72)', () => {
    const v = pyJsonLoads(
      `{"username": "${'a'.repeat(40)}", "password": ["${'x'.repeat(30)}", {"n": 100000000000000000000, "f": 1.0, "t": true, "z": null}], "contest_id": 1.5, "\\u00e9": "\\ud83d\\ude00"}`,
    );
    expect(pyRepr(v)).toBe(
      `{u'username': u'${'a'.repeat(40)}', u'\\xe9': u'\\U0001f600', u'contest_id': 1.5, u'password': [u'${'x'.repeat(30)}', {u'f': 1.0, u't': True, u'z': None, u'n': 100000000000000000000L}]}`,
    );
    expect(pyPformat(v)).toBe(
      [
        "{u'contest_id': 1.5,",
        ` u'password': [u'${'x'.repeat(30)}',`,
        "               {u'f': 1.0,",
        "                u'n': 100000000000000000000L,",
        "                u't': True,",
        "                u'z': None}],",
        ` u'username': u'${'a'.repeat(40)}',`,
        " u'\\xe9': u'\\U0001f600'}",
      ].join('\n'),
    );
  });

  it('json.loads accepts and refuses what CPython 2.7 did', () => {
    for (const ok of ['{}', ' {} ', '[NaN, -Infinity, Infinity]', '"\\ud800"', '1e5', '-0', '"\\u007f\u007f"'])
      expect(() => pyJsonLoads(ok), ok).not.toThrow();
    for (const bad of [
      '',
      ' ',
      '[1.]',
      '[1e]',
      '-',
      '[-NaN]',
      '01',
      '{"a":1,}',
      '[1,]',
      "{'a': 1}",
      '"\u0001"',
      '"\\x41"',
      '\ufeff{}',
      '{} {}',
      '"\\ud83d\\ude0"',
    ])
      expect(() => pyJsonLoads(bad), JSON.stringify(bad)).toThrow();
    expect(pyJsonLoads('[1, 1.0, 10000000000000000000000]')).toEqual([1n, 1, 10000000000000000000000n]);
  });

  it('json.dumps: separators, ASCII escapes, ints and floats kept apart', () => {
    expect(pyJsonDumps({ a: 200.29999999999998, c: 'Zo\u00eb </script> 😀', b: 0.1 + 0.2, n: 5n, l: [null, true] })).toBe(
      '{"a": 200.29999999999998, "c": "Zo\\u00eb </script> \\ud83d\\ude00", "b": 0.30000000000000004, "n": 5, "l": [null, true]}',
    );
  });
});
