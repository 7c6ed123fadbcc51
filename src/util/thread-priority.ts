import { readlinkSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

// Background threads (the request log writer) run at a lower scheduling priority than the event loop
// that serves requests. Why: at one request at a time, the client, the gateway and the upstream hand
// the request along a chain, and Linux tends to wake each on the CPU of the one that woke it. A
// background thread busy on that CPU then holds the woken one back for up to its time slice, while
// the other CPU may sit idle; `perf sched` showed the log writer behind most of the gateway's delayed
// wake-ups at c=1 (bench/README.md, finding 16). At a lower priority it loses a contended CPU to the
// event loop (it can still finish its time slice first, so the worker also works in short slices:
// request-log-worker.ts), and it still gets the CPU it needs: the cores are seldom both busy, and a busy
// machine only delays it.

/** How much lower (in nice steps) a background thread runs than the process. */
export const BACKGROUND_NICE_STEPS = 10;

/**
 * Lowers the calling thread's priority by `steps` nice levels (at most to 19) and returns its OS
 * thread id, or undefined where threads cannot be told apart (not Linux) or the change is refused.
 * Linux keeps a nice value per thread, and setpriority() on a thread id changes only that thread.
 */
export function lowerThisThreadPriority(steps = BACKGROUND_NICE_STEPS): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    // "/proc/thread-self" links to "<pid>/task/<tid>" for whichever thread reads it.
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return undefined;
    setPriority(tid, Math.min(19, getPriority(tid) + steps));
    return tid;
  } catch {
    // No /proc (a sandbox) or not allowed: the thread runs at the process's priority, as it would elsewhere.
    return undefined;
  }
}
