// Options of the preset generator, as in schema.json.
export interface PresetGeneratorSchema {
  name: string;
  /** name:type pairs, comma-separated, or an array when called from code. */
  hosts?: string | string[];
  skipFormat?: boolean;
}
