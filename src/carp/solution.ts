// Solver stdout parser, regex for regex as the original judge (Checker.parseSolution).
//
// Lines: the Java judge read stdout with Scanner.nextLine(), whose terminators are \r\n, \n, \r,
// \u2028, \u2029 and \u0085 (JAVA_LINE_SPLIT). So "\r\n" output parses like "\n" output, a lone
// "\r" also ends a line, and no line ever holds a terminator. That last point is what makes JS
// `.` (excludes \n \r \u2028 \u2029, but not \u0085) behave like Java's `.` here.
// Lines are NOT trimmed: "s " / "q " must start the line, as Java's startsWith required.
//
// Matching: Java's Matcher.find() loop resumes at the end of the previous match (advancing one
// char after an empty match); a JS /g regex with exec() does the same, and none of these patterns
// can match empty anyway. Java's \d is [0-9] like JS's without the u flag, but Java's \s is ASCII
// only ([ \t\n\x0B\f\r]) while JS's \s also takes \u00a0, \ufeff, ...: spelled out below.

import { JAVA_LINE_SPLIT, parseJavaInt } from './instance.js';

export interface ParsedSolution {
  /** One entry per matched trip; a trip may hold no task (-> "No valid tasks in some trip."). */
  trips: Array<Array<[number, number]>>;
  /** First digit run of the last `q ` line that has one; -1 when there is none. */
  claimed: number;
}

const S = '[ \\t\\n\\x0B\\f\\r]*';
// Java: 0\s*,\s*\(.*?,0  (lazy: a trip ends at the first ",0" after its opening "(")
const TRIP = new RegExp(`0${S},${S}\\(.*?,0`, 'g');
// Java: \(\s*'?\d+'?\s*,\s*'?\d+'?\s*\)  -- the groups capture exactly the two digit runs that
// Java re-scanned with \d+ (a greedy \d+ cannot be cut short: what follows is never a digit).
const TASK = new RegExp(`\\(${S}'?(\\d+)'?${S},${S}'?(\\d+)'?${S}\\)`, 'g');
const DIGITS = /\d+/;

/** Tasks of one trip text. Node ids are kept as read (even past int32): the checker fails on
 *  them only when it reaches them, as Java's Integer.parseInt did inside its task loop. */
function parseTrip(trip: string): Array<[number, number]> {
  const tasks: Array<[number, number]> = [];
  TASK.lastIndex = 0;
  for (let m = TASK.exec(trip); m !== null; m = TASK.exec(trip)) {
    tasks.push([Number(m[1]), Number(m[2])]);
  }
  return tasks;
}

/**
 * Parse solver stdout. Throws (like Java's Integer.parseInt) when a `q` number does not fit an
 * int32; the verdict layer turns that into an ERROR verdict.
 */
export function parseSolution(stdout: string): ParsedSolution {
  const trips: Array<Array<[number, number]>> = [];
  let claimed = -1;
  for (const line of stdout.split(JAVA_LINE_SPLIT)) {
    if (line.startsWith('s ')) {
      // Trips from every `s` line are pooled.
      TRIP.lastIndex = 0;
      for (let m = TRIP.exec(line); m !== null; m = TRIP.exec(line)) trips.push(parseTrip(m[0]));
    } else if (line.startsWith('q ')) {
      // `q -5` reads 5, `q 316.0` reads 316; a `q` line without digits changes nothing.
      const m = DIGITS.exec(line);
      if (m) claimed = parseJavaInt(m[0], 'q line');
    }
  }
  return { trips, claimed };
}
