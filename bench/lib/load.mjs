// Load drivers. Throughput at concurrency uses autocannon; latency at c=1 uses a sequential loop
// timed with hrtime (autocannon's histogram has 1 ms resolution, too coarse for a 0.3 ms budget);
// the many-slow-streams scenario uses a swarm that reads every chunk and checks every stream.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout } from 'node:timers';
import autocannon from 'autocannon';
import { Agent, Client, request } from 'undici';

export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

/** CPU time (user + system) of a process so far, in ms; undefined when unreadable. */
export function cpuMs(pid) {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in clock ticks (100/s)
  } catch {
    return undefined;
  }
}

/** autocannon at fixed concurrency and duration. */
export async function cannon({ origin, path, method = 'POST', headers, body, connections, durationS, amount }) {
  // autocannon counts time in whole seconds; a smoke run gives a number of requests instead.
  const bound = amount ? { amount } : { duration: durationS };
  const result = await autocannon({
    url: origin + path,
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body,
    connections,
    pipelining: 1,
    ...bound,
    timeout: 30,
  });
  const ok = result['2xx'];
  return {
    requests: ok,
    rps: ok / (result.duration || durationS || 1),
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    bytes: result.throughput.total,
  };
}

/** One request on `client`, its answer read to the end: its time in ms, or why it failed (`thrown`: no HTTP answer). */
async function timedRequest(client, { path, method = 'POST', headers, body }) {
  const t0 = performance.now();
  try {
    const res = await client.request({ path, method, headers: { 'content-type': 'application/json', ...headers }, body });
    await res.body.dump({ limit: Infinity });
    return res.statusCode === 200 ? { ms: performance.now() - t0 } : { error: `HTTP ${res.statusCode}` };
  } catch (err) {
    return { error: err.message, thrown: true };
  }
}

/** p50, p99 and mean of request times in ms. */
function latencyOf(times) {
  const sorted = Float64Array.from(times).sort();
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: sorted.reduce((a, b) => a + b, 0) / (sorted.length || 1) };
}

/** One connection, one request at a time, each timed with hrtime; `durationS` of it. */
export async function sequential({ origin, durationS, ...spec }) {
  const client = new Client(origin, { keepAliveTimeout: 60_000, pipelining: 1 });
  const times = [];
  let errors = 0;
  let firstError;
  const end = performance.now() + durationS * 1000;
  try {
    while (performance.now() < end) {
      const r = await timedRequest(client, spec);
      if (r.ms !== undefined) times.push(r.ms);
      else {
        errors++;
        firstError ??= r.error;
        if (r.thrown && errors > 100 && times.length === 0) break;
      }
    }
  } finally {
    await client.close().catch(() => undefined);
  }
  return { requests: times.length, rps: times.length / durationS, ...latencyOf(times), errors, firstError };
}

/**
 * The c=1 scenario for several targets at once, interleaved (`--c1-turns`): each target's connection
 * takes turns of `turn` requests, in a new random order every cycle, until each has had `durationS`
 * seconds of turns; the first `settle` requests of a turn are not recorded. In blocks of several
 * seconds per target (the default), a burst of noise from the rest of the machine can land on one
 * target's block and not on the others'; in turns of ~0.1 s it hits all of them alike, which makes
 * two builds comparable in one run. Not the default because latency here also depends on where in a
 * turn a request falls (it rises over the first hundred requests, for the mock called directly too),
 * so its numbers are not comparable with the blocks'. CPU time and RSS are read at the ends of turns.
 */
export async function interleavedSequential(jobs, { durationS, turn = 200, settle = 10 }) {
  const state = jobs.map((job) => ({
    job,
    client: new Client(job.origin, { keepAliveTimeout: 60_000, pipelining: 1 }),
    times: [],
    ok: 0,
    busyMs: 0,
    cpuMs: 0,
    rss: 0,
    errors: 0,
    firstError: undefined,
  }));
  const one = async (st, record) => {
    const r = await timedRequest(st.client, st.job);
    if (r.ms === undefined) {
      st.errors++;
      st.firstError ??= r.error;
    } else {
      st.ok++;
      if (record) st.times.push(r.ms);
    }
  };
  try {
    while (state.some((st) => st.busyMs < durationS * 1000 && st.errors <= 100)) {
      const order = state.filter((st) => st.busyMs < durationS * 1000 && st.errors <= 100).sort(() => Math.random() - 0.5);
      for (const st of order) {
        const cpu0 = cpuMs(st.job.pid);
        const t0 = performance.now();
        for (let i = 0; i < turn; i++) await one(st, i >= settle);
        st.busyMs += performance.now() - t0;
        const cpu1 = cpuMs(st.job.pid);
        if (cpu0 !== undefined && cpu1 !== undefined) st.cpuMs += cpu1 - cpu0;
        if (st.job.rss) st.rss = Math.max(st.rss, st.job.rss() ?? 0);
      }
    }
  } finally {
    await Promise.all(state.map((st) => st.client.close().catch(() => undefined)));
  }
  return state.map((st) => {
    return {
      requests: st.ok,
      rps: st.ok / (st.busyMs / 1000 || 1),
      ...latencyOf(st.times),
      errors: st.errors,
      firstError: st.firstError,
      cpuMs: st.job.pid ? st.cpuMs : undefined,
      rssBytes: st.rss || undefined,
    };
  });
}

/**
 * Opens `count` streams at once and reads them to the end. A stream counts as complete when it got
 * HTTP 200, every one of the `chunks` deltas (`tok<i> @<ms>`), and the dialect's closing marker.
 * Chunk latency is arrival time minus the time the mock wrote the chunk.
 */
export async function swarm({ origin, path, headers, body, count, chunks, endMarker, timeoutS = 60, rampMs = 1000 }) {
  const agent = new Agent({ connections: null, keepAliveTimeout: 1000, headersTimeout: timeoutS * 1000, bodyTimeout: timeoutS * 1000 });
  const latencies = new Float64Array(count * chunks);
  let nLat = 0;
  const ttfb = [];
  const reasons = new Map();
  const lost = (why) => reasons.set(why, (reasons.get(why) ?? 0) + 1);
  const t0 = performance.now();
  const one = async () => {
    const start = performance.now();
    try {
      const res = await request(origin + path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        dispatcher: agent,
      });
      if (res.statusCode !== 200) {
        lost(`HTTP ${res.statusCode}`);
        await res.body.dump();
        return;
      }
      ttfb.push(performance.now() - start);
      const seen = new Uint8Array(chunks);
      let got = 0;
      let tail = '';
      let sawEnd = false;
      for await (const buf of res.body) {
        const now = performance.timeOrigin + performance.now();
        const text = tail + buf.toString('utf8');
        const re = /tok(\d+) @(\d+\.\d+) /g;
        let m;
        let last = 0;
        while ((m = re.exec(text))) {
          const i = Number(m[1]);
          if (i < chunks && !seen[i]) {
            seen[i] = 1;
            got++;
            latencies[nLat++] = now - Number(m[2]);
          }
          last = re.lastIndex;
        }
        if (!sawEnd && text.includes(endMarker)) sawEnd = true;
        tail = text.slice(Math.max(last, text.length - 64));
      }
      if (got !== chunks) lost(`${chunks - got} chunk(s) missing`);
      else if (!sawEnd) lost('no end of stream');
    } catch (err) {
      lost(err.code ?? err.message);
    }
  };
  // Streams open over `rampMs` (as many clients would), not in one burst: a burst of 1,000 SYNs
  // overflows the listen backlog and measures the kernel's SYN retry timer (1 s, 3 s) instead.
  await Promise.all(Array.from({ length: count }, (_, i) => new Promise((r) => setTimeout(r, (i * rampMs) / count)).then(one)));
  const wallMs = performance.now() - t0;
  await agent.close().catch(() => undefined);
  const lat = latencies.subarray(0, nLat).sort();
  const tt = Float64Array.from(ttfb).sort();
  const lostCount = [...reasons.values()].reduce((a, b) => a + b, 0);
  return {
    streams: count,
    complete: count - lostCount,
    lost: lostCount,
    lostReasons: Object.fromEntries(reasons),
    chunkP50: percentile(lat, 50),
    chunkP99: percentile(lat, 99),
    ttfbP50: percentile(tt, 50),
    ttfbP99: percentile(tt, 99),
    wallMs,
  };
}
