import { parentPort, workerData } from 'node:worker_threads';
import { ProfileStore } from './profile-store.js';
import type { WorkerData, WorkerReply, WorkerRequest } from './progress-writer.js';

/** The save worker: applies queued saves in order on its own connection, retrying failures. */
const port = parentPort;
if (!port) throw new Error('progress-worker runs as a worker thread');
const data = workerData as WorkerData;

const reply = (message: WorkerReply) => port.postMessage(message);
let store: ProfileStore;
try {
  store = ProfileStore.open(data.file);
} catch (error) {
  reply({ type: 'fatal', message: (error as Error).message });
  process.exit(1);
}

const queue: Extract<WorkerRequest, { type: 'save' }>[] = [];
let retry: NodeJS.Timeout | undefined;
let failing = false;
let closing = false;

function drain(): void {
  retry = undefined;
  while (queue.length > 0) {
    const next = queue[0]!;
    try {
      store.saveProgress(next.link, next.changes);
    } catch (error) {
      failing = true;
      reply({ type: 'failed', seq: next.seq, message: (error as Error).message });
      if (closing) break;
      retry = setTimeout(drain, data.retryMs);
      return;
    }
    queue.shift();
    if (queue.length === 0 || queue[0]!.seq !== next.seq + 1)
      reply({ type: 'saved', seq: next.seq });
  }
  if (failing && queue.length === 0) {
    failing = false;
    reply({ type: 'recovered' });
  }
  if (closing) {
    store.close();
    port!.close();
  }
}

port.on('message', (request: WorkerRequest) => {
  if (request.type === 'close') {
    closing = true;
    if (retry) clearTimeout(retry);
    drain();
    return;
  }
  queue.push(request);
  // Saves that arrive together are written back to back, acknowledged once.
  if (!retry && queue.length === 1) setImmediate(drain);
});
reply({ type: 'ready' });
