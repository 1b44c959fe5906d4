// Options of the init generator, as in schema.json.
export interface InitGeneratorSchema {
  skipFormat?: boolean;
}
