// The control catalogue. Filled in by the control modules.
export {};
