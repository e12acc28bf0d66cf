/**
 * Ends a command with an exit code and nothing more to say: what there was to say is
 * already printed (`livetally status` when no server runs: exit 1).
 */
export class QuietExit extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}
