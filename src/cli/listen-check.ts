import net from 'node:net';
import { LivetallyError } from '../domain/errors.js';

/**
 * Tries the address before anything is locked or created, so that a port in use, a
 * privileged port or a host that is not this machine's is refused with nothing written.
 * (With port 0 only the host is tried: the system picks a free port.)
 */
export async function checkCanListen(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (error) => reject(listenError(error, host, port)));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** Why `livetally start` cannot listen on `host:port`, and what to do instead. */
export function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${host}:${port}`;
  switch (code) {
    case 'EADDRINUSE':
      return new LivetallyError(
        'port_in_use',
        `port ${port} on ${host} is already in use; choose another with --port`,
      );
    case 'EACCES':
    case 'EPERM':
      return new LivetallyError(
        'port_forbidden',
        port < 1024
          ? `cannot listen on ${where}: ports below 1024 need administrator rights; use a higher port such as the default 8787 (--port 8787)`
          : `cannot listen on ${where}: the system does not allow it (${code}); choose another --port`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NONAME':
      return new LivetallyError(
        'unknown_host',
        `cannot listen on "${host}": no such host name (${code}); use an address of this computer, e.g. --host 127.0.0.1 (this computer only) or --host 0.0.0.0 (the whole network)`,
      );
    case 'EADDRNOTAVAIL':
      return new LivetallyError(
        'address_unavailable',
        `cannot listen on "${host}": it is not an address of this computer; use --host 127.0.0.1 (this computer only) or --host 0.0.0.0 (the whole network)`,
      );
    default:
      return error;
  }
}
