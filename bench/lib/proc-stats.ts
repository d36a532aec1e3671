// Resource accounting of the current process from /proc (Linux): CPU time of all its threads (librdkafka's included)
// and the peak resident set size.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat's utime and stime (`getconf CLK_TCK`, 100 nearly everywhere). */
export function clockTicksPerSecond(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(n) && n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

/** utime + stime of this process (all threads), in clock ticks. */
export function cpuTicks(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // The command name (field 2) may contain spaces and parentheses: count fields from the last ')'. After it come
  // field 3 (state) onwards, so utime (field 14) and stime (field 15) are at indexes 11 and 12.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** Peak resident set size (VmHWM) of this process, in MiB. */
export function peakRssMb(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error('no VmHWM in /proc/self/status');
  return Number(match[1]) / 1024;
}
