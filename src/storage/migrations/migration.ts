/** One step of the schema; `version` is what `PRAGMA user_version` holds after it. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}
