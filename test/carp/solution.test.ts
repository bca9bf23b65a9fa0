import { describe, expect, it } from 'vitest';
import { parseSolution } from '../../src/carp/solution.js';
import { solutionText } from './fixtures.js';

const trips = (stdout: string) => parseSolution(stdout).trips;
const claimed = (stdout: string) => parseSolution(stdout).claimed;

describe('parseSolution: s lines', () => {
  it('splits trips at 0,0 and reads tasks as printed', () => {
    expect(parseSolution('s 0,(2,3),(3,4),0,0,(8,7),(7,6),(6,5),0\nq 25\n')).toEqual({
      trips: [
        [
          [2, 3],
          [3, 4],
        ],
        [
          [8, 7],
          [7, 6],
          [6, 5],
        ],
      ],
      claimed: 25,
    });
  });

  it("accepts (1, 2) and ('1','2') tasks and ignores text between tasks", () => {
    expect(trips("s 0, ( 1 , 2 ) ,('3','4') junk (5,'6'),0")).toEqual([
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
    ]);
    expect(trips('s 0,(1,2)->(3,4)(5;6)(7,8,9),0')).toEqual([
      [
        [1, 2],
        [3, 4],
      ],
    ]);
  });

  it('pools trips from several s lines; only lines starting with "s " count', () => {
    const out = ['s 0,(1,2),0', 'debug 0,(9,9),0', ' s 0,(8,8),0', 's0,(7,7),0', 's 0,(3,4),0,0,(5,6),0'].join('\n');
    expect(trips(out)).toEqual([[[1, 2]], [[3, 4]], [[5, 6]]]);
  });

  it('skips an empty route 0,0 (the trip regex needs a "(")', () => {
    expect(trips('s 0,0')).toEqual([]);
    expect(trips('s 0,0,0,(1,2),0,0,0')).toEqual([[[1, 2]]]);
  });

  it('keeps a matched trip without any well-formed task as an empty trip', () => {
    expect(trips('s 0,(a,b),0')).toEqual([[]]);
    expect(trips('s 0,(1,2),0,0,(1;2),0')).toEqual([[[1, 2]], []]);
  });

  it('"10,(" starts a trip at its final 0', () => {
    expect(trips('s 10,(1,2),0')).toEqual([[[1, 2]]]);
    expect(trips('s 0,(1,2),10,(3,4),0')).toEqual([
      [
        [1, 2],
        [3, 4],
      ],
    ]);
  });

  it('a trip ends at the first ",0": a node id starting with 0 cuts it', () => {
    expect(trips('s 0,(1,05),0')).toEqual([[]]);
  });

  it('", 0" or a missing final ",0" loses the trip (merging it into the next when there is one)', () => {
    expect(trips('s 0,(1,2), 0')).toEqual([]);
    expect(trips('s 0,(1,2),(3,4)')).toEqual([]);
    expect(trips('s 0,(1,2),0,0,(3,4), 0')).toEqual([[[1, 2]]]);
    // ", 0, 0,(": the lazy ",0" runs on to the next route's end: two routes become one trip
    expect(trips('s 0,(1,2), 0, 0,(3,4),0')).toEqual([
      [
        [1, 2],
        [3, 4],
      ],
    ]);
    // ", 0,0,(": the trip ends inside "0,0", eating the next route's opening 0: (3,4) is lost
    expect(trips('s 0,(1,2), 0,0,(3,4),0')).toEqual([[[1, 2]]]);
  });

  it('Java \\s is ASCII only: a no-break space does not separate 0 and ","', () => {
    expect(trips('s 0 ,\t(1,2),0')).toEqual([[[1, 2]]]);
    expect(trips('s 0\u00a0,(1,2),0')).toEqual([]);
    expect(trips('s 0,(\u00a01,2),0')).toEqual([[]]);
  });

  it('keeps task ids past int32 as read (the checker errors on them later)', () => {
    expect(trips('s 0,(1,99999999999),0')).toEqual([[[1, 99999999999]]]);
  });
});

describe('parseSolution: q lines', () => {
  it.each([
    ['q 316', 316],
    ['q -5', 5],
    ['q 316.0', 316],
    ['q cost=42 (approx 40)', 42],
    ['q 007', 7],
  ])('%j reads %d', (line, value) => {
    expect(claimed(`s 0,(1,2),0\n${line}\n`)).toBe(value);
  });

  it('is -1 when absent, or when q lines have no digits; the last q line with digits wins', () => {
    expect(claimed('s 0,(1,2),0\n')).toBe(-1);
    expect(claimed('s 0,(1,2),0\nq none\n')).toBe(-1);
    expect(claimed('q 5\nq 6\n')).toBe(6);
    expect(claimed('q 5\nq none\n')).toBe(5);
    expect(claimed('Q 5\nq5\n q 5\n')).toBe(-1);
  });

  it('throws on a q number past int32 (Java Integer.parseInt)', () => {
    expect(() => parseSolution('q 2147483648\n')).toThrow();
    expect(claimed('q 2147483647\n')).toBe(2147483647);
  });
});

describe('parseSolution: line endings', () => {
  it('reads \\r\\n, \\r, \\u2028 and \\u0085 as line ends (Java Scanner.nextLine)', () => {
    const want = { trips: [[[1, 2]], [[3, 4]]], claimed: 9 };
    for (const eol of ['\n', '\r\n', '\r', '\u2028', '\u0085']) {
      expect(parseSolution(['s 0,(1,2),0', 's 0,(3,4),0', 'q 9', ''].join(eol))).toEqual(want);
    }
  });

  it('a line break inside a route splits it (the trip regex never crosses lines)', () => {
    expect(trips('s 0,(1,2),\r0')).toEqual([]);
  });
});

describe('parseSolution on the shipped outputs', () => {
  it('reads only the s/q lines of the original judge test stdout among its debug lines', () => {
    const p = parseSolution(solutionText('gdb10.carp-oj-test1.out'));
    expect(p.claimed).toBe(298);
    expect(p.trips).toHaveLength(5);
    expect(p.trips.flat()).toHaveLength(25);
  });
});
