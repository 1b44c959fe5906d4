// Options of the preset generator, as in schema.json.
export interface PresetGeneratorSchema {
  name: string;
  /** name:type pairs, comma-separated, or an array when called from code. */
  hosts?: string | string[];
  /** The admin's age public key for .sops.yaml (else SOPS_AGE_KEY_FILE's, else a placeholder). */
  adminAgeKey?: string;
  skipFormat?: boolean;
}
