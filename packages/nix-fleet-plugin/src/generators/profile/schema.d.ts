// Options of the profile generator, as in schema.json.
export interface ProfileGeneratorSchema {
  name: string;
  description?: string;
  /** Comma-separated, or an array when called from code. */
  options?: string | string[];
  packages?: string | string[];
  enableOn?: string | string[];
  skipFormat?: boolean;
}
