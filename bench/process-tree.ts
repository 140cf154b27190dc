// What a process and everything it started use while it runs, read from /proc: peak resident memory
// of the whole tree (summed at each sample) and CPU time (its own, its live descendants', and what
// the children it already reaped used). Sampled every `everyMs`; Linux only.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;
const PAGE_KIB = 4;

interface Proc {
  pid: number;
  ppid: number;
  /** utime + stime, and cutime + cstime (reaped children), in ticks */
  cpu: number;
  childrenCpu: number;
  rssKib: number;
}

function readProc(pid: number): Proc | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name may hold spaces and parentheses: the fields start after the last ')'
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const num = (i: number) => Number(f[i - 3]);
    return { pid, ppid: num(4), cpu: num(14) + num(15), childrenCpu: num(16) + num(17), rssKib: num(24) * PAGE_KIB };
  } catch {
    return undefined;
  }
}

function tree(root: number): Proc[] {
  const all = readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map((d) => readProc(Number(d))).filter((p): p is Proc => !!p);
  const byParent = new Map<number, Proc[]>();
  for (const p of all) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const out: Proc[] = [];
  const walk = (pid: number) => {
    for (const c of byParent.get(pid) ?? []) {
      out.push(c);
      walk(c.pid);
    }
  };
  const self = all.find((p) => p.pid === root);
  if (!self) return [];
  out.push(self);
  walk(root);
  return out;
}

export interface TreeUsage {
  peakRssMib: number;
  /** processes in the tree at the busiest sample (node + its ssh children) */
  peakProcesses: number;
  cpuSeconds: number;
}

/** Samples the tree of `pid` until stop(); the last sample before the root exited holds its CPU. */
export function watchTree(pid: number, everyMs = 20): { stop(): TreeUsage } {
  let peakRss = 0;
  let peakProcs = 0;
  let cpu = 0;
  const sample = () => {
    const procs = tree(pid);
    if (!procs.length) return;
    peakRss = Math.max(peakRss, procs.reduce((n, p) => n + p.rssKib, 0));
    peakProcs = Math.max(peakProcs, procs.length);
    // the root's own and reaped children's time, plus what live descendants used so far
    cpu = Math.max(cpu, procs.reduce((n, p) => n + p.cpu, 0) + procs[0]!.childrenCpu);
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { peakRssMib: peakRss / 1024, peakProcesses: peakProcs, cpuSeconds: cpu / TICKS_PER_SECOND };
    },
  };
}
