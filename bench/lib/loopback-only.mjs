// Preloaded (`node --import`) into peer gateways that listen on every interface by default
// (Portkey has no host flag): any server they start binds to 127.0.0.1 instead, so the bench never
// exposes a port beyond this machine. It changes nothing else about the peer.
import net from 'node:net';

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if (first !== null && typeof first === 'object' && !Array.isArray(first)) {
    if (first.path === undefined) args[0] = { ...first, host: '127.0.0.1' };
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    const rest = args.slice(1);
    const cb = typeof rest[rest.length - 1] === 'function' ? rest.pop() : undefined;
    // listen(port[, host][, backlog][, cb]): replace the host, keep a backlog if one was given.
    const backlog = rest.find((a) => typeof a === 'number');
    args = [Number(first), '127.0.0.1', ...(backlog !== undefined ? [backlog] : []), ...(cb ? [cb] : [])];
  }
  return listen.apply(this, args);
};
