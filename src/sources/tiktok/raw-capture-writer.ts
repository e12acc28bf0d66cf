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
 *
 * The file is created with the first line, when a LIVE was connected: a `record` that
 * never got that far leaves no empty file behind to block the next attempt.
 */
export class RawCaptureWriter implements RawCaptureTarget {
  private stream: fs.WriteStream | undefined;
  private started = false;
  private failed = false;
  private count = 0;

  /** Checks that `file` can be written (and is new, unless `overwrite`); creates nothing. */
  static open(file: string, options: RawCaptureWriterOptions = {}): RawCaptureWriter {
    const name = path.basename(file);
    if (!options.overwrite && fs.existsSync(file)) {
      throw new LivetallyError('capture_exists', `${name} already exists: choose another file`);
    }
    try {
      fs.accessSync(path.dirname(file), fs.constants.W_OK);
    } catch (error) {
      throw unwritable(name, error);
    }
    return new RawCaptureWriter(file, options);
  }

  private constructor(
    readonly file: string,
    private readonly options: RawCaptureWriterOptions,
  ) {}

  /** Whether the file exists: a LIVE was connected. */
  get created(): boolean {
    return this.stream !== undefined;
  }

  /** Messages written so far. */
  get messages(): number {
    return this.count;
  }

  connected(event: ConnectedEvent): void {
    if (!this.started) this.create();
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
      const stream = this.stream;
      if (!stream || stream.closed || stream.destroyed) return resolve();
      stream.once('close', () => resolve());
      stream.end();
    });
  }

  private create(): void {
    let fd: number;
    try {
      fd = fs.openSync(this.file, this.options.overwrite ? 'w' : 'wx', 0o600);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      this.fail(code === 'EEXIST' ? 'the file was created meanwhile by someone else' : code);
      return;
    }
    const stream = fs.createWriteStream(this.file, { fd });
    stream.on('error', (error: NodeJS.ErrnoException) => this.fail(error.code ?? error.message));
    this.stream = stream;
  }

  private fail(why: string | undefined): void {
    if (this.failed) return;
    this.failed = true;
    this.options.onError?.(
      `the raw capture ${path.basename(this.file)} stopped: ${why ?? 'write error'}`,
    );
  }

  private write(line: string): void {
    const stream = this.stream;
    if (this.failed || !stream || stream.writableEnded) return;
    stream.write(`${line}\n`);
  }
}

function unwritable(name: string, error: unknown): LivetallyError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'ENOENT'
      ? 'its folder does not exist (ENOENT)'
      : code === 'EACCES' || code === 'EPERM'
        ? `its folder is not writable (${code})`
        : (code ?? 'error');
  return new LivetallyError('capture_unwritable', `cannot write ${name}: ${why}`);
}
