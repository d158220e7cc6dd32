/** One tensor a page computed, as plain data that survives `page.evaluate`. */
export interface NamedOutput {
  name: string;
  shape: number[];
  values: number[];
}

/** What a page computed on one backend, in a fixed order the test compares across backends. */
export interface Computed {
  outputs: NamedOutput[];
}
