import fs from 'node:fs';
import path from 'node:path';
import { LivetallyError } from '../../domain/errors.js';
import type { ConnectedEvent } from '../../domain/events.js';
import { formatConnectedLine, formatMessageLine } from './raw-capture-format.js';
import type { RawCaptureTarget } from './raw-capture-target.js';

export interface RawCaptureWriterOptions {
  /** Replace an existing file; by default an existing capture is never overwritten. */
  overwrite?: boolean;
  /** A write failed: the capture stops, counting goes on. */
  onError?: (message: string) => void;
}

/**
 * Writes a raw capture (`livetally record`). Readable by its owner only: it holds what
 * viewers wrote in the chat. A write error ends the capture, never the counting.
 */
export class RawCaptureWriter implements RawCaptureTarget {
  private readonly stream: fs.WriteStream;
  private started = false;
  private failed = false;
  private count = 0;

  static open(file: string, options: RawCaptureWriterOptions = {}): RawCaptureWriter {
    let fd: number;
    try {
      fd = fs.openSync(file, options.overwrite ? 'w' : 'wx', 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const name = path.basename(file);
      throw code === 'EEXIST'
        ? new LivetallyError('capture_exists', `${name} already exists: choose another file`)
        : new LivetallyError('capture_unwritable', `cannot write ${name}: ${code ?? 'error'}`);
    }
    return new RawCaptureWriter(file, fd, options);
  }

  private constructor(
    readonly file: string,
    fd: number,
    private readonly options: RawCaptureWriterOptions,
  ) {
    this.stream = fs.createWriteStream(file, { fd });
    this.stream.on('error', (error: NodeJS.ErrnoException) => {
      if (this.failed) return;
      this.failed = true;
      this.options.onError?.(
        `the raw capture ${path.basename(file)} stopped: ${error.code ?? error.message}`,
      );
    });
  }

  /** Messages written so far. */
  get messages(): number {
    return this.count;
  }

  connected(event: ConnectedEvent): void {
    this.started = true;
    this.write(formatConnectedLine(event));
  }

  message(at: number, method: string, payload: Uint8Array): void {
    // A capture starts with the broadcast it belongs to; the source ensures that order.
    if (!this.started) return;
    this.count++;
    this.write(formatMessageLine(at, method, payload));
  }

  /** Writes what is buffered and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.stream.closed || this.stream.destroyed) return resolve();
      this.stream.once('close', () => resolve());
      this.stream.end();
    });
  }

  private write(line: string): void {
    if (this.failed || this.stream.writableEnded) return;
    this.stream.write(`${line}\n`);
  }
}
