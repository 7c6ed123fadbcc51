// Child processes for the benchmark: start on loopback, wait until they answer, sample their memory,
// stop them (only the processes the bench started, by pid).
import { spawn, execFileSync } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { setInterval, clearInterval } from 'node:timers';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The soft and hard open-file limits this shell would give a child (`ulimit -n`, `-Hn`). */
export function fdLimits() {
  try {
    const soft = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
    const hard = execFileSync('sh', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).trim();
    const n = (v) => (v === 'unlimited' ? Infinity : Number(v));
    return { soft: n(soft), hard: n(hard) };
  } catch {
    return { soft: 1024, hard: 1024 };
  }
}

/**
 * Spawns `node …args` with its output going to `logFile`. When `fds` is set and the soft open-file
 * limit is lower, the child is started through `sh -c 'ulimit -n …; exec node …'` (Node itself
 * cannot raise its own limit), up to the hard limit.
 */
export function spawnNode(args, { cwd, env, logFile, fds, nodeFlags = [] } = {}) {
  const out = logFile ? openSync(logFile, 'a') : 'ignore';
  const limits = fds ? fdLimits() : undefined;
  let cmd = process.execPath;
  let argv = [...nodeFlags, ...args];
  if (limits && limits.soft < fds) {
    const want = Math.min(fds, limits.hard);
    const quoted = [process.execPath, ...argv].map((a) => `'${String(a).replace(/'/g, `'\\''`)}'`).join(' ');
    cmd = 'sh';
    argv = ['-c', `ulimit -n ${want} && exec ${quoted}`];
  }
  const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', out, out] });
  if (typeof out === 'number') closeSync(out);
  child.logFile = logFile;
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

/** Polls `url` until it answers 2xx; resolves to the ms it took from `since`. */
export async function waitForHttp(url, { since = performance.now(), timeoutMs = 20_000, intervalMs = 5, child, headers } = {}) {
  let exited = false;
  child?.exited.then(() => (exited = true));
  while (performance.now() - since < timeoutMs) {
    if (exited) throw new Error(`${url}: the process exited before answering${logTail(child?.logFile)}`);
    try {
      const res = await request(url, { headers, headersTimeout: 2000, bodyTimeout: 2000 });
      await res.body.dump();
      if (res.statusCode >= 200 && res.statusCode < 300) return performance.now() - since;
    } catch {
      // not listening yet
    }
    await sleep(intervalMs);
  }
  throw new Error(`${url} did not answer 2xx within ${timeoutMs} ms`);
}

function logTail(file) {
  if (!file) return '';
  try {
    const lines = readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' / ');
    return lines ? ` — its log (${file}) ends: ${lines.slice(-400)}` : '';
  } catch {
    return '';
  }
}

/** Stops a child we started (SIGTERM, then SIGKILL after `graceMs`), by its pid only. */
export async function stop(child, graceMs = 3000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const tree = descendants(child.pid);
  child.kill('SIGTERM');
  const done = await Promise.race([child.exited.then(() => true), sleep(graceMs).then(() => false)]);
  if (!done) child.kill('SIGKILL');
  // A peer that forked helpers: end them too (they are ours: started under this child).
  for (const pid of tree) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** The pids started under `pid` (children, grandchildren…), from /proc. */
export function descendants(pid) {
  const out = [];
  const walk = (p) => {
    let kids = [];
    try {
      kids = readFileSync(`/proc/${p}/task/${p}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return;
    }
    for (const k of kids) {
      out.push(k);
      walk(k);
    }
  };
  walk(pid);
  return out;
}

/** Resident memory of a process and everything it started, in bytes (0 when unreadable). */
export function rssOfTree(pid) {
  let total = 0;
  for (const p of [pid, ...descendants(pid)]) {
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

/** Samples the RSS of `pid`'s tree every `everyMs` until stopped; `.stop()` returns the peak in bytes. */
export function sampleRss(pid, everyMs = 50) {
  if (!pid) return { stop: () => undefined };
  let peak = rssOfTree(pid);
  const timer = setInterval(() => {
    const v = rssOfTree(pid);
    if (v > peak) peak = v;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      const v = rssOfTree(pid);
      return Math.max(peak, v);
    },
  };
}
