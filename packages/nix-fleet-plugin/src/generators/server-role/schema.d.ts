// Options of the server-role generator, as in schema.json.
export interface ServerRoleGeneratorSchema {
  name: string;
  description?: string;
  /** Comma-separated, or an array when called from code. */
  services?: string | string[];
  ports?: string | number | (string | number)[];
  packages?: string | string[];
  skipFormat?: boolean;
}
